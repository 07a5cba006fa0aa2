#!/bin/sh
# The stand-in postgres image's entrypoint: the official one's first-start behaviour for
# POSTGRES_PASSWORD and POSTGRES_DB, then the server in the foreground as postgres.
set -eu
if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$PGDATA"
    exec gosu postgres "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > /tmp/pwfile
    initdb --username=postgres --pwfile=/tmp/pwfile --auth-host=scram-sha-256 --auth-local=trust
    rm /tmp/pwfile
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
        postgres --single -D "$PGDATA" postgres <<SQL
CREATE DATABASE "$POSTGRES_DB";
SQL
    fi
fi
exec "$@" -c listen_addresses='*'
