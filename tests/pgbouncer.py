"""A real PgBouncer in transaction mode in front of the test Postgres, as Neon's pooled host,
Supabase's pooler or RDS Proxy sit in front of a deployed database."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg.rows import dict_row

from tests.helpers import POSTGRES_URL, free_port, postgres_url, unavailable

# PgBouncer refuses to run as root; it then switches to this user, who must read its files.
UNPRIVILEGED_USER = "nobody"


@contextmanager
def transaction_pooler() -> Iterator[str]:
    """Start PgBouncer on a free 127.0.0.1 port; yield its URL template, "...:port/{}".

    Every transaction gets a server connection reset to a fresh session
    (server_reset_query_always): what a busy pool does by chance, handing the next
    transaction another client's connection, happens here every time, so anything that
    needs a session (a server-side cursor, an advisory lock) fails every time.
    """
    pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(pgbouncer):
        unavailable("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    postgres_url("postgres")  # skips (fails in CI) when there is no Postgres
    server = urlsplit(POSTGRES_URL)
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o755)
    password = f" password={server.password}" if server.password else ""
    (directory / "userlist.txt").write_text(f'"{server.username}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={server.hostname} port={server.port or 5432} user={server.username}{password}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'userlist.txt'}\n"
        f"admin_users = {server.username}\n"
        "pool_mode = transaction\n"
        "server_reset_query = DISCARD ALL\nserver_reset_query_always = 1\n"
    )
    for path in directory.iterdir():
        path.chmod(0o644)
    as_user = ["-u", UNPRIVILEGED_USER] if os.geteuid() == 0 else []
    log = (directory / "pgbouncer.log").open("w")
    process = subprocess.Popen(
        [pgbouncer, *as_user, str(directory / "pgbouncer.ini")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"postgres://{server.username}@127.0.0.1:{port}/{{}}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                psycopg.connect(url.format("pgbouncer"), autocommit=True).close()
                break
            except psycopg.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"PgBouncer did not start:\n{(directory / 'pgbouncer.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        shutil.rmtree(directory)


def server_connections(pooler_url: str, database: str) -> int:
    """How many server connections PgBouncer has opened to `database` (its SHOW SERVERS)."""
    with psycopg.connect(pooler_url.format("pgbouncer"), autocommit=True) as admin:
        servers = admin.cursor(row_factory=dict_row).execute("SHOW SERVERS").fetchall()
    return sum(1 for server in servers if server["database"] == database)
