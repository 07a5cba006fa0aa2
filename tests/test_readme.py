"""The README's commands: the quick start serves a project, the full test command is CI's."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import IO

from tests.helpers import DEFAULT_SLUG, TEMPLATE_DIR, find_python, free_port, project_env

README = (TEMPLATE_DIR / "README.md").read_text()
TEMPLATE_SOURCE = "gh:OWNER/cookiecutter-django-lambda"


def commands_after(heading: str) -> list[str]:
    """The commands in the first ```sh block under `heading`, without their comments."""
    section = README.split(f"\n## {heading}\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, f"no sh block under {heading}"
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def wait_for(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the quick start exited {server.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"nothing served {url} within {timeout} s")


def test_quick_start_serves_the_home_page_and_admin_with_css(tmp_path: Path) -> None:
    (command,) = commands_after("Quick start")
    assert TEMPLATE_SOURCE in command
    assert command.endswith("uv run manage.py runserver")
    port = free_port()
    # The template from this checkout instead of GitHub, and a port no one else uses.
    command = command.replace(TEMPLATE_SOURCE, shlex.quote(str(TEMPLATE_DIR)))
    command += f" 127.0.0.1:{port}"
    with (tmp_path / "quickstart.log").open("w+") as log:
        server = subprocess.Popen(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=project_env(find_python("3.13")),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            check_pages(f"http://127.0.0.1:{port}", server, log)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    assert (tmp_path / DEFAULT_SLUG / "db.sqlite3").is_file(), "SQLite, no server needed"


def check_pages(base: str, server: subprocess.Popen, log: IO[str]) -> None:
    try:
        wait_for(f"{base}/health/", server, timeout=300)
    except AssertionError as error:
        log.seek(0)
        raise AssertionError(f"{error}\n{log.read()}") from None

    status, content_type, home = get(f"{base}/")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert "<h1>My Django App</h1>" in home
    status, _, login = get(f"{base}/admin/login/")
    assert status == 200
    assert 'name="csrfmiddlewaretoken"' in login
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home + login)
    assert f"/static/{DEFAULT_SLUG}/css/site.css" in stylesheets
    assert "/static/admin/css/base.css" in stylesheets
    for stylesheet in stylesheets:
        status, content_type, css = get(base + stylesheet)
        assert (status, content_type.split(";")[0]) == (200, "text/css"), stylesheet
        assert "{" in css


def test_ci_runs_the_readme_full_test_command() -> None:
    fast, full = commands_after("Running the tests")
    ci_script = (TEMPLATE_DIR / ".ci" / "run").read_text()

    assert full in ci_script.splitlines(), f".ci/run does not run {full!r}"
    assert fast == f'{full} -m "not slow"', "the fast tier is the full suite less the slow tests"
