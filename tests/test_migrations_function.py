"""The migrations function as Lambda runs it: template.yaml's entrypoint and command, the
real awslambdaric against a local Runtime API, a real Postgres database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from tests.helpers import DEFAULT_SLUG
from tests.lambda_image import LambdaImage, generated_events, parameters
from tests.postgres import fresh_database, tables
from tests.runtime_api import Result, RuntimeAPI


@contextmanager
def migrations_function(
    image: LambdaImage, database_url: str, project: Path | None = None
) -> Iterator[RuntimeAPI]:
    with image.start("MigrationsFunction", parameters(database_url), project) as function:
        yield function


def migrated_tables(database_url: str) -> set[str]:
    return {name for name in tables(database_url) if name.startswith(("django_", "auth_"))}


@pytest.fixture
def events(lambda_image: LambdaImage) -> ModuleType:
    return generated_events(lambda_image)


@pytest.fixture
def database_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def test_first_run_creates_the_schema_and_the_second_does_nothing(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with migrations_function(lambda_image, database_url) as function:
        first = function.invoke({})

    assert first.kind == "response", first.body
    assert first.body["status"] == "migrated"
    assert "Applying auth.0001_initial... OK" in first.body["output"]
    assert {"django_migrations", "auth_user", "django_content_type"} <= migrated_tables(
        database_url
    )

    with migrations_function(lambda_image, database_url) as function:
        second = function.invoke({})

    assert second.kind == "response", second.body
    assert "No migrations to apply." in second.body["output"]


def test_a_warm_function_migrates_again(lambda_image: LambdaImage, database_url: str) -> None:
    with migrations_function(lambda_image, database_url) as function:
        function.invoke({})
        again = function.invoke({})

    assert again.kind == "response", again.body
    assert "No migrations to apply." in again.body["output"]


def test_two_runs_at_once_queue_on_the_lock(lambda_image: LambdaImage, database_url: str) -> None:
    with (
        migrations_function(lambda_image, database_url) as one,
        migrations_function(lambda_image, database_url) as other,
    ):
        results = [one.invoke({}), other.invoke({})]

    assert [result.kind for result in results] == ["response", "response"], results
    outputs = [result.body["output"] for result in results]
    assert all("Waiting for the migrations lock" in output for output in outputs)
    applied = [output for output in outputs if "Applying auth.0001_initial... OK" in output]
    assert len(applied) == 1, "exactly one run applied the migrations"
    assert {"django_migrations", "auth_user"} <= migrated_tables(database_url)


def error_message(result: Result) -> str:
    assert result.kind == "error", result.body
    assert result.body["errorType"] == "MigrationFailed"
    return result.body["errorMessage"]


def test_reset_needs_the_database_name(lambda_image: LambdaImage, database_url: str) -> None:
    database = database_url.rsplit("/", 1)[1]
    with migrations_function(lambda_image, database_url) as function:
        function.invoke({})
        with psycopg.connect(database_url) as connection:
            connection.execute("INSERT INTO auth_group (name) VALUES ('kept')")

        refused = [
            function.invoke({"reset_database": True}),
            function.invoke({"reset_database": "yes"}),
            function.invoke({"reset_database": "other_database"}),
        ]
        for result in refused:
            message = error_message(result)
            assert f"--confirm must be its name, '{database}'" in message
            assert "Nothing was changed." in message
        with psycopg.connect(database_url) as connection:
            assert connection.execute("SELECT name FROM auth_group").fetchall() == [("kept",)]

        reset = function.invoke({"reset_database": database})

    assert reset.kind == "response", reset.body
    assert f"Reset '{database}': dropped every table." in reset.body["output"]
    assert "Applying auth.0001_initial... OK" in reset.body["output"]
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT name FROM auth_group").fetchall() == []


def test_a_broken_migration_fails_the_invocation_with_its_error(
    lambda_image: LambdaImage, database_url: str, tmp_path: Path
) -> None:
    project = tmp_path / DEFAULT_SLUG
    shutil.copytree(lambda_image.project, project, ignore=shutil.ignore_patterns(".venv"))
    (project / ".venv").symlink_to(lambda_image.project / ".venv")
    migrations = project / DEFAULT_SLUG / "migrations"
    migrations.mkdir()
    (migrations / "__init__.py").write_text("")
    (migrations / "0001_broken.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.RunSQL('SELECT * FROM no_such_table')]\n"
    )

    with migrations_function(lambda_image, database_url, project=project) as function:
        result = function.invoke({})

    message = error_message(result)
    assert f"Applying {DEFAULT_SLUG}.0001_broken..." in message
    assert 'relation "no_such_table" does not exist' in message


def test_management_commands_return_their_output(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with migrations_function(lambda_image, database_url) as function:
        function.invoke({})
        shown = function.invoke({"manage": ["showmigrations", "auth"]})
        created = function.invoke(
            {
                "manage": ["createsuperuser", "--username", "ops", "--email", "ops@example.com"],
                "environment": {"DJANGO_SUPERUSER_PASSWORD": "a long and unusual passphrase"},
            }
        )

    assert shown.kind == "response", shown.body
    assert shown.body["exit_status"] == 0
    assert " [X] 0001_initial" in shown.body["stdout"]
    assert created.body["stdout"] == "Superuser created successfully.\n"
    with psycopg.connect(database_url) as connection:
        users = connection.execute("SELECT username, is_superuser FROM auth_user").fetchall()
    assert users == [("ops", True)]


def test_migrate_as_a_management_command_on_a_fresh_database(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with migrations_function(lambda_image, database_url) as function:
        function.invoke({})  # the start-up run
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        result = function.invoke({"manage": ["migrate"]})

    assert result.kind == "response", result.body
    assert "Applying auth.0001_initial... OK" in result.body["stdout"]
    assert {"django_migrations", "auth_user"} <= migrated_tables(database_url)


def test_commands_off_the_allowlist_are_refused(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with migrations_function(lambda_image, database_url) as function:
        result = function.invoke({"manage": ["flush", "--noinput"]})
        assert function.invoke({"manage": ["check"]}).kind == "response", "still serving"

    assert result.kind == "error"
    assert result.body["errorType"] == "CommandRefused"
    assert result.body["errorMessage"].startswith(
        "'flush' may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: check, createsuperuser,"
    )
    assert {"django_migrations", "auth_user"} <= migrated_tables(database_url), "nothing flushed"


def test_a_failing_command_reports_failure_with_its_output(
    lambda_image: LambdaImage, database_url: str
) -> None:
    with migrations_function(lambda_image, database_url) as function:
        result = function.invoke({"manage": ["migrate", "no_such_app"]})

    assert result.kind == "error"
    assert result.body["errorType"] == "CommandFailed"
    failure = json.loads(result.body["errorMessage"])
    assert failure["exit_status"] == 1
    assert "No installed app with label 'no_such_app'." in failure["stderr"]


def test_web_requests_cannot_run_commands(
    lambda_image: LambdaImage, database_url: str, events: ModuleType
) -> None:
    """The web function (the one with a URL) has no such path, and the migrations function
    (the one that has it) answers no web request."""
    with lambda_image.start("WebFunction", parameters(database_url)) as web:
        through_url = web.invoke({"manage": ["showmigrations"]})
    with migrations_function(lambda_image, database_url) as function:
        http_event = function.invoke(events.function_url_event(path="/"))

    assert through_url.kind == "error"
    assert through_url.body["errorType"] == "InvalidEvent"
    assert http_event.kind == "error"
    assert http_event.body["errorType"] == "UnknownEvent"
