# STAND-IN for the official python:<version>-slim-<suite> image, which cannot be pulled here
# (no registry). Built from Debian's own Python packages, laid out as the official image is:
# python3/python/pip/pip3 in /usr/local/bin, pip usable without a virtualenv, no compiled
# bytecode for the standard library (docker-library/python#615), CMD python3.
# How it differs from the real image: Debian's build of CPython (its patch release, the
# standard library in /usr/lib/pythonX.Y rather than /usr/local/lib), and it trusts this
# machine's PyPI proxy CA (SSL_CERT_FILE), which the project's own files never mention.
ARG DEBIAN
FROM ${DEBIAN}
ARG PYTHON
# A Debian suite newer than the base's, for a Python the base's suite does not have (a suite
# still in development: its Release file's expiry date is not checked).
ARG PYTHON_SUITE=
COPY ca-certificates/ /usr/local/share/ca-certificates/
RUN set -eux; \
    if [ -n "$PYTHON_SUITE" ]; then \
        base_suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"; \
        sed "s/^deb \(.*\) $base_suite /deb [check-valid-until=no] \1 $PYTHON_SUITE /" \
            /etc/apt/sources.list \
            > /etc/apt/sources.list.d/python.list; \
    fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends ${PYTHON_SUITE:+--target-release "$PYTHON_SUITE"} \
        ca-certificates netbase tzdata "python${PYTHON}" python3-pip; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*; \
    rm -f /usr/lib/python*/EXTERNALLY-MANAGED; \
    find /usr/lib/python3* -depth -type d -name __pycache__ -exec rm -rf '{}' +; \
    ln -s "/usr/bin/python${PYTHON}" /usr/local/bin/python3; \
    ln -s python3 /usr/local/bin/python; \
    printf '#!/bin/sh\nexec /usr/local/bin/python3 -m pip "$@"\n' > /usr/local/bin/pip3; \
    chmod 755 /usr/local/bin/pip3; \
    ln -s pip3 /usr/local/bin/pip; \
    python3 --version; pip --version
ENV PATH=/usr/local/bin:$PATH \
    LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL stand-in="Debian's python${PYTHON}, not the official image"
CMD ["python3"]
