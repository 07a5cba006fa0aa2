"""bin/serve-lambda: HTTP on localhost, through the Lambda handler and settings."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from tests.environment import LAMBDA_ENVIRONMENT

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP = "{{ cookiecutter.project_slug }}"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes


def request(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Response:
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, data, headers or {}), timeout=30) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers, error.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": LAMBDA_ENVIRONMENT["DJANGO_SECRET_KEY"],
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'db.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrate = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=PROJECT_DIR, env=env, check=True)
    process = subprocess.Popen(
        [sys.executable, "bin/serve-lambda", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith("Serving through config.web_function.handler"), banner
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_home_page(server: str) -> None:
    response = request(f"{server}/")

    assert response.status == 200
    # Hashed names: the Lambda settings' manifest storage, as in the image.
    assert f'href="/static/{APP}/css/site.' in response.body.decode()
    assert response.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


def test_binary_body(server: str) -> None:
    home = request(f"{server}/").body.decode()
    logo = home.split('<img src="', 1)[1].split('"', 1)[0]

    response = request(server + logo)

    assert response.headers["Content-Type"] == "image/png"
    source = PROJECT_DIR / APP / "static" / APP / "img" / "logo.png"
    assert response.body == source.read_bytes()


def test_a_form_posted_from_this_server_passes_the_csrf_check(server: str) -> None:
    """The Origin is http://, the request https:// for Django: serve-lambda makes it https://."""
    page = request(f"{server}/admin/login/")
    (cookie,) = page.headers.get_all("Set-Cookie")
    assert re.match(r"csrftoken=\w+; expires=.*; Path=/; SameSite=Lax; Secure$", cookie), cookie
    token = re.search(rb'name="csrfmiddlewaretoken" value="(\w+)"', page.body).group(1)

    response = request(
        f"{server}/admin/login/",
        data=b"csrfmiddlewaretoken=" + token + b"&username=nobody&password=wrong",
        headers={"Cookie": cookie.split(";")[0], "Origin": server},
    )

    assert response.status == 200
    assert b"Please enter the correct username and password" in response.body


def test_redirect_stays_relative(server: str) -> None:
    response = request(f"{server}/admin/")

    assert response.status == 302
    assert response.headers["Location"] == "/admin/login/?next=/admin/"


def test_unknown_host_is_refused(server: str) -> None:
    assert request(f"{server}/", headers={"Host": "evil.example"}).status == 400


def test_body_over_lambdas_limit_is_refused(server: str) -> None:
    response = request(f"{server}/", data=b"x" * (6 * 1024 * 1024 + 1))

    assert response.status == 413
