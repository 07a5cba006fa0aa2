"""Management commands through the manage function's handler."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from config.manage_function import handler
from config.remote_commands import InvocationFailed
from users.models import User

# REMOTE_MANAGEMENT_COMMANDS is a Lambda setting.
pytestmark = pytest.mark.usefixtures("lambda_settings", "keep_test_connection")
PASSWORD = "a long and unusual passphrase"


def manage(*argv: str, **fields: object) -> dict:
    return handler({"manage": list(argv), **fields}, None)


def failure(*argv: str, **fields: object) -> dict:
    with pytest.raises(InvocationFailed) as raised:
        manage(*argv, **fields)
    return raised.value.result


@pytest.mark.django_db
def test_an_allowed_command_returns_its_output() -> None:
    result = manage("showmigrations", "auth")

    assert result["command"] == ["showmigrations", "auth"]
    assert result["exit_status"] == 0
    assert "[X] 0001_initial" in result["stdout"]
    assert result["stderr"] == ""


@pytest.mark.django_db
def test_a_failing_command_fails_with_its_output() -> None:
    result = failure("migrate", "no_such_app")

    assert result["exit_status"] == 1
    assert "No installed app with label 'no_such_app'." in result["stderr"]


@pytest.mark.parametrize(
    ("argv", "exit_status", "output"),
    [
        (["check", "--help"], 0, "usage: manage.py check"),
        (["showmigrations", "-h"], 0, "usage: manage.py showmigrations"),
        (["check", "--version"], 0, "5.2"),
    ],
)
def test_help_and_version_are_answered(argv: list[str], exit_status: int, output: str) -> None:
    """argparse exits after printing them: SystemExit, which must not end the process."""
    result = manage(*argv)

    assert result["exit_status"] == exit_status
    assert result["stdout"].startswith(output)


def test_a_usage_error_fails_with_the_message() -> None:
    result = failure("check", "--no-such-option")

    assert result["exit_status"] == 1
    assert "unrecognized arguments: --no-such-option" in result["stderr"]


@pytest.mark.parametrize("argv", [["shell", "-c", "print(1)"], ["dbshell"], ["migrate_with_lock"]])
def test_commands_off_the_allowlist_are_refused(argv: list[str]) -> None:
    result = failure(*argv)

    assert result["exit_status"] == 2
    assert "REMOTE_MANAGEMENT_COMMANDS allows: check, " in result["stderr"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"manage": "showmigrations"}, '"manage" must be a list of strings'),
        ({"manage": []}, '"manage" must be a list of strings'),
        ({"manage": ["showmigrations", 3]}, '"manage" must be a list of strings'),
        ({"environment": ["DJANGO_SUPERUSER_PASSWORD"]}, '"environment" must be an object'),
        ({"environment": {"PATH": "/tmp"}}, "may only set DJANGO_SUPERUSER_*, not 'PATH'"),
        ({"environment": {"DJANGO_SUPERUSER_": "x"}}, "not 'DJANGO_SUPERUSER_'"),
        ({"environment": {"DJANGO_SUPERUSER_EMAIL": 3}}, "must be a string without NUL"),
        ({"environment": {"DJANGO_SUPERUSER_EMAIL": "a\0b"}}, "must be a string without NUL"),
    ],
)
def test_malformed_requests_are_refused(fields: dict, reason: str) -> None:
    with pytest.raises(InvocationFailed) as raised:
        handler({"manage": ["check"], **fields}, None)

    assert raised.value.result["exit_status"] == 2
    assert reason in raised.value.result["stderr"]


def test_the_environment_is_checked_before_anything_is_set() -> None:
    environment = {"DJANGO_SUPERUSER_PASSWORD": PASSWORD, "DJANGO_SUPERUSER_bad name": "x"}

    failure("check", environment=environment)

    assert "DJANGO_SUPERUSER_PASSWORD" not in os.environ


@pytest.mark.django_db
def test_createsuperuser_without_a_prompt_leaves_nothing_behind() -> None:
    result = manage(
        "createsuperuser",
        "--username",
        "ops",
        "--email",
        "ops@example.com",
        environment={"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )
    manage("createsuperuser", "--username", "second", "--email", "second@example.com")

    assert result["stdout"] == "Superuser created successfully.\n"
    assert User.objects.get(username="ops").check_password(PASSWORD)
    assert "DJANGO_SUPERUSER_PASSWORD" not in os.environ, "restored afterwards"
    second = User.objects.get(username="second")
    assert not second.has_usable_password(), "no password left over from the first"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1", "This password is too common."),
        ("83920174", "This password is entirely numeric."),
        ("opsadmin", "The password is too similar to the username."),
        ("short", "This password is too short."),
    ],
)
def test_createsuperuser_passwords_meet_the_validators(password: str, reason: str) -> None:
    result = failure(
        "createsuperuser",
        "--username",
        "opsadmin",
        "--email",
        "ops@example.com",
        environment={"DJANGO_SUPERUSER_PASSWORD": password},
    )

    assert result["exit_status"] == 2
    assert result["stderr"].startswith("CommandError: DJANGO_SUPERUSER_PASSWORD is refused: ")
    assert reason in result["stderr"]
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv",
    [["flush", "--noinput"], ["migrate", "auth", "zero"], ["migrate", "auth", "0011"]],
    ids=["flush", "migrate-zero", "migrate-back"],
)
@pytest.mark.parametrize("confirmation", [None, "yes", "other_database"])
def test_destroying_data_needs_the_database_name(argv: list[str], confirmation: object) -> None:
    Group.objects.create(name="kept")
    database = connection.settings_dict["NAME"]

    result = failure(*argv, confirm_database=confirmation)

    assert result["exit_status"] == 2
    assert f'"confirm_database" must be the database\'s name, {database!r}.' in result["stderr"]
    assert result["stderr"].endswith("Nothing was changed.\n")
    assert Group.objects.filter(name="kept").exists()


@pytest.mark.django_db
def test_flush_with_the_database_name() -> None:
    Group.objects.create(name="gone")

    manage("flush", "--noinput", confirm_database=connection.settings_dict["NAME"])

    assert not Group.objects.exists()


@pytest.mark.django_db
def test_migrating_forwards_needs_no_confirmation() -> None:
    result = manage("migrate", "auth", "0012")

    assert "No migrations to apply." in result["stdout"]
