"""Management commands through the migrations function's handler."""

from __future__ import annotations

import json
import os

import pytest
from django.contrib.auth.models import User

from config.aws_lambda_manage import CommandFailed, CommandRefused, run_command
from config.aws_lambda_migrations import UnknownEvent, handler
from tests.events import function_url_event

# REMOTE_MANAGEMENT_COMMANDS is a Lambda setting.
pytestmark = pytest.mark.usefixtures("lambda_settings")


@pytest.mark.django_db
def test_an_allowed_command_returns_its_output() -> None:
    result = handler({"manage": ["showmigrations", "auth"]}, None)

    assert result["command"] == ["showmigrations", "auth"]
    assert result["exit_status"] == 0
    assert "[X] 0001_initial" in result["stdout"]
    assert result["stderr"] == ""


@pytest.mark.django_db
def test_a_failing_command_fails_with_its_output() -> None:
    with pytest.raises(CommandFailed) as failure:
        run_command(["migrate", "no_such_app"])

    result = json.loads(str(failure.value))
    assert result["exit_status"] == 1
    assert "No installed app with label 'no_such_app'." in result["stderr"]


@pytest.mark.parametrize("command", [["flush"], ["shell", "-c", "print(1)"], ["dbshell"]])
def test_commands_off_the_allowlist_are_refused(command: list[str]) -> None:
    with pytest.raises(CommandRefused, match="REMOTE_MANAGEMENT_COMMANDS allows: check, "):
        run_command(command)


@pytest.mark.parametrize(
    "request_",
    [
        {"manage": "showmigrations"},
        {"manage": []},
        {"manage": ["showmigrations", 3]},
        {"manage": ["check"], "environment": {"PATH": "/tmp"}},
    ],
)
def test_malformed_requests_are_refused(request_: dict) -> None:
    with pytest.raises(CommandRefused):
        handler(request_, None)


@pytest.mark.django_db
def test_createsuperuser_without_a_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    result = run_command(
        ["createsuperuser", "--username", "ops", "--email", "ops@example.com"],
        {"DJANGO_SUPERUSER_PASSWORD": "a long and unusual passphrase"},
    )

    assert result["stdout"] == "Superuser created successfully.\n"
    assert User.objects.get(username="ops").check_password("a long and unusual passphrase")
    assert "DJANGO_SUPERUSER_PASSWORD" not in os.environ, "restored afterwards"


def test_web_requests_are_not_management_requests() -> None:
    with pytest.raises(UnknownEvent, match="not web requests"):
        handler(function_url_event(path="/"), None)
