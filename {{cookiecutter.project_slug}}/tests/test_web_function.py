"""The Lambda handler under the Lambda settings, fed the events a Function URL sends."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection

from config.web_function import Handler
from tests.environment import LAMBDA_ENVIRONMENT
from tests.events import FUNCTION_URL_HOST, SOURCE_IP, form_post, function_url_event
from users.models import User

APP = "{{ cookiecutter.project_slug }}"
SECURITY_HEADERS = {
    # A page that uses no nonce gets none (tests/test_views.py has one that does).
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'",
    "cross-origin-opener-policy": "same-origin",
    "referrer-policy": "same-origin",
    "strict-transport-security": "max-age=3600; includeSubDomains",
    "x-content-type-options": "nosniff",
}


def set_cookies(response: dict[str, Any]) -> dict[str, Any]:
    """The cookies a response sets, by name."""
    jar: SimpleCookie = SimpleCookie()
    for header in response["cookies"]:
        jar.load(header.strip())
    return dict(jar)


@pytest.mark.django_db
def test_health(lambda_handler: Handler) -> None:
    response = lambda_handler(function_url_event(path="/health/"), None)

    assert response == {
        "statusCode": 200,
        "headers": {
            **SECURITY_HEADERS,
            "cache-control": "max-age=0, no-cache, no-store, must-revalidate, private",
            "content-length": "34",
            "content-type": "application/json",
            "expires": response["headers"]["expires"],
            "x-frame-options": "DENY",
        },
        "cookies": [],
        "isBase64Encoded": False,
        "body": '{"status": "ok", "database": "ok"}',
    }


def test_binary_response_is_base64(lambda_handler: Handler) -> None:
    logo = staticfiles_storage.stored_name(f"{APP}/img/logo.png")

    response = lambda_handler(function_url_event(path=f"/static/{logo}"), None)

    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    source = Path(__file__).resolve().parent.parent / APP / "static" / APP / "img" / "logo.png"
    assert base64.b64decode(response["body"]) == source.read_bytes()


@pytest.mark.urls("tests.urls")
def test_request_reaches_django(lambda_handler: Handler) -> None:
    """REMOTE_ADDR is the address the Function URL saw, not what the client wrote."""
    event = function_url_event(
        method="POST",
        path="/echo/",
        query="tag=a&tag=b&q=caf%C3%A9",
        headers={"x-forwarded-for": f"203.0.113.66, {SOURCE_IP}"},
        body="café".encode(),
    )

    response = lambda_handler(event, None)

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "method": "POST",
        "path": "/echo/",
        "query": {"tag": ["a", "b"], "q": ["café"]},
        "cookie_header": "",
        "cookies": {},
        "host": FUNCTION_URL_HOST,
        "is_secure": True,
        "remote_addr": SOURCE_IP,
        "body": "café",
    }


@pytest.mark.urls("tests.urls")
def test_header_text_outside_latin_1_reaches_django_decoded(lambda_handler: Handler) -> None:
    """A Function URL sends the cookies in their array and in the Cookie header."""
    event = function_url_event(
        path="/echo/",
        cookies=["name=caf€", "theme=dark"],
        headers={"cookie": "name=caf€; theme=dark"},
    )

    response = lambda_handler(event, None)

    assert json.loads(response["body"])["cookies"] == {"name": "caf€", "theme": "dark"}


@pytest.mark.django_db
def test_admin_login(lambda_handler: Handler, admin_user: User) -> None:
    """Log in to the admin the way a browser does, through the handler."""
    response = lambda_handler(function_url_event(path="/admin/login/"), None)
    csrf_cookie = set_cookies(response)["csrftoken"]
    assert (csrf_cookie["secure"], csrf_cookie["samesite"]) == (True, "Lax")
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', response["body"]).group(1)
    fields = {"csrfmiddlewaretoken": token, "username": "admin", "password": "password"}

    response = lambda_handler(
        form_post(path="/admin/login/", fields=fields, csrf_cookie=csrf_cookie.value), None
    )
    assert response["statusCode"] == 302, response["body"]
    session_cookie = set_cookies(response)["sessionid"]
    assert (session_cookie["secure"], session_cookie["httponly"]) == (True, True)
    assert session_cookie["samesite"] == "Lax"

    # The session is the signed cookie itself; there is no session table to write to.
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_cookie.value)
    assert session.load()["_auth_user_id"] == str(admin_user.pk)
    assert "django_session" not in connection.introspection.table_names()


def test_a_post_from_another_function_url_fails_the_origin_check(
    lambda_handler: Handler, caplog: pytest.LogCaptureFixture
) -> None:
    other = f"https://someone-else.lambda-url.{FUNCTION_URL_HOST.split('.')[2]}.on.aws"
    event = function_url_event(method="POST", path="/admin/login/", headers={"origin": other})

    response = lambda_handler(event, None)

    assert response["statusCode"] == 403
    assert f"Origin checking failed - {other} does not match any trusted origins." in caplog.text


def test_forged_host_is_rejected(lambda_handler: Handler) -> None:
    response = lambda_handler(function_url_event(path="/", host="evil.example"), None)

    assert response == {
        "statusCode": 400,
        "headers": {**SECURITY_HEADERS, "content-type": "text/html; charset=utf-8"},
        "cookies": [],
        "isBase64Encoded": False,
        "body": response["body"],
    }
    assert "<h1>Bad Request (400)</h1>" in response["body"]


def test_an_event_that_is_no_function_url_request_raises_and_serving_goes_on(
    lambda_handler: Handler,
) -> None:
    with pytest.raises(KeyError):
        lambda_handler({"manage": ["migrate"]}, None)

    assert lambda_handler(function_url_event(path="/"), None)["statusCode"] == 200


def test_live_never_touches_the_database(lambda_handler: Handler) -> None:
    """No django_db mark: pytest-django fails any database access here."""
    response = lambda_handler(function_url_event(path="/live/"), None)

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok"}


SERVE_REQUESTS = """
import sys
from config.web_function import handler
from tests.events import function_url_event
for path in sys.argv[1:]:
    print(path, handler(function_url_event(path=path), None)["statusCode"])
# Imported on first use only: the SDK for uploads and email costs cold-start time.
print(sorted({name.split(".")[0] for name in sys.modules} & {"boto3", "anymail", "storages"}))
"""


def test_pages_write_nothing_to_disk_and_import_no_aws_sdk(tmp_path: Path) -> None:
    """After the build's collectstatic, serving requests leaves the project tree untouched."""
    project = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        **LAMBDA_ENVIRONMENT,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.aws_lambda",
        "PYTHONDONTWRITEBYTECODE": "1",  # as in the image, where bytecode is compiled at build
    }
    build = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(build, cwd=project, env=env, check=True)
    before = {path: path.stat().st_mtime_ns for path in project.rglob("*")}
    paths = ["/", "/health/", "/admin/login/", "/static/admin/css/base.css", "/missing/"]

    result = subprocess.run(
        [sys.executable, "-c", SERVE_REQUESTS, *paths],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.splitlines() == [
        "/ 200",
        "/health/ 200",
        "/admin/login/ 200",
        "/static/admin/css/base.css 200",
        "[WARNING] django.request: Not Found: /missing/",
        "/missing/ 404",
        "[]",
    ]
    assert {path: path.stat().st_mtime_ns for path in project.rglob("*")} == before
