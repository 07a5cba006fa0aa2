"""The generated project's own test suite, in its own virtualenv, on SQLite and Postgres."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import UV, bake, bake_typed, find_python, postgres_url, project_env, run

# Interpreters on this machine. 3.14, which no Debian release has yet, is covered by
# tests/test_devcontainer.py: the suite in the devcontainer, on the 3.14 stand-in image.
PYTHON_VERSIONS = ["3.13", "3.12"]


def run_project_tests(project: Path, env: dict[str, str]) -> str:
    run([UV, "sync", "--locked", "--quiet"], project, env)  # the lock generated with it
    result = run([UV, "run", "pytest", "-p", "no:cacheprovider", "-q"], project, env)
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    return summary


# The fast tier runs the generated suite once: on SQLite, with the default Python.
@pytest.mark.parametrize(
    "python_version",
    [
        pytest.param(version, marks=[] if version == "3.13" else pytest.mark.slow)
        for version in PYTHON_VERSIONS
    ],
)
def test_suite_passes_on_sqlite(tmp_path: Path, python_version: str) -> None:
    python = find_python(python_version)
    project = bake(tmp_path, python_version=python_version)

    run_project_tests(project, project_env(python))


@pytest.mark.slow
@pytest.mark.parametrize("python_version", PYTHON_VERSIONS)
def test_suite_passes_on_postgres(tmp_path: Path, python_version: str) -> None:
    python = find_python(python_version)
    project = bake(tmp_path, python_version=python_version)
    database_url = postgres_url(f"template_{python_version.replace('.', '')}")

    env = project_env(python, DATABASE_URL=database_url)
    run_project_tests(project, env)
    # The suite ran against Postgres, not a silent SQLite fallback.
    engine = run(
        [
            UV,
            "run",
            "python",
            "-c",
            "import django; django.setup(); from django.db import connection; "
            "print(connection.vendor)",
        ],
        project,
        {**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert engine.stdout.strip() == "postgresql"


@pytest.mark.slow
def test_suite_passes_with_awkward_answers(tmp_path: Path) -> None:
    """Quotes, backslashes, HTML and template syntax in the name reach the page as text."""
    project = bake_typed(
        tmp_path,
        project_name='Café "Q" \\ {{ request.META }} {% csrf_token %} <script>x</script>',
        description="It's {{ 7*7 }} & <b>more</b>",
        aws_region="ap-southeast-2",
    )

    run_project_tests(project, project_env(find_python("3.13")))


@pytest.mark.slow
def test_setup_on_a_fresh_project_needs_no_environment(tmp_path: Path) -> None:
    """bin/setup: dependencies and a SQLite database, with no variables, even without .env."""
    project = bake(tmp_path)
    env = project_env(find_python("3.13"))

    result = run(["bin/setup"], project, env)

    assert "==> Done." in result.stdout
    assert (project / "db.sqlite3").is_file()
    (project / ".env").unlink()
    check = run([UV, "run", "manage.py", "check"], project, env)
    assert check.stdout.startswith("System check identified no issues")
    again = run(["bin/setup"], project, env)
    assert "No migrations to apply." in again.stdout


@pytest.mark.slow
def test_setup_without_uv_says_how_to_get_it(tmp_path: Path) -> None:
    project = bake(tmp_path)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}

    result = subprocess.run(
        ["bin/setup"], cwd=project, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert result.stderr.startswith("bin/setup needs uv: install it with")
