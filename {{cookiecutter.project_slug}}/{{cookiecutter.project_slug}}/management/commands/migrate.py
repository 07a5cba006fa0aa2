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

from django.core.management.commands import migrate
from django.db import connections

LOCK_ID = 727_465_212_173  # any 64-bit number no other advisory lock in the database uses


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
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])


class Command(migrate.Command):
    help = f"{migrate.Command.help} Holds a Postgres advisory lock while it runs."

    def handle(self, *args: Any, **options: Any) -> None:
        with migrations_lock(options["database"], self.stdout):
            super().handle(*args, **options)
