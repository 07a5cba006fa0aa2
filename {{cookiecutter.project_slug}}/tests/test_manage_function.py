"""The manage function's handler: migrations, resets and what it refuses."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from config.manage_function import handler
from config.remote_commands import InvocationFailed
from tests.events import function_url_event

pytestmark = pytest.mark.usefixtures("keep_test_connection")


def failure(event: object) -> dict:
    with pytest.raises(InvocationFailed) as raised:
        handler(event, None)
    assert json.loads(str(raised.value)) == raised.value.result, "the message is the result"
    return raised.value.result


@pytest.mark.django_db
def test_an_empty_event_migrates() -> None:
    result = handler({}, None)

    assert result["command"] == ["migrate"]
    assert result["exit_status"] == 0
    assert "No migrations to apply." in result["stdout"]
    if connection.vendor == "postgresql":
        assert "Waiting for the migrations lock" in result["stdout"]


@pytest.mark.django_db
@pytest.mark.parametrize("confirmation", [True, "yes", "other_database", None])
def test_reset_needs_the_database_name(confirmation: object) -> None:
    Group.objects.create(name="kept")
    database = connection.settings_dict["NAME"]

    result = failure({"reset_database": confirmation})

    assert result["exit_status"] == 2
    reason = f'"reset_database" must be its name, {database!r}. Nothing was changed.'
    assert reason in result["stderr"]
    assert Group.objects.filter(name="kept").exists()


@pytest.mark.parametrize(
    "event",
    [
        {"reset_database": "db", "manage": ["check"]},
        {"reset_database": "db", "environment": {}},
    ],
)
def test_a_reset_combined_with_anything_is_refused(event: dict) -> None:
    """No database access is allowed here: nothing ran."""
    result = failure(event)

    assert result["exit_status"] == 2
    assert result["stderr"] == 'A reset runs on its own: send {"reset_database": ...} alone.\n'


@pytest.mark.parametrize(
    "event",
    [
        function_url_event(path="/"),
        {"environment": {"DJANGO_SUPERUSER_PASSWORD": "x"}},
        {"migrate": True},
        ["manage", "check"],
        "migrate",
    ],
)
def test_anything_else_is_refused(event: object) -> None:
    result = failure(event)

    assert result == {
        "command": [],
        "exit_status": 2,
        "stdout": "",
        "stderr": 'Expected {}, {"reset_database": "<database name>"} or {"manage": [...]}; '
        "this function runs migrations and management commands, not web requests.\n",
    }
