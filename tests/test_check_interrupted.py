"""Interrupting the kernel during a check stops it with one short line, not a traceback through the grader."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

from backprop_course.exercises import CheckInterrupted, check


def interrupted(x, grad_y):
    raise KeyboardInterrupt   # what a kernel interrupt raises inside the learner's code


def test_an_interrupt_is_still_an_interrupt():
    with pytest.raises(KeyboardInterrupt) as info:
        check("relu_vjp", interrupted)
    assert isinstance(info.value, CheckInterrupted)


def test_jupyter_shows_one_line(capsys):
    shell = InteractiveShell.instance()
    shell.user_ns.update(check=check, interrupted=interrupted)
    result = shell.run_cell('check("relu_vjp", interrupted)')
    shown = capsys.readouterr()
    assert isinstance(result.error_in_exec, KeyboardInterrupt)   # the cell failed: Run All stops there
    assert (shown.out + shown.err).strip() == "check interrupted"
