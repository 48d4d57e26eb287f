"""The inline markup of feedback (`code`, **strong**, *em*): rendered in HTML, dropped from plain text,
never a way in for the learner's own text, and never a mangler of arithmetic."""

import html
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_course.exercises import EXERCISES, Result, check, hint
from backprop_course.exercises.checking import MUL_SWAPS
from backprop_course.exercises.display import Text, markup

# Arithmetic and code, and a marker inside a word: none of them is emphasis.
LITERAL = ["2 * 3", "x**2", "w0*x0", "a * b**-1", "tanh(x)**2", "f(*args, **kwargs)", "d(x**k)/dx = k·x**(k-1)",
           "a*b*"]


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def visible(page):
    """What a browser shows of an HTML fragment: its text without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def tags(page):
    return set(re.findall(r"</?([a-zA-Z]+)", page))


def test_code_strong_and_em_render_in_html_and_lose_their_markers_in_text():
    text = "Keep a `visited` set: **each** node once, the *other* input."
    page = markup(text)
    assert re.search(r"<code[^>]*>visited</code>", page)
    assert "<strong>each</strong>" in page and "<em>other</em>" in page
    assert "*" not in visible(page) and "`" not in visible(page)
    # Plain text drops the emphasis and keeps the backticks, which mark where code starts and ends.
    assert markup(text, as_html=False) == text.replace("*", "")


@pytest.mark.parametrize("math", LITERAL)
def test_arithmetic_keeps_its_asterisks_in_prose_and_in_code(math):
    for text in (f"so {math} here", f"so `{math}` here"):
        page = markup(text)
        assert tags(page) <= {"code"}, page
        assert math in visible(page) and math in markup(text, as_html=False)


def test_a_learners_html_is_shown_as_text_never_run():
    got = "<script>alert('got')</script> and `<img src=x onerror=alert(1)>`"
    result = Result("scalar_backward", "t", "incorrect", 0, 1, "Wrong.", case="c", expected="1", got=got)
    page = result._repr_html_()
    assert "<script" not in page and "<img" not in page
    assert "<script>alert('got')</script>" in visible(page) and "<img src=x onerror=alert(1)>" in visible(page)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab *`<>&\"'(.\n", max_size=40))
def test_rendering_only_adds_its_own_tags_and_only_removes_markers(text):
    for page in (markup(text), Text(text)._repr_html_()):
        assert tags(page) <= {"div", "code", "strong", "em"}, page
    for shown in (visible(markup(text)), markup(text, as_html=False)):
        rest = iter(text)  # `shown` is `text` with some characters left out, all of them markers
        assert all(c in rest for c in shown), (text, shown)
        assert set((Counter(text) - Counter(shown)).keys()) <= {"*", "`"}, (text, shown)


# The mul gate's classic mistake, as the exercise declares it: each input gets its own value times the upstream.
Multiply = next(m.answer for m in EXERCISES["multiply_function"].mistakes if m.message == MUL_SWAPS)


def test_feedback_and_hints_render_the_course_s_markup():
    result = check("multiply_function", Multiply)
    assert not result and "*" in result.message, result.message  # this feedback does use markup
    page, text = result._repr_html_(), repr(result)
    assert "<pre" not in page  # JupyterLab breaks the words of output <pre> anywhere
    assert markup(result.message) in page and markup(result.message, as_html=False) in text
    assert "*" not in visible(page) and "`" not in visible(page)

    shown = [hint("multiply_function") for _ in EXERCISES["multiply_function"].hints]
    marked = [h for h in shown if "*" in h.text or "`" in h.text]
    assert marked, [h.text for h in shown]
    for h in marked:
        assert "<pre" not in h._repr_html_() and "*" not in visible(h._repr_html_())
        assert repr(h) == markup(h.text, as_html=False)


def test_code_is_shown_as_written():
    code = Text("def f(x):\n    return 2 * x**2  # `x` squared, *twice*\n", code=True)
    assert repr(code) == code.text and html.escape(code.text) in code._repr_html_()
