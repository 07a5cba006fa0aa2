"""Django's `migrate`, serialized across processes by a Postgres advisory lock.

This app's command replaces Django's own, so every `migrate` takes the lock: the manage
function's, one through bin/manage-remote, one you run by hand. Two at once (a retried deploy,
two execution environments) queue on the lock instead of racing to create the same tables.
On other databases (SQLite on your machine) it is Django's migrate as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import TextIOBase
from typing import Any

from django.core.management import CommandError
from django.core.management.commands import migrate
from django.db import OperationalError, connections
from psycopg.errors import QueryCanceled

LOCK_ID = 727_465_212_173  # any 64-bit number no other advisory lock in the database uses
# A transaction pooler runs each statement on whichever server connection is free: the lock is
# taken on one and released on another, or not at all, and then stays held until that one closes.
POOLER = "A transaction pooler keeps no session: set DATABASE_DIRECT_URL (docs/database.md)."


@contextmanager
def migrations_lock(database: str, stdout: TextIOBase) -> Iterator[None]:
    """Hold the lock on `database`, an alias. Postgres counts a session's advisory locks, so
    a block inside another one is fine."""
    connection = connections[database]
    if connection.vendor != "postgresql":
        yield
        return
    stdout.write(f"Waiting for the migrations lock on {connection.settings_dict['NAME']!r}\n")
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
        except OperationalError as error:
            if not isinstance(error.__cause__, QueryCanceled):  # at statement_timeout
                raise
            reason = f"No migrations lock ({error}): another migrate holds it, or one leaked it."
            raise CommandError(f"{reason} {POOLER}") from error
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
            (released,) = cursor.fetchone()
    if not released:
        raise CommandError(f"Lost the migrations lock while migrating. {POOLER}")


class Command(migrate.Command):
    help = f"{migrate.Command.help} Holds a Postgres advisory lock while it runs."

    def handle(self, *args: Any, **options: Any) -> None:
        with migrations_lock(options["database"], self.stdout):
            super().handle(*args, **options)
