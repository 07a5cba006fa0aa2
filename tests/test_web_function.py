"""The web function's wiring as Lambda runs it: the image `sam build` built, in Lambda's sandbox
under the Runtime Interface Emulator (tests/lambda_container.py), with template.yaml's command
and environment, static files collected by the Dockerfile's own build step, and a real Postgres
database. What the handler does with each request is the generated project's own tests' work."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from benchmarks.in_process import RuntimeAPI
from tests.helpers import DEFAULT_SLUG, POSTGRES_URL
from tests.lambda_container import (
    Function,
    LambdaImage,
    Result,
    csrf_token,
    generated_events,
    parameters,
    set_cookies,
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
    csrf_cookie = set_cookies(form)["csrftoken"]
    fields = {
        "csrfmiddlewaretoken": csrf_token(form),
        "username": "admin",
        "password": ADMIN_PASSWORD,
    }

    login = ok(
        web.invoke(events.form_post(path="/admin/login/", fields=fields, csrf_cookie=csrf_cookie))
    )
    session = f"sessionid={set_cookies(login)['sessionid']}"
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


def test_the_image_takes_part_in_snapstart_without_a_label(
    lambda_image: LambdaImage, events: ModuleType
) -> None:
    """Started as Lambda starts it to take a snapshot, the image's runtime client runs the
    before-snapshot hooks and asks the Runtime API for /restore/next (Lambda publishes no
    SnapStart version of an image that neither does so nor has the
    com.amazonaws.lambda.feature.snapstart label); answered, it runs the after-restore hooks
    and serves. Lambda's snapshot and restore themselves cannot run here (nor under the
    emulator): the generated project's tests show what the hooks undo."""
    name = f"lambda-test-snapstart-{uuid.uuid4().hex[:8]}"
    with RuntimeAPI() as runtime_api:
        env = {
            **lambda_image.environment("WebFunction", parameters(POSTGRES_URL)),
            "DJANGO_ALLOWED_HOSTS": events.FUNCTION_URL_HOST,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
            "AWS_LAMBDA_RUNTIME_API": runtime_api.address,
        }
        command = ["docker", "run", "--rm", "--name", name, "--network=host"]
        runtime_api.process = subprocess.Popen(
            [
                *command,
                *lambda_image.sandbox("WebFunction", env),
                lambda_image.image("WebFunction"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert runtime_api.snapshot.wait(60), "the runtime never asked for /restore/next"
            runtime_api.restored.set()
            result = runtime_api.invoke(events.function_url_event(path="/"), timeout=60)
        finally:
            subprocess.run(["docker", "rm", "--force", name], capture_output=True, check=False)
            runtime_api.process.wait()

    assert ok(result)["statusCode"] == 200
