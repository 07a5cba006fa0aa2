"""The manage function's handler: migrations, resets, management commands and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, close_old_connections, connection
from django.db.models.signals import post_migrate, pre_migrate

import {{ cookiecutter.project_slug }}.management.commands.migrate as migrate_command
from config import manage_function
from config.manage_function import InvocationFailed, handler
from tests.environment import LAMBDA_ENVIRONMENT
from tests.events import function_url_event
from users.models import User

# REMOTE_MANAGEMENT_COMMANDS is a Lambda setting.
pytestmark = pytest.mark.usefixtures("lambda_settings", "keep_test_connection")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="Postgres only")
PASSWORD = "a long and unusual passphrase"


def failure(event: object) -> dict:
    with pytest.raises(InvocationFailed) as raised:
        handler(event, None)
    assert json.loads(str(raised.value)) == raised.value.result, "the message is the result"
    return raised.value.result


def manage(*argv: str, **fields: object) -> dict:
    return handler({"manage": list(argv), **fields}, None)


def database_name() -> str:
    return connection.settings_dict["NAME"]


@pytest.mark.django_db
def test_an_empty_event_migrates() -> None:
    result = handler({}, None)

    assert result["command"] == ["migrate"]
    assert result["exit_status"] == 0
    assert "No migrations to apply." in result["stdout"]


@postgres_only
@pytest.mark.django_db
def test_migrate_holds_the_lock_while_it_migrates() -> None:
    """So that two at once (a retried deploy, two execution environments) queue on it."""
    advisory_locks = []

    def count_advisory_locks(**kwargs: object) -> None:  # sent once the migrations are applied
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            advisory_locks.append(cursor.fetchone()[0])

    post_migrate.connect(count_advisory_locks)
    try:
        result = handler({}, None)
    finally:
        post_migrate.disconnect(count_advisory_locks)

    assert "Waiting for the migrations lock" in result["stdout"]
    assert advisory_locks and all(advisory_locks)


@postgres_only
@pytest.mark.django_db
def test_a_lock_that_a_transaction_pooler_lost_is_named() -> None:
    """Through a pooler, the unlock runs on another server connection: it holds no lock."""

    def release_the_lock(**kwargs: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")

    pre_migrate.connect(release_the_lock)
    try:
        result = failure({})
    finally:
        pre_migrate.disconnect(release_the_lock)

    assert "No migrations to apply." in result["stdout"]
    assert result["stderr"] == (
        "CommandError: Lost the migrations lock while migrating. A transaction pooler keeps no "
        "session: set DATABASE_DIRECT_URL (docs/database.md).\n"
    )


@postgres_only
@pytest.mark.django_db
def test_a_lock_held_past_the_statement_timeout_fails_clearly() -> None:
    """Held by another migrate, or by a server connection a pooler leaked it on: not until
    the function's timeout, with nothing said."""
    holder = connection.copy()
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [migrate_command.LOCK_ID])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '100ms'")
    try:
        result = failure({})
    finally:
        holder.close()

    assert result["stderr"].startswith(
        "CommandError: No migrations lock (canceling statement due to statement timeout): "
        "another migrate holds it, or one leaked it. A transaction pooler keeps no session"
    )


@pytest.mark.django_db
def test_output_reaches_the_log_as_it_is_printed(capfd: pytest.CaptureFixture[str]) -> None:
    """So that CloudWatch shows how far a command got when the function times out."""
    logged = []

    def read_the_log(**kwargs: object) -> None:  # once the migrations are applied
        logged.append(capfd.readouterr().out)

    post_migrate.connect(read_the_log)
    try:
        result = handler({}, None)
    finally:
        post_migrate.disconnect(read_the_log)

    assert "Operations to perform:" in logged[0]
    assert "Operations to perform:" in result["stdout"]


def test_an_answer_stays_under_lambdas_6_mb() -> None:
    """An argument of 4 MB, echoed in "command" and in the error: cut, saying how much."""
    result = failure({"manage": ["check", "--tag", "x" * 4_000_000]})

    assert len(json.dumps({"errorMessage": json.dumps(result)})) < 6_000_000
    assert "characters cut]" in result["command"][0]
    assert result["stderr"].startswith('CommandError: There is no system check with the "xxx')
    assert "characters cut]" in result["stderr"]
    assert result["stderr"].endswith('xxx" tag.\n')


