"""migrate_with_lock and the migrations function's handler."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from config import aws_lambda_migrations
from config.aws_lambda_migrations import MigrationFailed, handler


@pytest.mark.django_db
def test_migrate_with_lock_migrates() -> None:
    output = io.StringIO()

    call_command("migrate_with_lock", stdout=output)

    assert "No migrations to apply." in output.getvalue()
    if connection.vendor == "postgresql":
        assert "Waiting for the migrations lock" in output.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"reset": True}, {"reset": True, "confirm": "other"}])
def test_reset_needs_the_database_name(options: dict[str, object]) -> None:
    database = connection.settings_dict["NAME"]

    with pytest.raises(CommandError, match=re.escape(f"--confirm must be its name, {database!r}")):
        call_command("migrate_with_lock", **options)


@pytest.fixture
def run_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """What bin/lambda-migrate leaves for the handler: the output file and exit status."""

    def leave(output: str, status: int) -> None:
        output_file = tmp_path / "migrate-output.txt"
        output_file.write_text(output)
        monkeypatch.setenv("MIGRATE_OUTPUT", str(output_file))
        monkeypatch.setenv("MIGRATE_EXIT_STATUS", str(status))

    return leave


def test_first_invocation_reports_the_run_at_start(run_at_start) -> None:
    run_at_start("Applying auth.0001_initial... OK\n", 0)

    assert handler({}, None) == {
        "status": "migrated",
        "output": "Applying auth.0001_initial... OK\n",
    }


def test_failed_run_at_start_fails_the_invocation(run_at_start) -> None:
    run_at_start("Applying shop.0002_price... ProgrammingError: boom\n", 1)

    with pytest.raises(MigrationFailed, match="ProgrammingError: boom"):
        handler({}, None)


@pytest.mark.django_db
def test_later_invocations_migrate_again(run_at_start) -> None:
    run_at_start("Applying auth.0001_initial... OK\n", 0)
    handler({}, None)

    result = handler({}, None)

    assert "No migrations to apply." in result["output"]


@pytest.mark.django_db
def test_reset_with_the_wrong_name_is_refused() -> None:
    with pytest.raises(MigrationFailed, match="Refusing to reset the database"):
        handler({"reset_database": "not-the-database"}, None)


def test_traceback_frames_are_left_out(run_at_start) -> None:
    run_at_start(
        "  Applying shop.0002_price...Traceback (most recent call last):\n"
        '  File "manage.py", line 9, in <module>\n'
        "    execute_from_command_line(sys.argv)\n"
        '  File "django/db/backends/utils.py", line 105, in _execute\n'
        "    return self.cursor.execute(sql)\n"
        "           ^^^^^^^^^^^^^^^^^^^^^^^^\n"
        'django.db.utils.ProgrammingError: relation "price" does not exist\n'
        "LINE 1: SELECT * FROM price\n",
        1,
    )

    with pytest.raises(MigrationFailed) as failure:
        handler({}, None)

    assert str(failure.value) == (
        "  Applying shop.0002_price..."
        'django.db.utils.ProgrammingError: relation "price" does not exist\n'
        "LINE 1: SELECT * FROM price\n"
    )


def test_long_output_is_cut_to_its_end(run_at_start) -> None:
    run_at_start("x" * 10_000 + "the reason", 1)

    with pytest.raises(MigrationFailed) as failure:
        handler({}, None)

    message = str(failure.value)
    assert len(message) == aws_lambda_migrations.MAX_ERROR_OUTPUT
    assert message.endswith("the reason")
