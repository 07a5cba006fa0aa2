"""The web function's wiring as Lambda runs it: the image `sam build` built, in Lambda's sandbox
under the Runtime Interface Emulator (tests/lambda_container.py), with template.yaml's command
and environment, static files collected by the Dockerfile's own build step, and a real Postgres
database. What the handler does with each request is the generated project's own tests' work."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import DEFAULT_SLUG
from tests.lambda_container import (
    Function,
    LambdaImage,
    Result,
    generated_events,
    web_function_with_admin,
)

ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def events(lambda_image: LambdaImage) -> ModuleType:
    return generated_events(lambda_image.project)


@pytest.fixture(scope="module")
def web(lambda_image: LambdaImage, events: ModuleType) -> Iterator[Function]:
    with web_function_with_admin(lambda_image, events.FUNCTION_URL_HOST, ADMIN_PASSWORD) as web:
        yield web


def ok(result: Result) -> dict[str, Any]:
    assert result.kind == "response", result.body
    return result.body


def set_cookies(response: dict[str, Any]) -> dict[str, Any]:
    jar: SimpleCookie = SimpleCookie()
    for header in response["cookies"]:
        jar.load(header.strip())
    return dict(jar)


def test_home_page(web: Function, events: ModuleType) -> None:
    response = ok(web.invoke(events.function_url_event(path="/")))

    assert response["statusCode"] == 200
    assert "<h1>My Django App</h1>" in response["body"]


def test_static_files(web: Function, events: ModuleType, lambda_image: LambdaImage) -> None:
    """Collected, with hashed names, when the image was built."""
    manifest = json.loads(lambda_image.read("WebFunction", "/app/staticfiles/staticfiles.json"))
    logo = manifest["paths"][f"{DEFAULT_SLUG}/img/logo.png"]

    response = ok(web.invoke(events.function_url_event(path=f"/static/{logo}")))

    assert response["statusCode"] == 200
    assert response["headers"]["cache-control"] == "max-age=315360000, public, immutable"
    source = lambda_image.read("WebFunction", f"/app/staticfiles/{logo}")
    assert base64.b64decode(response["body"]) == source


def test_admin_login(web: Function, events: ModuleType) -> None:
    form = ok(web.invoke(events.function_url_event(path="/admin/login/")))
    csrf_cookie = set_cookies(form)["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', form["body"]).group(1)
    fields = {"csrfmiddlewaretoken": token, "username": "admin", "password": ADMIN_PASSWORD}

    login = ok(
        web.invoke(events.form_post(path="/admin/login/", fields=fields, csrf_cookie=csrf_cookie))
    )
    session = f"sessionid={set_cookies(login)['sessionid'].value}"
    dashboard = ok(web.invoke(events.function_url_event(path="/admin/", cookies=[session])))

    assert login["statusCode"] == 302
    assert dashboard["statusCode"] == 200
    assert "Site administration" in dashboard["body"]


def test_forged_host(web: Function, events: ModuleType) -> None:
    response = ok(web.invoke(events.function_url_event(path="/", host="evil.example")))

    assert response["statusCode"] == 400


def test_a_malformed_invoke_is_an_error_and_serving_goes_on(
    web: Function, events: ModuleType
) -> None:
    result = web.invoke({"manage": ["showmigrations"]})

    assert result.kind == "error"
    assert result.body["errorType"] == "KeyError"
    assert ok(web.invoke(events.function_url_event(path="/")))["statusCode"] == 200
    assert len(web.init_durations()) == 1, "the same runtime serves on, never started again"
