"""The migrations function as Lambda runs it: template.yaml's entrypoint and command, the
real awslambdaric against a local Runtime API, a real Postgres database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.helpers import DEFAULT_SLUG
from tests.lambda_image import LambdaImage, parameters
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
