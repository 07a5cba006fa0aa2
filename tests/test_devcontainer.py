"""The devcontainer brought up for real, by the Dev Containers CLI, as an editor would.

`devcontainer up` reads the generated .devcontainer/devcontainer.json, builds and starts its
compose file (the app container and Postgres), and runs its postCreateCommand (bin/setup) in
the app container; the project's own test suite then runs there against that Postgres.

Left out: the devcontainer.json "features" (git, the AWS CLI, Docker, the SAM CLI). They come
from a container registry (ghcr.io) that these machines cannot reach, so the test brings up a
copy of devcontainer.json without them; nothing the setup or the suite uses comes from them.
The base images are the stand-ins (tests/stand_ins) under the tags the files name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests import stand_ins
from tests.helpers import bake, run, unavailable

DEVCONTAINER_CLI_VERSION = "0.89.0"


def devcontainer_cli() -> str:
    """The Dev Containers CLI (@devcontainers/cli): $DEVCONTAINER_CLI (.ci/run sets it), else
    on PATH."""
    cli = os.environ.get("DEVCONTAINER_CLI") or shutil.which("devcontainer")
    version = cli and subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
    if not version or version.strip() != DEVCONTAINER_CLI_VERSION:
        unavailable(f"no Dev Containers CLI {DEVCONTAINER_CLI_VERSION} (set DEVCONTAINER_CLI)")
    return str(cli)


def docker_compose_available() -> None:
    if (
        not shutil.which("docker")
        or subprocess.run(["docker", "info"], capture_output=True).returncode
    ):
        unavailable("no Docker engine")
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode:
        unavailable("no Docker Compose")


@pytest.mark.parametrize("python_version", ["3.13", "3.14"])
def test_devcontainer_sets_up_and_runs_the_suite_on_its_postgres(
    tmp_path: Path, python_version: str
) -> None:
    docker_compose_available()
    cli = devcontainer_cli()
    project = bake(tmp_path, python_version=python_version)
    config_file = project / ".devcontainer" / "devcontainer.json"
    config = json.loads(config_file.read_text())
    assert config.pop("features"), "the features this test leaves out"
    config.pop("overrideFeatureInstallOrder", None)
    config_file.write_text(json.dumps(config, indent=2))  # the CLI reads only this file name
    compose_file = config_file.parent / config["dockerComposeFile"]
    compose = yaml.safe_load(compose_file.read_text())
    # The stand-ins for the images the app's Dockerfile and the compose file name.
    app_build = compose["services"][config["service"]]["build"]
    dockerfile = (compose_file.parent / app_build["context"] / app_build["dockerfile"]).read_text()
    (base,) = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    for service in compose["services"].values():
        if "image" in service:
            stand_ins.ensure(service["image"])

    # A project name of its own: runs side by side, and with a developer's devcontainer.
    name = f"devcontainer-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "COMPOSE_PROJECT_NAME": name}
    compose_command = ["docker", "compose", "--project-name", name, "--file", str(compose_file)]

    def exec_in_app(*args: str) -> subprocess.CompletedProcess:
        return run([cli, "exec", "--workspace-folder", str(project), *args], project, env)

    def psql(database: str, query: str) -> str:
        """`query` in the database server DATABASE_URL names, by its own psql."""
        args = ["exec", "-T", database_url.hostname, "psql", "--no-align", "--tuples-only"]
        args += [f"--username={database_url.username}", f"--dbname={database}", "-c", query]
        return run([*compose_command, *args], project, env).stdout.strip()

    try:
        # The build's base is the x86_64 stand-in while it runs (another process's arm64 image
        # build may lend its tag to the arm64 one).
        with stand_ins.as_base(base, "x86_64"):
            up = run([cli, "up", "--workspace-folder", str(project)], project, env)
        outcome = json.loads(up.stdout.strip().splitlines()[-1])
        assert outcome["outcome"] == "success", up.stdout
        assert outcome["composeProjectName"] == name
        assert outcome["remoteWorkspaceFolder"] == config["workspaceFolder"]
        assert "==> Done." in up.stderr, "the postCreateCommand, bin/setup, ran to its end"

        # The app container's interpreter, and its virtualenv, outside the mounted checkout.
        version = exec_in_app("uv", "run", "python", "-c", "import sys; print(sys.version)")
        assert version.stdout.startswith(f"{python_version}."), version.stdout
        assert not (project / ".venv").exists()
        # bin/setup migrated the compose file's Postgres, the database DATABASE_URL names.
        database_url = urlsplit(exec_in_app("printenv", "DATABASE_URL").stdout.strip())
        assert database_url.scheme == "postgres" and database_url.hostname in compose["services"]
        database = database_url.path.lstrip("/")
        assert int(psql(database, "SELECT count(*) FROM django_migrations")) > 0

        # --reuse-db keeps the test database, so the suite's use of Postgres can be seen.
        tests = exec_in_app("uv", "run", "pytest", "-p", "no:cacheprovider", "-q", "--reuse-db")
        summary = tests.stdout.strip().splitlines()[-1]
        assert " passed" in summary and "failed" not in summary and "error" not in summary
        assert int(psql(f"test_{database}", "SELECT count(*) FROM django_migrations")) > 0
        assert psql(f"test_{database}", "SELECT to_regclass('users_user')") == "users_user"
    finally:
        subprocess.run(
            [*compose_command, "down", "--volumes", "--rmi", "local"],
            cwd=project,
            env=env,
            capture_output=True,
            timeout=300,
            check=False,
        )
