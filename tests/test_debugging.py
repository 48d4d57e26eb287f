"""The debugging lab: its planted bugs are really there, one per named step, and its checker exercises judge
plausible answers by what they did."""

import numpy as np
import pytest

from backprop_course import debugging, planted_bugs
from backprop_course.exercises import check
from backprop_course.exercises.catalog.n09a_numeric_grad import CHANGED_X, NO_FLOAT64, OWN_NUMERIC, TINY_H, numeric_grad
from backprop_course.exercises.catalog.n09b_relative_error import NO_TINY, OWN_RELATIVE, relative_error
from backprop_course.exercises.catalog.n09c_find_the_bugs import DOWNSTREAM, PLANTED, SMALL_ONLY, with_fixes

BATCHES = debugging.make_batches()
PARAMS = debugging.make_params()


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def _flagged(steps, local=True):
    """The steps the reference checker flags on either batch."""
    found = set()
    for X, y in BATCHES.values():
        c = debugging.forward(PARAMS, X, y)
        found |= set(debugging.flagged(debugging.gradient_errors(steps, c, numeric_grad, relative_error, local)))
    return found


def test_the_checker_flags_exactly_the_planted_steps():
    assert _flagged(planted_bugs.STEPS) == PLANTED
    assert len(PLANTED) == 5


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_with_one_bug_fixed_the_checker_flags_exactly_the_others(name):
    assert _flagged(with_fixes([name])) == PLANTED - {name}


def test_with_every_fix_the_whole_backward_pass_agrees_with_the_engine():
    from backprop_course import Tensor
    from backprop_course.nn import cross_entropy

    fixed = with_fixes(PLANTED)
    assert _flagged(fixed, local=False) == set()
    for X, y in BATCHES.values():
        c = debugging.forward(PARAMS, X, y)
        mine = debugging.backward(fixed, c)
        t = {name: Tensor(value, requires_grad=True) for name, value in PARAMS.items()}
        h1 = (Tensor(X) @ t["W1"] + t["b1"]).relu()
        h2 = (h1 @ t["W2"] + t["b2"]).relu()
        h3 = h2 + (h2 @ t["W3"] + t["b3"]).relu()
        cross_entropy(h3 @ t["W4"] + t["b4"], y).backward()
        for name in debugging.PARAMETERS:
            assert np.allclose(mine[name], t[name].grad.numpy(), rtol=1e-10, atol=1e-12), name


def test_the_overflow_bug_shows_only_on_the_large_inputs():
    for batch, shows in (("small inputs", False), ("large inputs", True)):
        c = debugging.forward(PARAMS, *BATCHES[batch])
        errors = debugging.gradient_errors(planted_bugs.STEPS, c, numeric_grad, relative_error, local=True)
        assert ("logits" in debugging.flagged(errors)) == shows
        assert np.isfinite(c.loss)                      # the forward loss is the stable one


def test_the_batches_stay_clear_of_the_relu_kinks():
    for X, y in BATCHES.values():
        c = debugging.forward(PARAMS, X, y)
        assert min(np.abs(getattr(c, z)).min() for z in ("z1", "z2", "z3")) > 1e-2


def test_an_end_to_end_check_flags_everything_after_the_first_bug():
    c = debugging.forward(PARAMS, *BATCHES["small inputs"])
    errors = debugging.gradient_errors(planted_bugs.STEPS, c, numeric_grad, relative_error)
    assert debugging.flagged(errors) == list(debugging.LABELS[debugging.LABELS.index("z3"):])


# numeric_grad: other ways to be right, and to be wrong ----------------------------------------------------
def _vectorized(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        out.flat[i] = (f(x + e) - f(x - e)) / 2 / h
    return out


def _float32_inside(f, x, h=1e-5):
    x32 = np.array(x, dtype=np.float32)
    out = np.zeros(x32.shape)
    for i in np.ndindex(x32.shape):
        up, down = x32.copy(), x32.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up) - f(down)) / (2 * h)
    return out


def _ignores_h(f, x, h=1e-5):
    return _vectorized(f, x, 1e-10)


