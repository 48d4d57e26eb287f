"""Command line: `python -m backprop_course notebooks DEST` and `python -m backprop_course doctor`."""

from __future__ import annotations

import argparse
import shutil
import sys
from importlib import metadata
from pathlib import Path

import backprop_course

PACKAGE_DIR = Path(backprop_course.__file__).resolve().parent
# The JupyterLab extensions the explorers need: doctor's row -> the package that installs it, its folder name.
LAB_EXTENSIONS = {
    "widget extension": ("jupyterlab_widgets", "@jupyter-widgets/jupyterlab-manager"),
    "explorer extension": ("anywidget", "anywidget"),
}


def course_dir() -> Path:
    """The folder holding the course notebooks.

    A wheel carries them as ``backprop_course/course``; an editable install or a source checkout
    reads them straight from the repository's ``notebooks/``.
    """
    for candidate in (PACKAGE_DIR / "course", PACKAGE_DIR.parent / "notebooks"):
        if any(candidate.glob("*.ipynb")):
            return candidate
    raise FileNotFoundError(
        f"no course notebooks found in {PACKAGE_DIR / 'course'} or {PACKAGE_DIR.parent / 'notebooks'}; "
        "reinstall the course with `pip install backprop-course` or from a full checkout"
    )


def copy_notebooks(dest: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Copy every course notebook into `dest`; returns (copied, skipped).

    A notebook already in `dest` holds the learner's work, so it is kept unless `force` is set.
    """
    dest.mkdir(parents=True, exist_ok=True)
    copied, skipped = [], []
    for source in sorted(course_dir().glob("*.ipynb")):
        target = dest / source.name
        if target.exists() and not force:
            skipped.append(target)
            continue
        shutil.copyfile(source, target)
        copied.append(target)
    return copied, skipped


def render_check() -> str | None:
    """Draw the lecture's (x + y) * z graph to SVG; None when that works, else what went wrong."""
    from backprop_course import Value
    from backprop_course.viz import draw_graph, render_svg

    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.backward()
    try:
        svg = render_svg(draw_graph(f))
    except Exception as error:  # report any failure instead of a traceback: this is a diagnosis tool
        return f"{type(error).__name__}: {error}"
    return None if "<svg" in svg else "the renderer gave no SVG"


def lab_extension_dir(name: str) -> Path | None:
    """Where JupyterLab finds the extension `name` (a folder name in LAB_EXTENSIONS), if it does."""
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path("labextensions"):
        candidate = Path(root) / name
        if (candidate / "package.json").is_file():
            return candidate
    return None


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def doctor(out=None) -> int:
    """Print what the course runs on; returns 0 when everything it needs is there, else 1."""
    out = out or sys.stdout
    problems = []

    def line(name: str, text: str) -> None:
        print(f"{name:<20}{text}", file=out)

    line("backprop_course", f"{backprop_course.__version__}  ({PACKAGE_DIR})")
    line("python", f"{sys.version.split()[0]}  ({sys.executable})")

    from backprop_course.viz import RendererNotFoundError, find_renderer

    try:
        renderer = find_renderer()
    except RendererNotFoundError as error:
        problems.append(str(error))
        line("renderer", "none found")
    else:
        name = "system dot" if Path(renderer).stem == "dot" else "graphviz-pure"
        failure = render_check()
        if failure:
            problems.append(f"drawing a test graph with {renderer} failed: {failure}")
        line("renderer", f"{name}  ({renderer}) {'FAILED' if failure else 'renders SVG'}")

    for row, (package, name) in LAB_EXTENSIONS.items():
        version, extension = _version(package), lab_extension_dir(name)
        if version is None or extension is None:
            problems.append(f"the JupyterLab extension {name} is missing: `pip install {package}`")
        line(row, f"{package} {version or 'not installed'}  ({extension or 'not found by lab'})")

    for distribution in ("numpy", "ipywidgets", "jupyterlab"):
        version = _version(distribution)
        if version is None:
            problems.append(f"{distribution} is not installed")
        line(distribution, version or "not installed")

    try:
        notebooks = course_dir()
        line("notebooks", f"{len(list(notebooks.glob('*.ipynb')))} in {notebooks}")
    except FileNotFoundError as error:
        problems.append(str(error))
        line("notebooks", "not found")

    for problem in problems:
        print(f"problem: {problem}", file=out)
    print("all good" if not problems else f"{len(problems)} problem(s)", file=out)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backprop_course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser("notebooks", help="copy the course notebooks into a folder of your own")
    copy.add_argument("dest", type=Path, help="folder to copy into (created if missing)")
    copy.add_argument("--force", action="store_true", help="overwrite notebooks already there")
    commands.add_parser("doctor", help="print the renderer, widget extension and versions in use")
    args = parser.parse_args(argv)

    if args.command == "doctor":
        return doctor()
    try:
        copied, skipped = copy_notebooks(args.dest, force=args.force)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in copied:
        print(f"copied  {path}")
    for path in skipped:
        print(f"kept    {path} (already there; --force overwrites it)")
    print(f"open them with: jupyter lab {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
