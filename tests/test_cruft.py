"""A generated project follows the template with cruft, offline, from a local copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import TEMPLATE_DIR, run

CRUFT = str(Path(sys.executable).parent / "cruft")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def sh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run(list(args), cwd, {**os.environ, **GIT_IDENTITY})


def commit_all(directory: Path, message: str) -> None:
    sh("git", "add", "-A", cwd=directory)
    sh("git", "commit", "-q", "-m", message, cwd=directory)


def test_cruft_update_brings_a_template_change_in(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE_DIR,
        template,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"
        ),
    )
    sh("git", "init", "-q", "-b", "main", cwd=template)
    commit_all(template, "Template, first version")

    sh(
        CRUFT,
        "create",
        "--no-input",
        "--output-dir",
        str(tmp_path / "out"),
        str(template),
        cwd=tmp_path,
    )
    project = tmp_path / "out" / "my_django_app"
    env_file = (project / ".env").read_text()
    assert (project / ".cruft.json").is_file()
    sh("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "Generated project")
    sh(CRUFT, "check", cwd=project)

    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA line the template added later.\n")
    commit_all(template, "Template, second version")
    check = subprocess.run([CRUFT, "check"], cwd=project, capture_output=True, text=True)
    assert check.returncode != 0, "cruft check notices the project is behind"

    sh(CRUFT, "update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)

    # Only the template's change and cruft's record of it: no conflict, no .rej file.
    status = sh("git", "status", "--short", "--untracked-files=all", cwd=project).stdout
    assert sorted(line[3:] for line in status.splitlines()) == [".cruft.json", "README.md"]
    assert (project / "README.md").read_text().endswith("\nA line the template added later.\n")
    assert (project / ".env").read_text() == env_file, "the local secret survives the update"
    sh(CRUFT, "check", cwd=project)
