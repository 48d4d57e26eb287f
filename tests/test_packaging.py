"""Packaging: the wheel's package list, the single version, and the `python -m backprop_course` commands."""

import io
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import backprop_course
from backprop_course import __main__ as cli

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_wheel_maps_the_notebooks_folder_into_the_package():
    # Building a wheel takes a fresh build environment; tests/test_binder.py does that for real.
    setup_py = (ROOT / "setup.py").read_text()
    assert 'package_dir={"backprop_course.course": "notebooks"}' in setup_py
    assert '"backprop_course.course"]' in setup_py
    assert PYPROJECT["tool"]["setuptools"]["package-data"]["backprop_course.course"] == ["*.ipynb"]
    assert "packages" not in PYPROJECT["tool"]["setuptools"], "packages are found in setup.py"


def test_version_is_declared_once_in_the_package():
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "backprop_course.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", backprop_course.__version__)
    assert metadata.version("backprop-course") == backprop_course.__version__


def test_nbgrader_only_in_the_instructor_extra():
    # nbgrader switches on server extensions, so it must stay out of the learner's and Binder's environment.
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(req.startswith("nbgrader") for req in extras["instructor"])
    for name, requirements in [("dependencies", PYPROJECT["project"]["dependencies"]), *extras.items()]:
        if name != "instructor":
            assert not any("nbgrader" in req for req in requirements), name
    assert "nbgrader" not in (ROOT / "binder" / "requirements.txt").read_text()


def test_jupyterlab_only_in_the_lab_extra():
    # Installing the course into a JupyterHub image must leave that image's JupyterLab alone.
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not any(req.startswith("jupyterlab") for req in PYPROJECT["project"]["dependencies"])
    assert any(req.startswith("jupyterlab") for req in extras["lab"])
    makefile = (ROOT / "Makefile").read_text()
    assert '-e ".[lab]"' in makefile and '-e ".[lab,test,instructor]"' in makefile


def test_binder_files():
    assert (ROOT / "binder" / "requirements.txt").read_text().split() == [".[lab]"]
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.12"
    assert "graphviz" in (ROOT / "binder" / "apt.txt").read_text().split()


def _fake_install(tmp_path, monkeypatch, names):
    package = tmp_path / "site" / "backprop_course"
    (package / "course").mkdir(parents=True)
    for name in names:
        (package / "course" / name).write_text(json.dumps({"cells": [], "name": name}))
    monkeypatch.setattr(cli, "PACKAGE_DIR", package)
    return package / "course"


def test_notebooks_command_copies_the_course_and_keeps_the_learners_work(tmp_path, monkeypatch, capsys):
    course = _fake_install(tmp_path, monkeypatch, ["00_a.ipynb", "01_b.ipynb"])
    dest = tmp_path / "my course"

    assert cli.main(["notebooks", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == ["00_a.ipynb", "01_b.ipynb"]
    assert (dest / "01_b.ipynb").read_bytes() == (course / "01_b.ipynb").read_bytes()

    (dest / "00_a.ipynb").write_text("my answers")
    assert cli.main(["notebooks", str(dest)]) == 0
    assert (dest / "00_a.ipynb").read_text() == "my answers"
    assert "--force" in capsys.readouterr().out

    assert cli.main(["notebooks", str(dest), "--force"]) == 0
    assert (dest / "00_a.ipynb").read_bytes() == (course / "00_a.ipynb").read_bytes()


def test_source_checkout_reads_notebooks_folder(tmp_path, monkeypatch):
    package = tmp_path / "backprop_course"
    package.mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_a.ipynb").write_text("{}")
    monkeypatch.setattr(cli, "PACKAGE_DIR", package)
    assert cli.course_dir() == tmp_path / "notebooks"


def test_notebooks_command_says_clearly_when_there_is_no_course(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "PACKAGE_DIR", tmp_path / "nowhere" / "backprop_course")
    assert cli.main(["notebooks", str(tmp_path / "dest")]) == 1
    assert "no course notebooks found" in capsys.readouterr().err


def test_doctor_reports_renderer_widget_extension_and_versions():
    out = io.StringIO()
    status = cli.doctor(out)
    report = out.getvalue()
    rows = {line[:20].strip(): line[20:] for line in report.splitlines() if line[:20].strip()}
    assert "renders SVG" in rows["renderer"]
    assert rows["widget extension"].startswith(f"jupyterlab_widgets {metadata.version('jupyterlab_widgets')}")
    assert "jupyterlab-manager" in rows["widget extension"]
    assert rows["explorer extension"].startswith(f"anywidget {metadata.version('anywidget')}")
    assert "labextensions/anywidget" in rows["explorer extension"]
    for name in ("numpy", "ipywidgets", "jupyterlab"):
        assert rows[name] == metadata.version(name)
    assert rows["python"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")
    assert status == (0 if "all good" in report else 1)
    if any((ROOT / "notebooks").glob("*.ipynb")):
        assert status == 0, report


def test_doctor_names_a_missing_renderer(monkeypatch):
    from backprop_course import viz

    def missing():
        raise viz.RendererNotFoundError("no Graphviz renderer found")

    monkeypatch.setattr(viz, "find_renderer", missing)
    out = io.StringIO()
    assert cli.doctor(out) == 1
    assert "problem: no Graphviz renderer found" in out.getvalue()


@pytest.mark.parametrize("args", [["--help"], ["doctor", "--help"], ["notebooks", "--help"]])
def test_module_runs_as_a_program(args):
    done = subprocess.run([sys.executable, "-m", "backprop_course", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "usage: python -m backprop_course" in done.stdout
