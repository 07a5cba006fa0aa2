"""A DATABASE_URL through a transaction pooler (a real PgBouncer in transaction mode): the
Lambda settings keep to what such a pooler can carry, and the manage function goes
around it when DATABASE_DIRECT_URL is given."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from tests.lambda_container import LambdaImage, parameters
from tests.pgbouncer import server_connections, transaction_pooler
from tests.postgres import fresh_database

# Streams a queryset with QuerySet.iterator(), which on Postgres means a server-side cursor
# unless DISABLE_SERVER_SIDE_CURSORS; argv[1] "on" turns them back on, as a control.
STREAM_ROWS = """
import sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import Permission
if sys.argv[1] == "on":
    settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = False
print(sum(1 for _ in Permission.objects.iterator(chunk_size=2)))
"""


@pytest.fixture(scope="module")
def pooler() -> Iterator[str]:
    with transaction_pooler() as url:
        yield url


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    """A fresh database: its name and its direct URL."""
    with fresh_database() as url:
        yield url.rsplit("/", 1)[1], url


def test_querysets_stream_through_the_pooler(
    lambda_image: LambdaImage, pooler: str, database: tuple[str, str]
) -> None:
    name, direct_url = database
    migrate = ["python", "manage.py", "migrate"]
    lambda_image.run(
        "WebFunction", migrate, lambda_image.environment("WebFunction", parameters(direct_url))
    )
    env = lambda_image.environment("WebFunction", parameters(pooler.format(name)))

    def stream(server_side_cursors: str) -> subprocess.CompletedProcess[str]:
        command = ["python", "-c", STREAM_ROWS, server_side_cursors]
        return lambda_image.run("WebFunction", command, env, check=False, timeout=60)

    streamed, control = stream("off"), stream("on")

    assert streamed.returncode == 0, streamed.stderr
    assert int(streamed.stdout) > 2, "more rows than one chunk"
    assert control.returncode != 0, "server-side cursors really break behind this pooler"
    assert "does not exist" in control.stderr


def test_migrations_go_around_the_pooler(
    lambda_image: LambdaImage, pooler: str, database: tuple[str, str]
) -> None:
    name, direct_url = database
    pooled = parameters(pooler.format(name))

    with lambda_image.start(
        "ManageFunction", {**pooled, "DatabaseDirectUrl": direct_url}
    ) as function:
        migrated = function.invoke({})
    through_the_pooler_before = server_connections(pooler, name)
    # The control: without a direct URL the same function's queries go through the pooler,
    # where `migrate` loses its lock (each statement gets a session of the pooler's choosing)
    # and says so.
    with lambda_image.start("ManageFunction", pooled) as function:
        shown = function.invoke({"manage": ["showmigrations", "auth"]})
        lost = function.invoke({})

    assert migrated.kind == "response", migrated.body
    assert "Applying auth.0001_initial... OK" in migrated.body["stdout"]
    assert through_the_pooler_before == 0, "the migrations (and their lock) went direct"
    assert shown.kind == "response", shown.body
    assert " [X] 0001_initial" in shown.body["stdout"]
    assert server_connections(pooler, name) > 0
    assert lost.kind == "error", lost.body
    assert "set DATABASE_DIRECT_URL" in json.loads(lost.body["errorMessage"])["stderr"]
