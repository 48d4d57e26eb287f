"""The catalog: one module per exercise, named after its notebook, its place there and its id."""

import dataclasses
import importlib
import pkgutil
import re

import pytest

from backprop_course.exercises import EXERCISES, catalog, registry


def _modules():
    return [(info.name, importlib.import_module(f"{catalog.__name__}.{info.name}"))
            for info in pkgutil.iter_modules(catalog.__path__)]


def test_each_module_is_named_after_its_exercise():
    for name, module in _modules():
        ex = module.EXERCISE
        assert re.fullmatch(rf"n{ex.notebook}[a-z]_{ex.id}", name), (name, ex.notebook, ex.id)
        assert EXERCISES[ex.id] is ex


def test_the_course_order_is_the_order_of_the_names():
    names = sorted(name for name, _ in _modules())
    ids = [importlib.import_module(f"{catalog.__name__}.{name}").EXERCISE.id for name in names]
    assert [i for i in EXERCISES if i in ids] == ids
    assert len({name[:4] for name in names}) == len(names), "two exercises share a place"


def test_an_id_defined_twice_is_refused(monkeypatch):
    module = importlib.import_module(f"{catalog.__name__}.n02a_fork_backward")
    twin = dataclasses.replace(EXERCISES["fork_backward"], id="scalar_backward")
    monkeypatch.setattr(module, "EXERCISE", twin)
    with pytest.raises(ValueError, match="'scalar_backward' is defined twice"):
        registry.discover()
    monkeypatch.undo()
    registry.discover()
    assert EXERCISES["fork_backward"].id == "fork_backward"