def _in_place(f, x, h=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(grad.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        grad[i] = (up - down) / (2 * h)
    return grad


def test_a_vectorized_central_difference_passes():
    assert check("numeric_grad", _vectorized)


@pytest.mark.parametrize(("answer", "message"), [(_float32_inside, NO_FLOAT64), (_ignores_h, TINY_H),
                                                 (_in_place, CHANGED_X)])
def test_numeric_grad_mistakes_are_told_by_what_they_did(answer, message):
    result = check("numeric_grad", answer)
    assert result.status == "incorrect" and result.message == message, result


def _wraps_the_course(f, x, h=1e-5):
    from backprop_course.exercises.catalog import n09a_numeric_grad

    return n09a_numeric_grad.numeric_grad(f, x, h)


@pytest.mark.parametrize(("exercise", "answer", "message"), [
    ("numeric_grad", _wraps_the_course, OWN_NUMERIC),
    ("numeric_grad", lambda f, x, h=1e-5: numeric_grad(f, x, h) + 0.0, OWN_NUMERIC),
    ("relative_error", lambda a, n: relative_error(a, n) + 0.0, OWN_RELATIVE),
])
def test_calling_the_course_s_own_function_is_refused(exercise, answer, message):
    result = check(exercise, answer)
    assert result.status == "incorrect" and result.message == message, result


def test_relative_error_on_python_floats_that_divides_zero_by_zero_is_told_why():
    def relative_error(a, n):
        return abs(a - n) / max(abs(a), abs(n)) if np.ndim(a) == 0 else \
            float(np.linalg.norm(np.subtract(a, n)) / max(np.linalg.norm(a), np.linalg.norm(n)))

    result = check("relative_error", relative_error)
    assert not result and NO_TINY in result.message, result


# find_the_bugs: feedback that never gives the set away ----------------------------------------------------
@pytest.mark.parametrize(("answer", "says"), [
    ({"logits", "z3", "h2", "h1", "b1", "W1"}, "1 of the steps you named is right"),
    ({"logits", "z3", "h2"}, "2 buggy steps that the small inputs already show are missing"),
    ({"z3", "h2", "h1", "b1"}, SMALL_ONLY),
    ({"z3", "W3", "b3", "h2", "z2", "W2", "b2", "h1", "z1", "W1", "b1"}, DOWNSTREAM),
    ({"W5"}, "'W5' is not a tensor of the backward pass"),
])
def test_find_the_bugs_feedback(answer, says):
    result = check("find_the_bugs", lambda: answer)
    assert result.status == "incorrect" and says in result.message, result
    assert result.expected is None and result.got is None   # no answer vector is shown


def test_the_hints_numbers_are_right():
    from backprop_course.exercises import EXERCISES

    central = numeric_grad(lambda v: float((v**3).sum()), np.array([1.0, 2.0]))
    forward = EXERCISES["numeric_grad"].mistakes[0].answer(lambda v: float((v**3).sum()), np.array([1.0, 2.0]))
    assert np.allclose(central, [3, 12], rtol=0, atol=1e-9) and not np.allclose(central, [3, 12], rtol=0, atol=1e-11)
    assert np.allclose(forward, [3.00003, 12.00006], rtol=0, atol=1e-9)
    assert "[3.00003, 12.00006]" in EXERCISES["numeric_grad"].hints[-1]
    assert round(relative_error(2.0002, 2.0), 8) == 9.999e-05
    assert round(relative_error([3, 4], [3, 4.001]), 8) == 1.9997e-04
    assert relative_error([0, 0], [0, 0]) == 0.0
    last = EXERCISES["relative_error"].hints[-1]
    assert "9.999e-05" in last and "1.9997e-04" in last
    assert "5 planted bugs: 4 show on the small inputs" in EXERCISES["find_the_bugs"].hints[-1]
    assert len(PLANTED) == 5 and len(PLANTED - {"logits"}) == 4   # logits: large inputs only


def test_notebook_09_keeps_the_course_s_checker_out_of_the_learner_s_cells():
    """Outside the collapsed asserts cells, nothing binds the course's numeric_grad or relative_error, so
    `numeric_grad = course_numeric_grad` is not one line away."""
    import nbformat

    from backprop_course.exercises.registry import NOTEBOOKS

    path = f"{__file__.rsplit('/tests/', 1)[0]}/notebooks/{NOTEBOOKS['09']}.ipynb"
    visible = [cell.source for cell in nbformat.read(path, 4).cells
               if cell.cell_type == "code" and "asserts" not in cell.metadata.get("tags", [])]
    assert visible and not any("n09a_numeric_grad" in source or "n09b_relative_error" in source
                               or "course_numeric_grad" in source
                               or "course_relative_error" in source for source in visible)


def test_the_learner_s_debugging_module_holds_no_answer_key():
    """The notebook's `debugging` holds the network and the checker harness; the planted set and its fixes live
    with the exercise, so `debugging.<tab>` does not offer the answer to find_the_bugs."""
    assert not [name for name, value in vars(debugging).items()
                if isinstance(value, (set, frozenset, dict)) and set(value) == PLANTED]


def test_a_backward_difference_is_called_backward():
    from backprop_course.exercises.catalog.n09a_numeric_grad import BACKWARD

    def backward_difference(f, x, h=1e-5):
        x = np.array(x, dtype=np.float64)
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            down = x.copy()
            down[i] -= h
            grad[i] = (f(x) - f(down)) / h
        return grad

    result = check("numeric_grad", backward_difference)
    assert result.status == "incorrect" and result.message == BACKWARD, result


def test_a_numeric_grad_that_ignores_the_given_h_is_told_so():
    from backprop_course.exercises.catalog.n09a_numeric_grad import WRONG_H

    def fixed_h(f, x, h=1e-5):   # passes at h = 1e-5 and 1e-4; the sweep over h would draw it flat
        return _vectorized(f, x, 1e-5)

    result = check("numeric_grad", fixed_h)
    assert result.status == "incorrect" and result.message == WRONG_H, result


def test_a_learner_s_checker_that_crashes_is_replaced_and_named():
    def broken(f, x, h=1e-5):
        raise IndexError("index 3 is out of bounds")

    grad, error, whose = debugging.your_checker(broken, relative_error)
    assert grad is numeric_grad and error is relative_error
    assert "yours raised IndexError: index 3 is out of bounds" in whose and "your relative_error" in whose


def test_the_checker_label_says_whose_functions_run():
    def stub(*args):
        raise NotImplementedError

    assert debugging.your_checker(stub, stub)[2] == ("the course's numeric_grad and relative_error "
                                                     "(yours are not written yet)")
    assert debugging.your_checker(_vectorized, stub)[2] == ("your numeric_grad and the course's relative_error "
                                                            "(yours is not written yet)")


def test_numeric_grad_is_judged_by_how_it_called_f_even_where_its_numbers_are_close():
    from backprop_course.exercises.catalog.n09a_numeric_grad import WRONG_H

    def float32_result(f, x, h=1e-5):   # float64 points, but the gradient is handed back in float32
        return _vectorized(f, x, h).astype(np.float32)

    def a_tenth_of_h(f, x, h=1e-5):     # accurate to rtol 1e-7 at h = 1e-5, but not the h it was given
        return _vectorized(f, x, h / 10)

    result = check("numeric_grad", float32_result)
    assert result.message == NO_FLOAT64 and result.got == "a float32 gradient", result
    result = check("numeric_grad", a_tenth_of_h)
    assert result.message == WRONG_H and result.case.endswith("h = 1e-5") and result.got == "a nudge of 1.0e-06"


def test_find_the_bugs_diagnosis_reads_only_a_vector_of_0_and_1_per_tensor():
    from backprop_course.exercises.catalog.n09c_find_the_bugs import NAMED, NOT_THE_SET, names_the_planted_bugs
    from backprop_course.exercises.checking import Failure

    planted = np.array([float(label in PLANTED) for label in debugging.LABELS])
    for aspect in ("names", "right steps", "small inputs", "large inputs"):
        names_the_planted_bugs({NAMED: planted}, aspect)
    for forged in (planted * 2, planted[:-1], np.full_like(planted, 0.5)):
        with pytest.raises(Failure) as wrong:
            names_the_planted_bugs({NAMED: forged}, "names")
        assert wrong.value.why == NOT_THE_SET


def test_checking_end_to_end_from_any_bug_on_is_told_the_bug_spreads():
    from_h2 = set(debugging.LABELS[debugging.LABELS.index("h2"):])
    assert check("find_the_bugs", lambda: from_h2).message == DOWNSTREAM
