from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import UV, bake, find_python, project_env, run


@dataclass
class SyncedProject:
    """A generated project (default answers) with its runtime dependencies installed."""

    path: Path
    venv_bin: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def synced_project(tmp_path_factory: pytest.TempPathFactory) -> SyncedProject:
    project = bake(tmp_path_factory.mktemp("synced"))
    env = project_env(find_python("3.13"))
    # What the image installs: the locked dependencies without the dev group.
    run([UV, "sync", "--no-dev", "--quiet"], project, env)
    return SyncedProject(path=project, venv_bin=project / ".venv" / "bin", env=env)
