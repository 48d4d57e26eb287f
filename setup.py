"""Package discovery plus one mapping; everything else is in pyproject.toml.

The notebooks stay in notebooks/, where learners, Binder and the tests open them, and ship inside
the wheel as the data-only package backprop_course.course. So a plain `pip install .` carries them,
and `python -m backprop_course notebooks DEST` copies them out.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["backprop_course", "backprop_course.*"]), "backprop_course.course"],
    package_dir={"backprop_course.course": "notebooks"},
)
