"""The Lambda handler under the Lambda settings, fed the events AWS sends."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.utils.html import escape

from config.web_function import Handler, InvalidEvent
from tests.environment import LAMBDA_ENVIRONMENT, load_lambda_settings
from tests.events import (
    ALB_HOST,
    FUNCTION_URL_HOST,
    HTTP_API_HOST,
    REST_API_HOST,
    SOURCE_IP,
    alb_event,
    function_url_event,
    http_api_event,
    rest_api_event,
)
from users.models import User

APP = "{{ cookiecutter.project_slug }}"
APP_STATIC = Path(__file__).resolve().parent.parent / APP / "static" / APP
SECURITY_HEADERS = {
    "cross-origin-opener-policy": "same-origin",
    "referrer-policy": "same-origin",
    "strict-transport-security": "max-age=3600; includeSubDomains",
    "x-content-type-options": "nosniff",
}


def body_json(response: dict[str, Any]) -> Any:
    assert response["isBase64Encoded"] is False
    return json.loads(response["body"])


def set_cookies(response: dict[str, Any]) -> dict[str, Any]:
    """The cookies a v2 response sets, by name."""
    jar: SimpleCookie = SimpleCookie()
    for header in response["cookies"]:
        jar.load(header.strip())
    return dict(jar)


def test_home_page(lambda_handler: Handler) -> None:
    response = lambda_handler(function_url_event(path="/"), None)

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/html; charset=utf-8"
    assert response["isBase64Encoded"] is False
    name = apps.get_app_config(APP).verbose_name
    assert f"<h1>{escape(name)}</h1>" in response["body"]
    css = staticfiles_storage.stored_name(f"{APP}/css/site.css")
    assert re.fullmatch(rf"{APP}/css/site\.[0-9a-f]+\.css", css)
    assert f'href="/static/{css}"' in response["body"]


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


def test_static_css(lambda_handler: Handler) -> None:
    css = staticfiles_storage.stored_name(f"{APP}/css/site.css")

    response = lambda_handler(function_url_event(path=f"/static/{css}"), None)

    source = APP_STATIC / "css" / "site.css"
    assert response == {
        "statusCode": 200,
        "headers": {
            **SECURITY_HEADERS,
            "access-control-allow-origin": "*",
            "cache-control": "max-age=315360000, public, immutable",
            "content-length": str(source.stat().st_size),
            "content-type": 'text/css; charset="utf-8"',
            "etag": response["headers"]["etag"],
            "last-modified": response["headers"]["last-modified"],
            "vary": "Accept-Encoding",
        },
        "cookies": [],
        "isBase64Encoded": False,
        "body": source.read_text(),
    }


def test_static_css_compressed(lambda_handler: Handler) -> None:
    css = staticfiles_storage.stored_name(f"{APP}/css/site.css")

    response = lambda_handler(
        function_url_event(path=f"/static/{css}", headers={"accept-encoding": "gzip"}), None
    )

    assert response["statusCode"] == 200
    assert response["headers"]["content-encoding"] == "gzip"
    assert response["isBase64Encoded"] is True
    source = APP_STATIC / "css" / "site.css"
    assert gzip.decompress(base64.b64decode(response["body"])) == source.read_bytes()


def test_static_missing(lambda_handler: Handler) -> None:
    response = lambda_handler(function_url_event(path="/static/nothing-here.css"), None)

    assert response["statusCode"] == 404


@pytest.mark.parametrize("make_event", [function_url_event, rest_api_event, alb_event])
def test_binary_response_is_base64(lambda_handler: Handler, lambda_settings, make_event) -> None:
    lambda_settings.ALLOWED_HOSTS = [FUNCTION_URL_HOST, REST_API_HOST, ALB_HOST]
    logo = staticfiles_storage.stored_name(f"{APP}/img/logo.png")

    response = lambda_handler(make_event(path=f"/static/{logo}"), None)

    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    source = APP_STATIC / "img" / "logo.png"
    assert base64.b64decode(response["body"]) == source.read_bytes()


@pytest.mark.django_db
def test_admin_login(lambda_handler: Handler, admin_user: User) -> None:
    """Log in to the admin the way a browser does, through the handler."""
    response = lambda_handler(function_url_event(path="/admin/"), None)
    assert response["statusCode"] == 302
    assert response["headers"]["location"] == "/admin/login/?next=/admin/"

    response = lambda_handler(function_url_event(path="/admin/login/", query="next=/admin/"), None)
    assert response["statusCode"] == 200
    csrf_cookie = set_cookies(response)["csrftoken"]
    assert csrf_cookie["secure"] is True
    assert csrf_cookie["samesite"] == "Lax"
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response["body"])
    assert form_token

    # A Function URL sends the cookies in the cookies array and, sometimes, a Cookie header.
    cookie = f"csrftoken={csrf_cookie.value}"
    response = lambda_handler(
        function_url_event(
            method="POST",
            path="/admin/login/",
            query="next=/admin/",
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "origin": f"https://{FUNCTION_URL_HOST}",
                "referer": f"https://{FUNCTION_URL_HOST}/admin/login/?next=/admin/",
                "cookie": cookie,
            },
            cookies=[cookie],
            body=urlencode(
                {
                    "csrfmiddlewaretoken": form_token.group(1),
                    "username": "admin",
                    "password": "password",
                    "next": "/admin/",
                }
            ),
        ),
        None,
    )
    assert response["statusCode"] == 302, response["body"]
    assert response["headers"]["location"] == "/admin/"
    session_cookie = set_cookies(response)["sessionid"]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"

    # The session is the signed cookie itself; there is no session table to write to.
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_cookie.value)
    assert session.load()["_auth_user_id"] == str(admin_user.pk)
    assert "django_session" not in connection.introspection.table_names()

    response = lambda_handler(
        function_url_event(path="/admin/", cookies=[cookie, f"sessionid={session_cookie.value}"]),
        None,
    )
    assert response["statusCode"] == 200
    assert "Site administration" in response["body"]
    assert "<strong>admin</strong>" in response["body"]


def test_forged_host_is_rejected(lambda_handler: Handler) -> None:
    response = lambda_handler(function_url_event(path="/", host="evil.example"), None)

    assert response == {
        "statusCode": 400,
        "headers": {**SECURITY_HEADERS, "content-type": "text/html; charset=utf-8"},
        "cookies": [],
        "isBase64Encoded": False,
        "body": response["body"],
    }
    assert "Bad Request (400)" in response["body"]


@pytest.mark.parametrize("make_event", [rest_api_event, alb_event])
def test_forged_host_is_rejected_behind_api_gateway_and_alb(
    lambda_handler: Handler, make_event
) -> None:
    response = lambda_handler(make_event(path="/", headers={"host": "evil.example"}), None)

    assert response["statusCode"] == 400


@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize(
    ("make_event", "host"),
    [
        (function_url_event, FUNCTION_URL_HOST),
        (http_api_event, HTTP_API_HOST),
        (rest_api_event, REST_API_HOST),
        (alb_event, ALB_HOST),
    ],
)
def test_request_reaches_django(
    lambda_handler: Handler, lambda_settings, make_event, host: str, monkeypatch
) -> None:
    """Every event type: path, repeated query keys, host, HTTPS and client address."""
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", f"{FUNCTION_URL_HOST}, {host}")
    lambda_settings.ALLOWED_HOSTS = load_lambda_settings()["ALLOWED_HOSTS"]

    response = lambda_handler(make_event(path="/echo/", query="tag=a&tag=b&q=x+y"), None)

    assert response["statusCode"] == 200
    assert body_json(response) == {
        "method": "GET",
        "path": "/echo/",
        "query": {"tag": ["a", "b"], "q": ["x y"]},
        "cookie_header": "",
        "cookies": {},
        "host": host,
        "is_secure": True,
        "remote_addr": SOURCE_IP,
        "body": "",
    }


@pytest.mark.urls("tests.urls")
def test_cookie_sent_twice_reaches_django_once(lambda_handler: Handler) -> None:
    event = function_url_event(
        path="/echo/", cookies=["a=1", "b=2"], headers={"cookie": "a=1; b=2"}
    )

    response = lambda_handler(event, None)

    assert body_json(response)["cookie_header"] == "a=1;b=2"
    assert body_json(response)["cookies"] == {"a": "1", "b": "2"}


@pytest.mark.urls("tests.urls")
def test_base64_request_body(lambda_handler: Handler) -> None:
    event = function_url_event(
        method="POST",
        path="/echo/",
        headers={"content-type": "text/plain"},
        body="héllo",
        base64_encoded=True,
    )

    response = lambda_handler(event, None)

    assert body_json(response)["body"] == "héllo"


@pytest.fixture
def every_event_host(lambda_settings) -> None:
    lambda_settings.ALLOWED_HOSTS = [FUNCTION_URL_HOST, HTTP_API_HOST, REST_API_HOST, ALB_HOST]


@pytest.mark.urls("tests.urls")
def test_a_cookie_only_in_the_header_survives(lambda_handler: Handler) -> None:
    event = function_url_event(
        path="/echo/", cookies=["a=1"], headers={"cookie": "a=1; only_here=2"}
    )

    response = lambda_handler(event, None)

    assert body_json(response)["cookies"] == {"a": "1", "only_here": "2"}


@pytest.mark.usefixtures("every_event_host")
@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (function_url_event(path="/echo/", cookies=["name=caf€"]), {"cookies": {"name": "caf€"}}),
        (
            function_url_event(path="/echo/", headers={"cookie": "odd=caf€; theme=dark"}),
            {"cookies": {"odd": "caf€", "theme": "dark"}},
        ),
        (function_url_event(path="/echo/", query="next=€"), {"query": {"next": ["€"]}}),
        (function_url_event(path="/echo/", query="q=\ud800"), {"query": {"q": ["\ufffd"]}}),
        (rest_api_event(path="/echo/", query="next=€"), {"query": {"next": ["€"]}}),
        (alb_event(path="/echo/", query="next=é"), {"query": {"next": ["é"]}}),
        (
            rest_api_event(path="/echo/", headers={"Cookie": "name=café"}),
            {"cookies": {"name": "café"}},
        ),
    ],
    ids=[
        "v2-cookie",
        "v2-cookie-header",
        "v2-query",
        "v2-surrogate",
        "v1-query",
        "alb-query",
        "v1-cookie",
    ],
)
def test_text_outside_latin_1_reaches_django_decoded(
    lambda_handler: Handler, event: dict[str, Any], expected: dict[str, Any]
) -> None:
    """PEP 3333: environ strings hold bytes as Latin-1; apig-wsgi passes event text as is."""
    response = lambda_handler(event, None)

    assert response["statusCode"] == 200
    echoed = body_json(response)
    assert {key: echoed[key] for key in expected} == expected


@pytest.mark.parametrize("path", ["/€", "/caf%C3%A9/", "/\udc80", "/%FF"])
def test_odd_paths_are_not_found(lambda_handler: Handler, path: str) -> None:
    assert lambda_handler(function_url_event(path=path), None)["statusCode"] == 404


def test_an_odd_cookie_does_not_break_pages(lambda_handler: Handler) -> None:
    event = function_url_event(path="/", cookies=["csrftoken=€€€", "sessionid=\ud800"])

    assert lambda_handler(event, None)["statusCode"] == 200


@pytest.mark.usefixtures("every_event_host")
@pytest.mark.urls("tests.urls")
@pytest.mark.parametrize("make_event", [rest_api_event, alb_event, function_url_event])
def test_remote_addr_is_the_address_aws_saw(lambda_handler: Handler, make_event) -> None:
    """A client can write X-Forwarded-For; AWS appends (v1, ALB) or reports (v2) its own."""
    forged = {"x-forwarded-for": f"203.0.113.66, {SOURCE_IP}"}

    response = lambda_handler(make_event(path="/echo/", headers=forged), None)

    assert body_json(response)["remote_addr"] == SOURCE_IP


@pytest.mark.usefixtures("every_event_host")
@pytest.mark.urls("tests.urls")
def test_remote_addr_behind_rest_api_is_its_source_ip(lambda_handler: Handler) -> None:
    event = rest_api_event(path="/echo/", headers={"X-Forwarded-For": "203.0.113.66"})
    event["requestContext"]["identity"]["sourceIp"] = "192.0.2.10"

    assert body_json(lambda_handler(event, None))["remote_addr"] == "192.0.2.10"


@pytest.mark.usefixtures("every_event_host")
@pytest.mark.urls("tests.urls")
def test_alb_keeps_every_set_cookie(lambda_handler: Handler) -> None:
    response = lambda_handler(alb_event(path="/two-cookies/"), None)

    set_cookie = response["multiValueHeaders"]["Set-Cookie"]
    assert [value.split(";")[0].strip() for value in set_cookie] == [
        "first=1",
        "second=2",
    ]


def test_alb_without_multi_value_headers_is_refused(lambda_handler: Handler) -> None:
    event = alb_event(path="/")
    event["headers"] = {name: values[-1] for name, values in event.pop("multiValueHeaders").items()}

    with pytest.raises(InvalidEvent, match=r"lambda\.multi_value_headers\.enabled"):
        lambda_handler(event, None)


def set_field(event: dict[str, Any], field: str, value: object) -> dict[str, Any]:
    *parents, name = field.split(".")
    target = event
    for key in parents:
        target = target[key]
    target[name] = value
    return event


@pytest.mark.parametrize(
    ("make_event", "field", "value", "problem"),
    [
        (function_url_event, "headers", None, "a 2.0 event needs headers"),
        (function_url_event, "headers", ["host"], "headers must be an object of strings"),
        (function_url_event, "headers", "host: x", "headers must be an object of strings"),
        (function_url_event, "headers", {"host": 1}, "headers must be an object of strings"),
        (function_url_event, "rawPath", None, "a 2.0 event needs rawPath"),
        (function_url_event, "rawQueryString", 3, "rawQueryString must be a string"),
        (function_url_event, "cookies", [1], "cookies must be a list of strings"),
        (function_url_event, "cookies", "a=1", "cookies must be a list of strings"),
        (function_url_event, "body", {"a": 1}, "body must be a string"),
        (function_url_event, "isBase64Encoded", "yes", "isBase64Encoded must be true or false"),
        (function_url_event, "requestContext.http.method", None, "needs requestContext.http"),
        (function_url_event, "requestContext.http", "GET", "needs requestContext.http.method"),
        (rest_api_event, "httpMethod", None, "a 1.0 event needs httpMethod"),
        (rest_api_event, "queryStringParameters", "a=1", "queryStringParameters must be an"),
        (rest_api_event, "multiValueHeaders", {"Host": "x"}, "multiValueHeaders must be an"),
        (rest_api_event, "requestContext.identity", None, "identity.sourceIp"),
        (alb_event, "path", 7, "path must be a string"),
        (alb_event, "multiValueQueryStringParameters", {"a": "1"}, "must be an object of lists"),
    ],
)
def test_fields_of_the_wrong_type_are_invalid_events(
    lambda_handler: Handler, make_event, field: str, value: object, problem: str
) -> None:
    event = set_field(make_event(path="/"), field, value)

    with pytest.raises(InvalidEvent, match=re.escape(problem)):
        lambda_handler(event, None)


def test_a_base64_body_that_is_not_ascii_is_an_invalid_event(lambda_handler: Handler) -> None:
    event = function_url_event(method="POST", path="/", body="ignored")
    event.update(body="€€€€", isBase64Encoded=True)

    with pytest.raises(InvalidEvent, match="the body is not base64"):
        lambda_handler(event, None)


def test_a_post_from_another_function_url_fails_the_origin_check(
    lambda_handler: Handler, caplog: pytest.LogCaptureFixture
) -> None:
    other = f"https://someone-else.lambda-url.{FUNCTION_URL_HOST.split('.')[2]}.on.aws"
    event = function_url_event(method="POST", path="/admin/login/", headers={"origin": other})

    response = lambda_handler(event, None)

    assert response["statusCode"] == 403
    assert f"Origin checking failed - {other} does not match any trusted origins." in caplog.text


def test_head_has_the_headers_of_get_and_no_body(lambda_handler: Handler) -> None:
    get = lambda_handler(function_url_event(path="/"), None)
    head = lambda_handler(function_url_event(method="HEAD", path="/"), None)

    assert head["statusCode"] == 200
    assert head["headers"]["content-length"] == get["headers"]["content-length"]
    assert head["body"] == ""


def test_live_never_touches_the_database(lambda_handler: Handler) -> None:
    """No django_db mark: pytest-django fails any database access here."""
    response = lambda_handler(function_url_event(path="/live/"), None)

    assert response["statusCode"] == 200
    assert body_json(response) == {"status": "ok"}
    assert "no-cache" in response["headers"]["cache-control"]


SERVE_REQUESTS = """
import sys
from config.web_function import handler
from tests.events import function_url_event
for path in sys.argv[1:]:
    print(path, handler(function_url_event(path=path), None)["statusCode"])
