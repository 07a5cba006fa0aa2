"""The Lambda settings: what they read from the environment, and Django's own checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.environment import LAMBDA_ENVIRONMENT, load_lambda_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
LAMBDA_SETTINGS = "config.settings.aws_lambda"


def python(*args: str, settings: str = LAMBDA_SETTINGS, **variables: str):
    """Run Python with `args` in a fresh interpreter under `settings` and `variables`, and
    under the Lambda settings a deployed function's environment."""
    deployed = LAMBDA_ENVIRONMENT if settings == LAMBDA_SETTINGS else {}
    environment = {**os.environ, **deployed, **variables}
    environment["DJANGO_SETTINGS_MODULE"] = settings
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_missing_variable_is_named(lambda_environment, monkeypatch, name: str) -> None:
    monkeypatch.delenv(name)

    with pytest.raises(ImproperlyConfigured, match=f"Set the {name} environment variable"):
        load_lambda_settings()


def test_allowed_hosts_default_to_function_urls_of_the_region(
    lambda_environment, monkeypatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "")  # template.yaml's default

    values = load_lambda_settings()

    assert values["ALLOWED_HOSTS"] == [".lambda-url.eu-north-1.on.aws"]
    # Not everyone's Function URLs: same-origin POSTs need no entry.
    assert values["CSRF_TRUSTED_ORIGINS"] == []


def test_named_hosts_are_allowed_and_trusted(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "abc123.lambda-url.us-east-1.on.aws, .example.org")

    values = load_lambda_settings()

    assert values["ALLOWED_HOSTS"] == ["abc123.lambda-url.us-east-1.on.aws", ".example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://abc123.lambda-url.us-east-1.on.aws",
        "https://*.example.org",
    ]


def test_production_defaults(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == LAMBDA_ENVIRONMENT["DJANGO_SECRET_KEY"]
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.signed_cookies"
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert "django.contrib.sessions" not in values["INSTALLED_APPS"]
    # Nothing is written outside /tmp: uploads go to S3, logs to stdout.
    assert values["STORAGES"]["default"]["BACKEND"] == "config.media.MediaStorage"
    for handler in values["LOGGING"].get("handlers", {}).values():
        assert "File" not in handler["class"]


def test_database_from_url_with_the_lambda_defaults(lambda_environment) -> None:
    database = load_lambda_settings()["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal.example", "app")
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"] == {"connect_timeout": 5}
    assert database["STATEMENT_TIMEOUT"] == "20s"


def test_through_a_transaction_pooler_the_role_sets_the_timeout(lambda_environment, monkeypatch):
    """A session's SET would land on whichever server connection the pooler hands out: none."""
    monkeypatch.setenv("DATABASE_DIRECT_URL", "postgres://app:password@db.direct.example/app")

    assert load_lambda_settings()["DATABASES"]["default"]["STATEMENT_TIMEOUT"] is None


def test_database_url_query_overrides_the_defaults(lambda_environment, monkeypatch) -> None:
    query = "?conn_max_age=0&connect_timeout=12&sslmode=require"
    monkeypatch.setenv("DATABASE_URL", LAMBDA_ENVIRONMENT["DATABASE_URL"] + query)

    database = load_lambda_settings()["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"] == {"connect_timeout": 12, "sslmode": "require"}


SENTRY_STATE = """
import sys
import django
django.setup()
if "sentry_sdk" in sys.modules:
    client = sys.modules["sentry_sdk"].get_client()
    print(client.is_active(), client.dsn, client.options["environment"])
else:
    print("not imported")
"""


@pytest.mark.parametrize("dsn", ["", "https://public@sentry.example.com/1"])
def test_sentry_only_with_a_dsn(dsn: str) -> None:
    """Without SENTRY_DSN, sentry_sdk is never even imported."""
    result = python("-c", SENTRY_STATE, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging")

    assert result.returncode == 0, result.stderr
    expected = f"True {dsn} staging" if dsn else "not imported"
    assert result.stdout.splitlines()[-1] == expected


def test_server_email_is_the_sender(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["SERVER_EMAIL"] == values["DEFAULT_FROM_EMAIL"] == "noreply@example.com"


def test_admins_from_the_environment(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ADMINS", "Ops Team <ops@example.com>, dev@example.com,")

    admins = load_lambda_settings()["ADMINS"]

    assert admins == ["Ops Team <ops@example.com>", "dev@example.com"]


def test_admins_need_a_sender(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ADMINS", "ops@example.com")
    monkeypatch.setenv("DJANGO_DEFAULT_FROM_EMAIL", "")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS needs DJANGO_DEFAULT_FROM"):
        load_lambda_settings()


def test_local_email_is_printed_not_sent() -> None:
    result = python(
        "manage.py", "sendtestemail", "ada@example.org", settings="config.settings.local"
    )

    assert result.returncode == 0, result.stderr
    assert "To: ada@example.org" in result.stdout


LOG_SOME_LINES = """
import logging, django
django.setup()
logging.getLogger("app").info("an info line")
logging.getLogger("app").warning("a warning line")
"""


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ({}, "[INFO] app: an info line\n[WARNING] app: a warning line\n"),
        ({"DJANGO_LOG_LEVEL": "WARNING"}, "[WARNING] app: a warning line\n"),
    ],
    ids=["default", "warning"],
)
def test_logs_go_to_stdout_at_the_configured_level(level: dict, expected: str) -> None:
    result = python("-c", LOG_SOME_LINES, **level)

    assert (result.stdout, result.stderr) == (expected, "")


def test_logs_keep_the_runtime_handler() -> None:
    """awslambdaric's root handler (request ids, JSON) survives Django's logging setup."""
    script = (
        "import logging, sys\n"
        "runtime_handler = logging.StreamHandler(sys.stdout)\n"
        "logging.getLogger().addHandler(runtime_handler)\n" + LOG_SOME_LINES + "\n"
        "assert logging.getLogger().handlers == [runtime_handler]\n"
    )
    result = python("-c", script, DJANGO_LOG_LEVEL="WARNING")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "a warning line\n"


@pytest.mark.parametrize("under_runtime", [False, True], ids=["plain", "awslambdaric"])
def test_logging_keeps_the_mail_admins_handler(under_runtime: bool) -> None:
    """Django's mail_admins handler survives the Lambda LOGGING, with or without the runtime's
    root handler, so server errors reach ADMINS."""
    script = (
        "import logging, django\n"
        f"if {under_runtime}: logging.getLogger().addHandler(logging.NullHandler())\n"
        "django.setup()\n"
        "logger = logging.getLogger('django')\n"
        "print(logger.disabled, [type(h).__name__ for h in logger.handlers])\n"
    )
    result = python("-c", script)

    assert result.returncode == 0, result.stderr
    disabled, handlers = result.stdout.split(" ", 1)
    assert disabled == "False"
    assert "'AdminEmailHandler'" in handlers


def test_check_deploy_is_clean() -> None:
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("System check identified no issues")


def test_no_missing_migrations() -> None:
    result = python(
        "manage.py", "makemigrations", "--check", "--dry-run", settings="config.settings.test"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "No changes detected\n"
