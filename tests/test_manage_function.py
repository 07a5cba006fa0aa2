"""The manage function as Lambda runs it: the built image with template.yaml's command, in
Lambda's sandbox under the Runtime Interface Emulator, a real Postgres database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import psycopg
import pytest

from tests.helpers import DEFAULT_SLUG, postgres_url
from tests.lambda_container import Function, LambdaImage, Result, generated_events, parameters
from tests.postgres import fresh_database, silent_database, tables

PASSWORD = "a long and unusual passphrase"


@contextmanager
def manage_function(image: LambdaImage, database_url: str) -> Iterator[Function]:
    with image.start("ManageFunction", parameters(database_url)) as function:
        yield function


def migrated_tables(database_url: str) -> set[str]:
    return {
        name for name in tables(database_url) if name.startswith(("django_", "auth_", "users_"))
    }


def ok(result: Result) -> dict[str, Any]:
    assert result.kind == "response", result.body
    assert result.body["exit_status"] == 0
    return result.body


def failed(result: Result) -> dict[str, Any]:
    """The one error shape: InvocationFailed, its message the result as JSON."""
    assert result.kind == "error", result.body
    assert result.body["errorType"] == "InvocationFailed", result.body
    return json.loads(result.body["errorMessage"])


@pytest.fixture(scope="module")
def events(lambda_image: LambdaImage) -> ModuleType:
    return generated_events(lambda_image.project)


@pytest.fixture
def database_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def shared_database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def function(lambda_image: LambdaImage, shared_database: str) -> Iterator[Function]:
    """One warm function, migrated, for the scenarios that leave the schema as they found it."""
    with manage_function(lambda_image, shared_database) as function:
        ok(function.invoke({}))
        yield function


def test_nothing_is_migrated_before_the_first_invocation(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with manage_function(lambda_image, database_url) as function:
        before = tables(database_url)
        shown = ok(function.invoke({"manage": ["showmigrations", "auth"]}))
        after_command = tables(database_url)
        first = ok(function.invoke({}))
        again = ok(function.invoke({}))

    assert before == set()
    assert " [ ] 0001_initial" in shown["stdout"]
    assert after_command == set(), "neither the cold start nor a management command migrates"
    assert first["command"] == ["migrate"]
    assert "Applying auth.0001_initial... OK" in first["stdout"]
    assert {"django_migrations", "users_user", "django_content_type"} <= migrated_tables(
        database_url
    )
    assert "No migrations to apply." in again["stdout"], "a warm function migrates again"


def test_the_migration_script_runs_by_hand_in_the_image(
    lambda_image: LambdaImage, database_url: str
) -> None:
    """`docker run --entrypoint bin/lambda-migrate IMAGE` (the README's way), executable
    although the checkout left it 644 (conftest): the Dockerfile makes it so."""
    env = lambda_image.environment("ManageFunction", parameters(database_url))

    migrated = lambda_image.run("ManageFunction", ["bin/lambda-migrate"], env, check=False)

    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Applying auth.0001_initial... OK" in migrated.stdout
    assert "users_user" in tables(database_url)


def test_two_runs_at_once_queue_on_the_lock(lambda_image: LambdaImage, database_url: str) -> None:
    """The migrations and a plain `migrate` command, at once, in two execution environments."""
    with (
        manage_function(lambda_image, database_url) as one,
        manage_function(lambda_image, database_url) as other,
    ):
        pushed = [one.push({}), other.push({"manage": ["migrate"]})]
        results = [one.result(pushed[0]), other.result(pushed[1])]

    outputs = [ok(result)["stdout"] for result in results]
    assert all("Waiting for the migrations lock" in output for output in outputs)
    applied = [output for output in outputs if "Applying auth.0001_initial... OK" in output]
    assert len(applied) == 1, "exactly one run applied the migrations"
    assert {"django_migrations", "users_user"} <= migrated_tables(database_url)


def test_reset_needs_the_database_name(lambda_image: LambdaImage, database_url: str) -> None:
    database = database_url.rsplit("/", 1)[1]
    with manage_function(lambda_image, database_url) as function:
        ok(function.invoke({}))
        with psycopg.connect(database_url) as connection:
            connection.execute("INSERT INTO auth_group (name) VALUES ('kept')")

        refused = [
            function.invoke({"reset_database": True}),
            function.invoke({"reset_database": "other_database"}),
            function.invoke({"reset_database": database, "manage": ["check"]}),
        ]
        for result in refused[:2]:
            stderr = failed(result)["stderr"]
            assert f'"reset_database" must be its name, {database!r}.' in stderr
            assert "Nothing was changed." in stderr
        assert failed(refused[2])["stderr"].startswith("A reset runs on its own")
        with psycopg.connect(database_url) as connection:
            assert connection.execute("SELECT name FROM auth_group").fetchall() == [("kept",)]

        reset = ok(function.invoke({"reset_database": database}))

    assert f"Reset '{database}': dropped every table." in reset["stdout"]
    assert "Applying auth.0001_initial... OK" in reset["stdout"]
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT name FROM auth_group").fetchall() == []


def test_a_broken_migration_fails_the_invocation_with_its_error(
    lambda_image: LambdaImage, database_url: str
) -> None:
    broken = lambda_image.derived(
        files={
            f"{DEFAULT_SLUG}/migrations/__init__.py": "",
            f"{DEFAULT_SLUG}/migrations/0001_broken.py": (
                "from django.db import migrations\n\n\n"
                "class Migration(migrations.Migration):\n"
                "    operations = [migrations.RunSQL('SELECT * FROM no_such_table')]\n"
            ),
        }
    )

    with manage_function(broken, database_url) as function:
        result = failed(function.invoke({}))
        again = failed(function.invoke({}))

    assert result["exit_status"] == 1
    assert f"Applying {DEFAULT_SLUG}.0001_broken..." in result["stdout"]
    assert 'relation "no_such_table" does not exist' in result["stderr"]
    assert 'relation "no_such_table" does not exist' in again["stderr"], "never swallowed"


def test_a_dropped_connection_is_replaced(function: Function, shared_database: str) -> None:
    """A database restart or failover while the function is warm."""
    name = shared_database.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchall()
    assert dropped, "the warm function held a connection"

    assert "No migrations to apply." in ok(function.invoke({}))["stdout"]


def test_management_commands_return_their_output(function: Function, shared_database: str) -> None:
    shown = ok(function.invoke({"manage": ["showmigrations", "auth"]}))
    created = ok(
        function.invoke(
            {
                "manage": ["createsuperuser", "--username", "ops", "--email", "ops@example.com"],
                "environment": {"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            }
        )
    )
    weak = failed(
        function.invoke(
            {
                "manage": ["createsuperuser", "--username", "weak", "--email", "w@example.com"],
                "environment": {"DJANGO_SUPERUSER_PASSWORD": "password"},
            }
        )
    )
    # No password passed: createsuperuser must not find the earlier one in the environment.
    later = ok(
        function.invoke(
            {"manage": ["createsuperuser", "--username", "later", "--email", "l@example.com"]}
        )
    )

    assert " [X] 0001_initial" in shown["stdout"]
    assert created["stdout"] == later["stdout"] == "Superuser created successfully.\n"
    assert "This password is too common." in weak["stderr"]
    with psycopg.connect(shared_database) as connection:
        users = connection.execute(
            "SELECT username, password LIKE '!%%' FROM users_user ORDER BY id"
        ).fetchall()
    assert users == [("ops", False), ("later", True)], "later's password is unusable"


@pytest.mark.parametrize(
    "argv",
    [["check", "--help"], ["migrate", "-h"], ["showmigrations", "--version"], ["check", "--bad"]],
)
def test_argparse_exits_are_answered_and_serving_goes_on(
    function: Function, argv: list[str]
) -> None:
    result = function.invoke({"manage": argv})

    if argv[-1] == "--bad":
        assert "unrecognized arguments: --bad" in failed(result)["stderr"]
    else:
        assert ok(result)["stdout"]
    assert len(function.init_durations()) == 1, "the same runtime serves on, never started again"
    assert ok(function.invoke({"manage": ["check"]}))


def test_destroying_data_needs_the_database_name(function: Function, shared_database: str) -> None:
    database = shared_database.rsplit("/", 1)[1]
    backwards = {"manage": ["migrate", "auth", "zero"]}

    refused = [
        failed(function.invoke(backwards)),
        failed(function.invoke({**backwards, "confirm_database": "other"})),
        failed(function.invoke({"manage": ["flush", "--noinput"]})),
    ]
    kept = migrated_tables(shared_database)
    confirmed = ok(function.invoke({**backwards, "confirm_database": database}))
    dropped = migrated_tables(shared_database)
    ok(function.invoke({}))

    for result in refused:
        assert result["exit_status"] == 2
        reason = f'"confirm_database" must be the database\'s name, {database!r}.'
        assert reason in result["stderr"]
    assert "users_user" in kept
    assert "Unapply all migrations: auth" in confirmed["stdout"]
    assert "users_user" not in dropped


def test_the_shipped_schedules_commands_run_and_pass(
    lambda_image: LambdaImage, function: Function
) -> None:
    """Each ScheduleV2 event's Input, as EventBridge Scheduler sends it: the deployed settings
    draw no `check --deploy` warning, so the daily check stays quiet until one appears."""
    events = lambda_image.template["Resources"]["ManageFunction"]["Properties"]["Events"]
    inputs = {
        name: json.loads(event["Properties"]["Input"])
        for name, event in events.items()
        if event["Type"] == "ScheduleV2"
    }

    results = {name: ok(function.invoke(event)) for name, event in inputs.items()}

    check = results["DailyDeployCheck"]
    assert check["command"] == inputs["DailyDeployCheck"]["manage"]
    assert check["stdout"].startswith("System check identified no issues"), check


def test_commands_off_the_allowlist_are_refused(function: Function) -> None:
    result = failed(function.invoke({"manage": ["shell", "-c", "print(1)"]}))

    assert result["exit_status"] == 2
    assert result["stderr"].startswith(
        "'shell' may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: check, createsuperuser,"
    )


def test_a_failing_command_reports_failure_with_its_output(function: Function) -> None:
    result = failed(function.invoke({"manage": ["migrate", "no_such_app"]}))

    assert result["exit_status"] == 1
    assert "No installed app with label 'no_such_app'." in result["stderr"]


def test_web_requests_cannot_run_commands(
    lambda_image: LambdaImage, function: Function, shared_database: str, events: ModuleType
) -> None:
    """The web function (the one with a URL) has no such path, and the manage function
    (the one that has it) answers no web request."""
    with lambda_image.start("WebFunction", parameters(shared_database)) as web:
        through_url = web.invoke({"manage": ["showmigrations"]})
    http_event = failed(function.invoke(events.function_url_event(path="/")))

    assert through_url.kind == "error"
    assert through_url.body["errorType"] == "KeyError"
    assert http_event["stderr"].endswith("not web requests.\n")


def test_a_database_that_never_answers_fails_clearly(lambda_image: LambdaImage) -> None:
    """A host that accepts and never answers: the connect timeout (here 1 s, from the URL)
    ends the wait, not Lambda's timeout."""
    with (
        silent_database() as url,
        manage_function(lambda_image, f"{url}?connect_timeout=1") as function,
    ):
        result = failed(function.invoke({}, timeout=30))

    assert result["stderr"].startswith("The database did not answer: ")
    assert "?connect_timeout=N in DATABASE_URL" in result["stderr"]
