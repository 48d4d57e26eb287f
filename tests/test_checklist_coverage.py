"""Every section of the lecture checklist is taught somewhere, and every notebook keeps the course's conventions.

The map below says where each section lives: (notebook, cell tag "section-N"). The notebooks themselves are
checked as stored files (JSON), without running them; tests/ runs them under nbval separately.
"""

import json
from pathlib import Path

import pytest

from backprop_course.exercises import NOTEBOOKS

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"

# Checklist section -> (title, notebooks that teach it). Each notebook tags the teaching cell "section-N".
COVERAGE = {
    1: ("Why computation graphs", ["00", "09"]),
    2: ("Derivative as sensitivity", ["00"]),
    3: ("The simple example (x + y)·z", ["01"]),
    4: ("Zoom in on one node", ["01"]),
    5: ("Sigmoid neuron, one primitive at a time", ["02"]),
    6: ("Sigmoid as one primitive; flat backward code", ["02", "03"]),
    7: ("Gradient patterns", ["02", "03", "04", "09"]),
    8: ("Modular API", ["03", "04"]),
    9: ("Vectors: Jacobians and the ReLU VJP", ["05", "07", "09"]),
    10: ("Matrices: y = x·W", ["06", "07", "09"]),
    11: ("Vectorized example f = ||W·x||²", ["06"]),
    12: ("Chain rule as Jacobian products; reverse and forward mode", ["08"]),
    13: ("Higher-order derivatives", ["08"]),
    14: ("From graphs to networks (capstone)", ["04", "07", "09", "10", "11", "12"]),
}


def _path(prefix):
    return NOTEBOOK_DIR / f"{NOTEBOOKS[prefix]}.ipynb"


def _cells(prefix):
    """The notebook's cells; skips (never passes silently) when the notebook file does not exist yet."""
    path = _path(prefix)
    if not path.exists():
        pytest.skip(f"{path.name} is not in notebooks/ yet")
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _sections(cell):
    """The checklist sections a lecture cell states, from metadata {"backprop_course": {"section": "7,8"}}."""
    text = cell.get("metadata", {}).get("backprop_course", {}).get("section", "")
    return [part.strip() for part in str(text).split(",") if part.strip()]


def test_the_map_covers_every_section_of_the_checklist():
    assert sorted(COVERAGE) == list(range(1, 15))
    for section, (_, prefixes) in COVERAGE.items():
        assert prefixes, f"section {section} is taught nowhere"
        assert set(prefixes) <= set(NOTEBOOKS), f"section {section} names an unknown notebook: {prefixes}"


def test_every_notebook_teaches_some_section():
    assert {p for _, prefixes in COVERAGE.values() for p in prefixes} == set(NOTEBOOKS)


@pytest.mark.parametrize(
    ("section", "prefix"),
    [(s, p) for s, (_, prefixes) in COVERAGE.items() for p in prefixes],
    ids=lambda v: f"s{v}" if isinstance(v, int) else NOTEBOOKS[v],
)
def test_section_is_tagged_in_its_notebook(section, prefix):
    tag = f"section-{section}"
    cells = _cells(prefix)
    tagged = [i for i, cell in enumerate(cells) if tag in _tags(cell)]
    assert tagged, f"{_path(prefix).name} has no cell tagged {tag!r} ({COVERAGE[section][0]})"


@pytest.fixture(params=sorted(NOTEBOOKS), ids=lambda p: NOTEBOOKS[p])
def notebook(request):
    return request.param, _cells(request.param)


def test_section_tags_name_checklist_sections(notebook):
    prefix, cells = notebook
    for i, cell in enumerate(cells):
        for tag in _tags(cell):
            if tag.startswith("section-"):
                assert tag.removeprefix("section-") in {str(s) for s in COVERAGE}, \
                    f"{NOTEBOOKS[prefix]} cell {i}: tag {tag!r} is not a checklist section (1..14)"


def test_lecture_cells_assert_their_numbers(notebook):
    prefix, cells = notebook
    lecture = [(i, cell) for i, cell in enumerate(cells) if "lecture" in _tags(cell)]
    assert lecture, f"{NOTEBOOKS[prefix]} has no cell tagged 'lecture'"
    for i, cell in lecture:
        where = f"{NOTEBOOKS[prefix]} cell {i}"
        assert cell["cell_type"] == "code", f"{where} is tagged 'lecture' but is {cell['cell_type']}"
        after = cells[i + 1] if i + 1 < len(cells) else {}
        pinned = _source(cell) + (_source(after) if "asserts" in _tags(after) else "")  # or in its collapsed cell
        assert "assert " in pinned, f"{where} is tagged 'lecture' but asserts nothing"
        sections = _sections(cell)
        assert sections, f"{where} is tagged 'lecture' but has no backprop_course.section metadata"
        assert set(sections) <= {str(s) for s in COVERAGE}, f"{where}: unknown sections {sections}"


def test_stored_with_outputs_cleared(notebook):
    prefix, cells = notebook
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{NOTEBOOKS[prefix]} cell {i} is stored with outputs"
            assert cell.get("execution_count") is None, f"{NOTEBOOKS[prefix]} cell {i} has an execution count"


def test_opens_with_title_and_learning_goals(notebook):
    prefix, cells = notebook
    first = cells[0]
    assert first["cell_type"] == "markdown", f"{NOTEBOOKS[prefix]} must open with a markdown cell"
    text = _source(first)
    assert text.startswith("# "), f"{NOTEBOOKS[prefix]} must open with a title"
    assert "learning goals" in text.lower(), f"{NOTEBOOKS[prefix]}: the first cell must list the learning goals"


def test_ends_with_recap_and_score_table(notebook):
    prefix, cells = notebook
    last = cells[-1]
    assert last["cell_type"] == "code" and f'score_table("{prefix}")' in _source(last), \
        f"{NOTEBOOKS[prefix]} must end with a score_table(\"{prefix}\") cell"
    assert cells[-2]["cell_type"] == "markdown" and "recap" in _source(cells[-2]).lower(), \
        f"{NOTEBOOKS[prefix]}: a short recap must come right before the score table"


@pytest.mark.parametrize("exercise_id", ["norm_backward", "dual_numbers", "jacobian_passes"])
def test_exercise_is_introduced_under_its_section(exercise_id):
    """The markdown cell that introduces an exercise is tagged with the checklist section the exercise grades."""
    from backprop_course.exercises import EXERCISES

    ex = EXERCISES[exercise_id]
    cells = _cells(ex.notebook)
    meta = [c.get("metadata", {}).get("backprop_course", {}) for c in cells]
    stub = next(i for i, m in enumerate(meta) if m.get("exercise") == exercise_id and m.get("role") == "stub")
    assert cells[stub - 1]["cell_type"] == "markdown"
    assert f"section-{ex.section}" in _tags(cells[stub - 1])
    assert ex.notebook in COVERAGE[int(ex.section)][1]
