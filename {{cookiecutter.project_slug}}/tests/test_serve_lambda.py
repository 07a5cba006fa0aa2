"""bin/serve-lambda: HTTP on localhost, through the Lambda handler and settings."""

from __future__ import annotations

import os
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


def request(url: str, data: bytes | None = None) -> Response:
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=30) as response:
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


def test_static_files_with_cache_headers(server: str) -> None:
    home = request(f"{server}/").body.decode()
    css = home.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]

    response = request(server + css)

    assert response.status == 200
    assert response.headers["Content-Type"] == 'text/css; charset="utf-8"'
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b"font-family" in response.body


def test_binary_body(server: str) -> None:
    home = request(f"{server}/").body.decode()
    logo = home.split('<img src="', 1)[1].split('"', 1)[0]

    response = request(server + logo)

    assert response.headers["Content-Type"] == "image/png"
    source = PROJECT_DIR / APP / "static" / APP / "img" / "logo.png"
    assert response.body == source.read_bytes()


def test_cookies_are_secure_and_separate(server: str) -> None:
    response = request(f"{server}/admin/login/")

    assert response.status == 200
    (cookie,) = response.headers.get_all("Set-Cookie")
    assert cookie.startswith("csrftoken=")
    assert "; Secure" in cookie
    assert "; SameSite=Lax" in cookie


def test_redirect_stays_relative(server: str) -> None:
    response = request(f"{server}/admin/")

    assert response.status == 302
    assert response.headers["Location"] == "/admin/login/?next=/admin/"


def test_unknown_host_is_refused(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    with socket.create_connection(("127.0.0.1", int(port))) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk

    assert reply.startswith(b"HTTP/1.0 400 ")


def test_body_over_lambdas_limit_is_refused(server: str) -> None:
    response = request(f"{server}/", data=b"x" * (6 * 1024 * 1024 + 1))

    assert response.status == 413


def test_post_without_csrf_token_is_forbidden(server: str) -> None:
    response = request(f"{server}/admin/login/", data=b"username=a&password=b")

    assert response.status == 403
