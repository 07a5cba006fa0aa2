"""The manage function as Lambda runs it: the built image with template.yaml's command, in
Lambda's sandbox under the Runtime Interface Emulator, a real Postgres database. Only the
wiring: the generated project's tests/test_manage_function.py tests what the handler does."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.lambda_container import Function, LambdaImage, parameters
from tests.postgres import fresh_database, tables


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def function(lambda_image: LambdaImage, database_url: str) -> Iterator[Function]:
    with lambda_image.start("ManageFunction", parameters(database_url)) as function:
        yield function


def test_an_empty_event_migrates_a_fresh_database(function: Function, database_url: str) -> None:
    untouched = tables(database_url)

    migrated = function.invoke({})

    assert untouched == set(), "the cold start touches no database"
    assert migrated.kind == "response", migrated.body
    assert "Applying auth.0001_initial... OK" in migrated.body["stdout"]
    assert {"django_migrations", "users_user"} <= tables(database_url)


def test_the_scheduled_check_runs_and_passes(lambda_image: LambdaImage, function: Function) -> None:
    """template.yaml's daily `check --deploy`, as EventBridge Scheduler sends it: the deployed
    settings draw no warning, so it stays quiet until one appears."""
    events = lambda_image.template["Resources"]["ManageFunction"]["Properties"]["Events"]
    event = json.loads(events["DailyDeployCheck"]["Properties"]["Input"])

    checked = function.invoke(event)

    assert checked.kind == "response", checked.body
    assert checked.body["stdout"].startswith("System check identified no issues"), checked.body


def test_a_refusal_fails_the_invocation(function: Function) -> None:
    """The one error shape: InvocationFailed, its message the Result as JSON."""
    refused = function.invoke({"manage": ["shell", "-c", "print(1)"]})

    assert refused.kind == "error", refused.body
    assert refused.body["errorType"] == "InvocationFailed"
    result = json.loads(refused.body["errorMessage"])
    assert result["exit_status"] == 2
    assert result["stderr"].startswith("'shell' may not run remotely.")