"""


def test_requests_write_nothing_to_disk(tmp_path: Path) -> None:
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
    ]
    assert {path: path.stat().st_mtime_ns for path in project.rglob("*")} == before


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({}, "a 1.0 event needs httpMethod"),
        ([], "expected a JSON object, got list"),
        ({"version": "3.0"}, "unknown payload version '3.0'"),
        (
            {"version": "2.0", "rawPath": "/", "rawQueryString": "", "headers": {}},
            "a 2.0 event needs requestContext.http.method",
        ),
        ({"requestContext": {"elb": {}}, "httpMethod": "GET"}, "a alb event needs path"),
    ],
)
def test_events_that_are_not_http_requests_are_refused(
    lambda_handler: Handler, event: Any, problem: str
) -> None:
    with pytest.raises(InvalidEvent) as refused:
        lambda_handler(event, None)

    prefix = "Not an HTTP event from a Function URL, API Gateway or ALB"
    assert str(refused.value) == f"{prefix}: {problem}"
    assert lambda_handler(function_url_event(path="/"), None)["statusCode"] == 200


def test_bad_base64_body_is_refused(lambda_handler: Handler) -> None:
    event = function_url_event(method="POST", path="/", body="abc")
    event["isBase64Encoded"] = True

    with pytest.raises(InvalidEvent, match="isBase64Encoded is true but the body is not base64"):
        lambda_handler(event, None)
