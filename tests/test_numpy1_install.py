"""Installing the course into an image built on numpy 1 (numpy 1.26 and pandas 2.1 there first, as in
many JupyterHub images) leaves numpy and pandas working, and the engine runs there.

It builds a fresh venv from the package index (about two minutes), so it runs when
BACKPROP_COURSE_INSTALL_TEST=1, which .ci/run sets.
"""

from __future__ import annotations

import os

import pytest
from test_binder import fresh_env

ENGINE_TESTS = ["tests/test_tensor.py", "tests/test_bad_input.py"]

pytestmark = pytest.mark.skipif(
    os.environ.get("BACKPROP_COURSE_INSTALL_TEST") != "1",
    reason="builds a fresh venv from the package index; set BACKPROP_COURSE_INSTALL_TEST=1 (.ci/run does)",
)


@pytest.fixture(scope="module")
def numpy1_env(tmp_path_factory):
    """(run, python, source): numpy 1.26 and pandas 2.1 installed, then the course from a copy of this source."""
    run, python, source, _ = fresh_env(tmp_path_factory.mktemp("numpy1"))
    run(python, "-m", "pip", "install", "-q", "numpy==1.26.*", "pandas==2.1.*", timeout=900)
    run(python, "-m", "pip", "install", "-q", str(source), "pytest", timeout=900)
    return run, python, source


def test_numpy_stays_1_26_and_pandas_imports(numpy1_env):
    run, python, _ = numpy1_env
    versions = run(python, "-c", "import numpy, pandas; pandas.DataFrame({'a': [1.0]}).sum(); "
                                 "print(numpy.__version__, pandas.__version__)").split()
    assert versions[0].startswith("1.26.") and versions[1].startswith("2.1."), versions


def test_jupyterlab_is_not_pulled_in(numpy1_env):
    # Nothing the course depends on brings JupyterLab, so a hub's own JupyterLab is never upgraded.
    run, python, _ = numpy1_env
    assert "Name:" not in run(python, "-m", "pip", "show", "jupyterlab", check=False)


def test_engine_tests_pass_on_numpy_1_26(numpy1_env):
    run, python, source = numpy1_env
    where = run(python, "-c", "import backprop_course; print(backprop_course.__file__)")
    assert "site-packages" in where, where  # the installed course is tested, not the copied source
    run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *[str(source / t) for t in ENGINE_TESTS])
