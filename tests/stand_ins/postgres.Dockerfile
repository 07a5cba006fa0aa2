# STAND-IN for the official postgres:<major> image, which cannot be pulled here (no registry).
# Debian's PostgreSQL packages, with the parts of the official image the devcontainer's
# compose file relies on: POSTGRES_PASSWORD and POSTGRES_DB read on first start, data in
# /var/lib/postgresql/data, pg_isready on PATH, port 5432 open to the compose network.
# How it differs: Debian's build (not the PGDG one), and only those environment variables.
ARG DEBIAN
FROM ${DEBIAN}
ARG POSTGRES
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-${POSTGRES}" gosu; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*; \
    mkdir -p /var/lib/postgresql/data /var/run/postgresql; \
    chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/${POSTGRES}/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
LABEL stand-in="Debian's postgresql-${POSTGRES}, not the official image"
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 5432
CMD ["postgres"]
