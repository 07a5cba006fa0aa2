"""The pre-generation hook's DEPENDENCY_NAMES are what the generated project's uv.lock
installs (tests/relock.py writes both; a dependency change without a relock fails here or in
the generated suite's `uv sync --locked`)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bake
from tests.relock import import_names
from tests.test_hooks import pre_gen


def test_the_hooks_dependency_names_are_the_locked_packages(tmp_path: Path) -> None:
    assert import_names(bake(tmp_path)) == sorted(pre_gen.DEPENDENCY_NAMES)
