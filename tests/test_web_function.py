"""The web function as Lambda runs it: the image `sam build` built, in Lambda's sandbox under
the Runtime Interface Emulator (tests/lambda_container.py), with template.yaml's command and
environment, static files collected by the Dockerfile's own build step, and a real Postgres
database."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest

from tests.helpers import DEFAULT_SLUG
from tests.lambda_container import Function, LambdaImage, Result, generated_events, parameters
from tests.postgres import fresh_database, silent_database, tables

ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def events(lambda_image: LambdaImage) -> ModuleType:
    return generated_events(lambda_image.project)


@pytest.fixture(scope="module")
def database_url(lambda_image: LambdaImage) -> Iterator[str]:
    """A fresh database, migrated, with an admin account."""
    with fresh_database() as url:
        env = {
            **lambda_image.environment("WebFunction", parameters(url)),
            "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
        }
        lambda_image.run("WebFunction", ["python", "manage.py", "migrate"], env)
        lambda_image.run(
            "WebFunction",
            [
                "python",
                "manage.py",
                "createsuperuser",
                "--noinput",
                "--username",
                "admin",
                "--email",
                "admin@example.com",
            ],
            env,
        )
        yield url


@pytest.fixture(scope="module")
def web(lambda_image: LambdaImage, database_url: str, events: ModuleType) -> Iterator[Function]:
    hosts = ",".join(
        [events.FUNCTION_URL_HOST, events.HTTP_API_HOST, events.REST_API_HOST, events.ALB_HOST]
    )
    with lambda_image.start("WebFunction", parameters(database_url, hosts)) as function:
        yield function


def ok(result: Result) -> dict[str, Any]:
    assert result.kind == "response", result.body
    return result.body


def set_cookies(response: dict[str, Any]) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response["cookies"]:
        jar.load(header.strip())
    return dict(jar)


def static_name(image: LambdaImage, name: str) -> str:
    """The hashed name collectstatic gave `name` when the image was built."""
    manifest = json.loads(image.read("WebFunction", "/app/staticfiles/staticfiles.json"))
    return manifest["paths"][name]


def login_form(web: Function, events: ModuleType) -> tuple[str, dict[str, str]]:
    """The login page's CSRF cookie, and the form fields filled in."""
    form = ok(web.invoke(events.function_url_event(path="/admin/login/", query="next=/admin/")))
    csrf = set_cookies(form)["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form["body"]).group(1)
    return csrf, {"csrfmiddlewaretoken": token, "username": "admin", "password": ADMIN_PASSWORD}


def log_in(web: Function, events: ModuleType, *, base64_body: bool = False, padding: int = 0):
    """The admin login a browser does; the session cookie."""
    csrf, fields = login_form(web, events)
    if padding:
        fields["padding"] = "x" * padding
    response = ok(
        web.invoke(
            events.function_url_event(
                method="POST",
                path="/admin/login/",
                query="next=/admin/",
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "origin": f"https://{events.FUNCTION_URL_HOST}",
                    "cookie": f"csrftoken={csrf}",
                },
                cookies=[f"csrftoken={csrf}"],
                body=urlencode({**fields, "next": "/admin/"}),
                base64_encoded=base64_body,
            )
        )
    )
    assert response["statusCode"] == 302, response["body"][:500]
    assert response["headers"]["location"] == "/admin/"
    return set_cookies(response)["sessionid"]


def test_home_page(web: Function, events: ModuleType) -> None:
    response = ok(web.invoke(events.function_url_event(path="/")))

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/html; charset=utf-8"
    assert "<h1>My Django App</h1>" in response["body"]


def test_static_css(web: Function, events: ModuleType, lambda_image: LambdaImage) -> None:
    css = static_name(lambda_image, f"{DEFAULT_SLUG}/css/site.css")

    response = ok(web.invoke(events.function_url_event(path=f"/static/{css}")))

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == 'text/css; charset="utf-8"'
    assert response["headers"]["cache-control"] == "max-age=315360000, public, immutable"
    assert "font-family" in response["body"]


def test_binary_response(web: Function, events: ModuleType, lambda_image: LambdaImage) -> None:
    logo = static_name(lambda_image, f"{DEFAULT_SLUG}/img/logo.png")

    response = ok(web.invoke(events.function_url_event(path=f"/static/{logo}")))

    assert response["isBase64Encoded"] is True
    assert response["headers"]["content-type"] == "image/png"
    source = lambda_image.read("WebFunction", f"/app/staticfiles/{logo}")
    assert base64.b64decode(response["body"]) == source


def test_admin_login_keeps_the_session_in_the_cookie(
    web: Function, events: ModuleType, database_url: str
) -> None:
    session = log_in(web, events)

    assert session["secure"] is True
    assert session["httponly"] is True
    dashboard = ok(
        web.invoke(
            events.function_url_event(path="/admin/", cookies=[f"sessionid={session.value}"])
        )
    )
    assert dashboard["statusCode"] == 200
    assert "Site administration" in dashboard["body"]
    assert "django_session" not in tables(database_url), "no session table to write to"


def test_base64_request_body(web: Function, events: ModuleType) -> None:
    assert log_in(web, events, base64_body=True).value


def test_body_over_one_megabyte(web: Function, events: ModuleType) -> None:
    assert log_in(web, events, padding=1_500_000).value


# Imported on first use only: the SDK for uploads and email costs cold-start time.
ON_FIRST_USE = ("boto3", "botocore", "s3transfer", "anymail", "storages")