@pytest.mark.django_db
@pytest.mark.parametrize("confirmation", [True, "other_database"])
def test_a_reset_needs_the_database_name(confirmation: object) -> None:
    Group.objects.create(name="kept")

    result = failure({"reset_database": confirmation})

    assert result["exit_status"] == 2
    reason = f'"reset_database" must be the database\'s name, {database_name()!r}.'
    assert reason in result["stderr"]
    assert result["stderr"].endswith("Nothing was changed.\n")
    assert Group.objects.filter(name="kept").exists()


@postgres_only
@pytest.mark.django_db
def test_a_reset_drops_every_table_then_migrates() -> None:
    """Inside the test's transaction, which Postgres rolls back, DROP SCHEMA included."""
    Group.objects.create(name="gone")

    result = handler({"reset_database": database_name()}, None)
    ContentType.objects.clear_cache()  # it cached the content types the reset made again

    assert f"Reset {database_name()!r}: dropped every table." in result["stdout"]
    assert "Applying auth.0001_initial... OK" in result["stdout"]
    assert not Group.objects.exists()


@postgres_only
@pytest.mark.django_db
def test_a_reset_that_fails_halfway_changes_nothing() -> None:
    """DROP SCHEMA and CREATE SCHEMA in one transaction: never a database without a schema."""
    Group.objects.create(name="kept")

    def fail_to_create(execute: Callable[..., object], sql: str, *args: object) -> object:
        if sql.startswith("CREATE SCHEMA"):
            raise OperationalError("the connection dropped")
        return execute(sql, *args)

    with connection.execute_wrapper(fail_to_create):
        result = failure({"reset_database": database_name()})

    assert result["stderr"] == "OperationalError: the connection dropped\n"
    assert Group.objects.filter(name="kept").exists()


@pytest.mark.parametrize(
    "event",
    [
        function_url_event(path="/"),
        {"migrate": True},
        ["check"],
        {"reset_database": "app", "manage": ["check"]},
    ],
    ids=["web-request", "unknown-key", "not-an-object", "reset-and-command"],
)
def test_anything_else_is_refused(event: object) -> None:
    assert failure(event) == {
        "command": [],
        "exit_status": 2,
        "stdout": "",
        "stderr": 'Expected {}, {"reset_database": "<database name>"} or {"manage": [...]}; '
        "this function runs migrations and management commands, not web requests.\n",
    }


@pytest.mark.django_db
def test_an_allowed_command_answers_with_its_output() -> None:
    result = manage("showmigrations", "auth")

    assert result == {
        "command": ["showmigrations", "auth"],
        "exit_status": 0,
        "stdout": result["stdout"],
        "stderr": "",
    }
    assert "[X] 0001_initial" in result["stdout"]


@pytest.mark.django_db
def test_a_failing_command_fails_with_its_output() -> None:
    result = failure({"manage": ["migrate", "no_such_app"]})

    assert result["exit_status"] == 1
    assert "CommandError: No installed app with label 'no_such_app'." in result["stderr"]


def test_help_is_answered() -> None:
    """argparse exits once it has printed the help: SystemExit, which must not end the process."""
    result = manage("check", "--help")

    assert result["exit_status"] == 0
    assert result["stdout"].startswith("usage: manage.py check")


def test_a_usage_error_fails_with_the_message() -> None:
    result = failure({"manage": ["check", "--no-such-option"]})

    assert result["exit_status"] == 1
    assert "unrecognized arguments: --no-such-option" in result["stderr"]


def test_commands_off_the_allowlist_are_refused() -> None:
    result = failure({"manage": ["shell", "-c", "print(1)"]})

    assert result["exit_status"] == 2
    assert result["stderr"].startswith(
        "'shell' may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: check, createsuperuser,"
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"manage": "check"}, '"manage" must be a list of strings'),
        ({"manage": []}, '"manage" must be a list of strings'),
        ({"environment": {"DJANGO_SUPERUSER_PASSWORD": PASSWORD, "PATH": "/tmp"}}, "only set"),
        ({"environment": {"DJANGO_SUPERUSER_EMAIL": 3}}, "to strings"),
    ],
)
def test_malformed_requests_are_refused_before_anything_is_set(fields: dict, reason: str) -> None:
    result = failure({"manage": ["check"], **fields})

    assert result["exit_status"] == 2
    assert reason in result["stderr"]
    assert "DJANGO_SUPERUSER_PASSWORD" not in os.environ


