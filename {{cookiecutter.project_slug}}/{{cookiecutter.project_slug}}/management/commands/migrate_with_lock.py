"""`migrate`, serialized across processes by a Postgres advisory lock.

The migrations function runs this on every deploy. Two runs at once (a retried deploy, two
execution environments) queue on the lock instead of racing to create the same tables. With
--reset it first drops every table, but only when --confirm names the database.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

# Any fixed 64-bit number that no other advisory lock in this database uses.
LOCK_ID = 727_465_212_173


class Command(BaseCommand):
    help = "Run migrate while holding a Postgres advisory lock; optionally reset the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Drop every table first. Needs --confirm."
        )
        parser.add_argument(
            "--confirm", default="", metavar="DATABASE", help="The database's name, for --reset."
        )

    def handle(self, *args: Any, reset: bool, confirm: str, **options: Any) -> None:
        # migrate writes to the same streams; self.stdout would end each of its partial
        # lines ("Applying x...") with a newline of its own.
        streams = {
            "stdout": options.get("stdout") or sys.stdout,
            "stderr": options.get("stderr") or sys.stderr,
        }
        database = connection.settings_dict["NAME"]
        if reset and confirm != database:
            raise CommandError(
                f"Refusing to reset the database: --confirm must be its name, {database!r}. "
                "Nothing was changed."
            )
        if connection.vendor != "postgresql":
            if reset:
                raise CommandError("--reset only knows Postgres. Nothing was changed.")
            call_command("migrate", interactive=False, **streams)
            return

        self.stdout.write(f"Waiting for the migrations lock on {database!r}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        try:
            if reset:
                self.reset_schema(database)
            call_command("migrate", interactive=False, **streams)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])

    def reset_schema(self, database: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        self.stdout.write(self.style.WARNING(f"Reset {database!r}: dropped every table."))