def test_pages_import_no_aws_sdk(
    lambda_image: LambdaImage, database_url: str, events: ModuleType
) -> None:
    """A fresh web function serves / and the admin login without boto3, django-storages or
    anymail. Python's import log (-X importtime) lists each import made by an import
    statement (importlib.import_module's are not logged, but every module of these packages
    imports others with statements, so any use of them shows)."""
    with lambda_image.start(
        "WebFunction",
        parameters(database_url, events.FUNCTION_URL_HOST),
        extra_env={"PYTHONPROFILEIMPORTTIME": "1"},
    ) as fresh:
        assert ok(fresh.invoke(events.function_url_event(path="/")))["statusCode"] == 200
        login = fresh.invoke(events.function_url_event(path="/admin/login/"))
        assert ok(login)["statusCode"] == 200
        log = fresh.logs().splitlines()
    imported = {line.rsplit("|", 1)[1].strip() for line in log if line.startswith("import time:")}

    assert {"apig_wsgi", "django.contrib.admin.sites", "django.contrib.admin.forms"} <= imported
    assert sorted(name for name in imported if name.split(".")[0] in ON_FIRST_USE) == []


def test_forged_host(web: Function, events: ModuleType) -> None:
    response = ok(web.invoke(events.function_url_event(path="/", host="evil.example")))

    assert response["statusCode"] == 400


@pytest.mark.parametrize("factory", ["http_api_event", "rest_api_event", "alb_event"])
def test_api_gateway_and_alb_events(web: Function, events: ModuleType, factory: str) -> None:
    response = ok(web.invoke(getattr(events, factory)(path="/", query="a=1&a=2")))

    assert response["statusCode"] == 200
    body = response["body"]
    assert "<h1>My Django App</h1>" in body


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"version": "9.9"},
        {"version": "2.0", "rawPath": "/", "rawQueryString": "", "headers": {}},
        "not an object",
        "bad-base64",
        ("headers", None),
        ("cookies", [1]),
        ("body", {"a": 1}),
        ("requestContext", {"http": {"method": None}}),
    ],
    ids=[
        "empty",
        "unknown-version",
        "missing-fields",
        "not-an-object",
        "bad-base64",
        "null-headers",
        "cookies-not-strings",
        "body-not-a-string",
        "null-method",
    ],
)
def test_events_that_are_not_http_are_refused_and_serving_goes_on(
    web: Function, events: ModuleType, event: Any
) -> None:
    if event == "bad-base64":
        event = events.function_url_event(method="POST", path="/", body="ignored")
        event.update(body="abc", isBase64Encoded=True)
    elif isinstance(event, tuple):  # a Function URL request with one field of the wrong type
        field, value = event
        event = {**events.function_url_event(method="POST", path="/"), field: value}

    result = web.invoke(event)

    assert result.kind == "error"
    assert result.body["errorType"] == "InvalidEvent"
    assert result.body["errorMessage"].startswith(
        "Not an HTTP event from a Function URL, API Gateway or ALB: "
    )
    assert ok(web.invoke(events.function_url_event(path="/")))["statusCode"] == 200
    assert len(web.init_durations()) == 1, "the same runtime serves on, never started again"


def test_an_exception_in_a_view_is_a_500_and_serving_goes_on(
    web: Function, events: ModuleType, database_url: str
) -> None:
    session = log_in(web, events)
    dashboard = events.function_url_event(path="/admin/", cookies=[f"sessionid={session.value}"])
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE users_user RENAME TO users_user_away")
        try:
            failed = ok(web.invoke(dashboard))
        finally:
            connection.execute("ALTER TABLE users_user_away RENAME TO users_user")

    assert failed["statusCode"] == 500
    assert "users_user" not in failed["body"], "no debug page: DEBUG is off"
    assert ok(web.invoke(dashboard))["statusCode"] == 200
    assert 'relation "users_user" does not exist' in web.logs()
    assert len(web.init_durations()) == 1, "the same runtime serves on, never started again"


def test_text_outside_latin_1_is_answered(web: Function, events: ModuleType) -> None:
    """PEP 3333 forbids such text in the environ; it reaches Django decoded, or not found."""
    odd_cookie = events.function_url_event(path="/", cookies=["csrftoken=caf€", "x=\ud800"])
    odd_path = events.function_url_event(path="/€")
    odd_query = events.function_url_event(path="/admin/login/", query="next=/€")

    assert ok(web.invoke(odd_cookie))["statusCode"] == 200
    assert ok(web.invoke(odd_path))["statusCode"] == 404
    assert ok(web.invoke(odd_query))["statusCode"] == 200


def test_an_alb_keeps_every_cookie_of_a_login(web: Function, events: ModuleType) -> None:
    csrf, fields = login_form(web, events)
    login = events.alb_event(
        method="POST",
        path="/admin/login/",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "origin": f"https://{events.ALB_HOST}",
            "cookie": f"csrftoken={csrf}",
        },
    )
    login["body"] = urlencode(fields)

    response = ok(web.invoke(login))

    assert response["statusCode"] == 302
    names = [value.strip().split("=")[0] for value in response["multiValueHeaders"]["Set-Cookie"]]
    assert sorted(names) == ["csrftoken", "sessionid"], "the rotated CSRF cookie and the session"


def test_a_database_that_never_answers(lambda_image: LambdaImage, events: ModuleType) -> None:
    """/health/ answers 503 once the connect timeout (1 s, from the URL) ends the wait;
    /live/ never touches the database, for GET and HEAD."""
    with (
        silent_database() as url,
        lambda_image.start("WebFunction", parameters(f"{url}?connect_timeout=1")) as web,
    ):
        health = ok(web.invoke(events.function_url_event(path="/health/"), timeout=30))
        live = ok(web.invoke(events.function_url_event(path="/live/")))
        head = ok(web.invoke(events.function_url_event(method="HEAD", path="/live/")))

    assert health["statusCode"] == 503
    assert json.loads(health["body"]) == {"status": "error", "database": "unavailable"}
    assert live["statusCode"] == head["statusCode"] == 200