@pytest.mark.django_db
def test_createsuperuser_never_prompts_and_leaves_no_password_behind() -> None:
    created = manage(
        "createsuperuser",
        "--username=ops",
        "--email=ops@example.com",
        environment={"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )
    manage("createsuperuser", "--username=later", "--email=later@example.com")

    assert created["stdout"] == "Superuser created successfully.\n"
    assert User.objects.get(username="ops").check_password(PASSWORD)
    assert "DJANGO_SUPERUSER_PASSWORD" not in os.environ
    assert not User.objects.get(username="later").has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"manage": ["createsuperuser", "--username=opsadmin", "--email=ops@example.com"]},
        {"manage": ["createsuperuser"], "environment": {"DJANGO_SUPERUSER_USERNAME": "opsadmin"}},
    ],
    ids=["option", "variable"],
)
def test_createsuperuser_passwords_meet_the_validators(fields: dict) -> None:
    """Compared with the username wherever it comes from."""
    environment = {"DJANGO_SUPERUSER_EMAIL": "ops@example.com", **fields.get("environment", {})}

    result = failure(
        fields | {"environment": environment | {"DJANGO_SUPERUSER_PASSWORD": "opsadmin"}}
    )

    assert result["exit_status"] == 2
    assert result["stderr"] == (
        "CommandError: DJANGO_SUPERUSER_PASSWORD is refused: "
        "The password is too similar to the username.\n"
    )
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv",
    [["flush", "--noinput"], ["migrate", "auth", "zero"], ["migrate", "auth", "0011"]],
    ids=["flush", "migrate-zero", "migrate-back"],
)
@pytest.mark.parametrize("confirmation", [None, "other_database"])
def test_destroying_data_needs_the_database_name(argv: list[str], confirmation: object) -> None:
    Group.objects.create(name="kept")

    result = failure({"manage": argv, "confirm_database": confirmation})

    assert result["exit_status"] == 2
    reason = f'"confirm_database" must be the database\'s name, {database_name()!r}.'
    assert reason in result["stderr"]
    assert result["stderr"].endswith("Nothing was changed.\n")
    assert Group.objects.filter(name="kept").exists()


@pytest.mark.django_db
def test_flush_with_the_database_name() -> None:
    Group.objects.create(name="gone")

    manage("flush", "--noinput", confirm_database=database_name())

    assert not Group.objects.exists()


@postgres_only  # SQLite cannot change its schema inside the test's transaction
@pytest.mark.django_db
def test_migrating_backwards_with_the_database_name() -> None:
    result = manage("migrate", "auth", "0011", confirm_database=database_name())

    assert "Unapplying auth.0012_alter_user_first_name_max_length... OK" in result["stdout"]


@pytest.mark.django_db
def test_migrating_forwards_needs_no_confirmation() -> None:
    assert "No migrations to apply." in manage("migrate", "auth", "0012")["stdout"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_between_invocations_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database restart or failover while the execution environment was frozen."""
    monkeypatch.setattr(manage_function, "close_old_connections", close_old_connections)
    # As on Lambda: a connection kept between invocations, checked before it is used again.
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    handler({}, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connection.copy()
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()

    assert "No migrations to apply." in handler({}, None)["stdout"]
    connection.close()


def test_a_database_that_does_not_answer_is_named() -> None:
    """As Lambda imports the module: DATABASE_DIRECT_URL, when set, is the database it uses."""
    environment = LAMBDA_ENVIRONMENT | {
        "DJANGO_SETTINGS_MODULE": "config.settings.aws_lambda",
        "DATABASE_URL": "postgres://app:password@pooler.invalid:6543/app",
        "DATABASE_DIRECT_URL": "postgres://app:password@127.0.0.1:9/app",
    }
    code = "from config.manage_function import handler; handler({}, None)"
    run = subprocess.run(
        [sys.executable, "-c", code], env=os.environ | environment, capture_output=True, text=True
    )

    assert run.returncode == 1
    result = json.loads(run.stdout.splitlines()[-1])  # what the function logs
    assert result["stderr"].startswith("The database did not answer: ")
    assert '"127.0.0.1", port 9 failed' in result["stderr"]
    assert "?connect_timeout=N in DATABASE_URL" in result["stderr"]
