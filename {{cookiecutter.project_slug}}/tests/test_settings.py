"""The Lambda settings: what they read from the environment, and Django's own checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.environment import LAMBDA_ENVIRONMENT, load_lambda_settings
from tests.events import REGION

PROJECT_DIR = Path(__file__).resolve().parent.parent


def python_under_lambda_settings(script: str, **variables: str):
    """Run `script` in a fresh interpreter under the Lambda settings and `variables`."""
    environment = {
        **os.environ,
        **LAMBDA_ENVIRONMENT,
        **variables,
        "DJANGO_SETTINGS_MODULE": "config.settings.aws_lambda",
    }
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def manage(*args: str, settings: str, environment: dict[str, str] | None = None):
    env = {**os.environ, **(environment or {}), "DJANGO_SETTINGS_MODULE": settings}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
@pytest.mark.parametrize("value", [None, ""])
def test_missing_variable_is_named(lambda_environment, monkeypatch, name: str, value) -> None:
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=f"The {name} environment variable is not set"):
        load_lambda_settings()


def test_missing_variable_stops_manage_py() -> None:
    environment = {"DATABASE_URL": LAMBDA_ENVIRONMENT["DATABASE_URL"], "DJANGO_SECRET_KEY": ""}

    result = manage("check", settings="config.settings.aws_lambda", environment=environment)

    assert result.returncode != 0
    assert "The DJANGO_SECRET_KEY environment variable is not set" in result.stderr


def test_allowed_hosts_default_to_function_urls_of_the_region(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["ALLOWED_HOSTS"] == [f".lambda-url.{REGION}.on.aws"]
    # Not everyone's Function URLs: same-origin POSTs need no entry.
    assert values["CSRF_TRUSTED_ORIGINS"] == []


def test_allowed_hosts_follow_the_function_region(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-north-1")

    assert load_lambda_settings()["ALLOWED_HOSTS"] == [".lambda-url.eu-north-1.on.aws"]


def test_allowed_hosts_from_environment(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv(
        "DJANGO_ALLOWED_HOSTS", "abc123.lambda-url.us-east-1.on.aws, www.example.com,,.example.org"
    )

    values = load_lambda_settings()

    assert values["ALLOWED_HOSTS"] == [
        "abc123.lambda-url.us-east-1.on.aws",
        "www.example.com",
        ".example.org",
    ]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://abc123.lambda-url.us-east-1.on.aws",
        "https://www.example.com",
        "https://*.example.org",
    ]


@pytest.mark.parametrize(
    "host",
    [
        "https://www.example.com",
        "www.example.com/",
        "www.example.com/admin",
        "www.example.com:443",
        "*.example.com",
        "*",
    ],
)
def test_allowed_hosts_refuse_what_is_not_a_host_name(
    lambda_environment, monkeypatch, host: str
) -> None:
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", f"ok.example.com,{host}")

    with pytest.raises(ImproperlyConfigured) as refused:
        load_lambda_settings()

    assert str(refused.value) == (
        f"DJANGO_ALLOWED_HOSTS has {host!r}: give bare host names, comma-separated, without "
        "scheme, port or path, e.g. www.example.com; a leading dot (.example.com) also allows "
        "every subdomain."
    )


@pytest.mark.parametrize(
    "key",
    [
        " " * 51,
        "ab" * 40,
        "short-but-random-9f8e7d6c5b4a",
        "django-insecure-" + "0f8c2b6e9d4a7f1c3e5b8d0a2c4e6f8a1b3d5f7a9c",
    ],
    ids=["spaces", "few-characters", "short", "insecure-prefix"],
)
def test_weak_secret_keys_are_refused(lambda_environment, monkeypatch, key: str) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", key)

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is too weak: use at least"):
        load_lambda_settings()


def test_empty_allowed_hosts_means_the_default(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "")

    assert load_lambda_settings()["ALLOWED_HOSTS"] == [f".lambda-url.{REGION}.on.aws"]


def test_production_defaults(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == LAMBDA_ENVIRONMENT["DJANGO_SECRET_KEY"]
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.signed_cookies"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "django.contrib.sessions" not in values["INSTALLED_APPS"]


def test_database_from_url_reused_with_health_checks(lambda_environment) -> None:
    database = load_lambda_settings()["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "db.internal.example"
    assert database["NAME"] == "app"
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_from_the_environment(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "0")

    assert load_lambda_settings()["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("value", ["-1", "ten", "1.5", "None"])
def test_conn_max_age_refuses_what_is_not_whole_seconds(
    lambda_environment, monkeypatch, value: str
) -> None:
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", value)

    with pytest.raises(ImproperlyConfigured) as refused:
        load_lambda_settings()

    assert str(refused.value) == (
        f"DJANGO_CONN_MAX_AGE is {value!r}: give whole seconds, e.g. 600 to keep a connection "
        "for 10 minutes, or 0 to close it after each request."
    )


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
    """In a fresh interpreter: without SENTRY_DSN, sentry_sdk is never even imported."""
    result = python_under_lambda_settings(
        SENTRY_STATE, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging"
    )

    assert result.returncode == 0, result.stderr
    expected = f"True {dsn} staging" if dsn else "not imported"
    assert result.stdout.splitlines()[-1] == expected


def test_database_connect_timeout_defaults_to_five_seconds(lambda_environment) -> None:
    assert load_lambda_settings()["DATABASES"]["default"]["OPTIONS"] == {"connect_timeout": 5}


def test_database_connect_timeout_from_the_url(lambda_environment, monkeypatch) -> None:
    url = LAMBDA_ENVIRONMENT["DATABASE_URL"] + "?connect_timeout=12&sslmode=require"
    monkeypatch.setenv("DATABASE_URL", url)

    options = load_lambda_settings()["DATABASES"]["default"]["OPTIONS"]

    assert options == {"connect_timeout": 12, "sslmode": "require"}


def test_nothing_is_written_outside_tmp(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["STORAGES"]["default"]["BACKEND"] == "config.media.MediaStorage"
    assert "FILE_UPLOAD_TEMP_DIR" not in values  # Django's default: the system temp dir
    for handler in values["LOGGING"].get("handlers", {}).values():
        assert "File" not in handler["class"]


@pytest.mark.parametrize("value", ["noreply", "Site <noreply@example.com>", "a@b.com, c@d.com"])
def test_sender_must_be_one_bare_address(lambda_environment, monkeypatch, value) -> None:
    monkeypatch.setenv("DJANGO_DEFAULT_FROM_EMAIL", value)

    with pytest.raises(
        ImproperlyConfigured, match="DJANGO_DEFAULT_FROM_EMAIL is .*e.g. noreply@example.com"
    ):
        load_lambda_settings()


def test_server_email_is_the_sender(lambda_environment) -> None:
    values = load_lambda_settings()

    assert values["SERVER_EMAIL"] == values["DEFAULT_FROM_EMAIL"] == "noreply@example.com"


def test_admins_from_the_environment(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ADMINS", "Ops Team <ops@example.com>, dev@example.com,")

    admins = load_lambda_settings()["ADMINS"]

    assert admins == [("Ops Team", "ops@example.com"), ("dev@example.com", "dev@example.com")]


def test_admins_are_refused_with_the_right_form(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ADMINS", "ops@example.com; dev@example.com")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS has .* Ops Team <ops@"):
        load_lambda_settings()


def test_admins_need_a_sender(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ADMINS", "ops@example.com")
    monkeypatch.setenv("DJANGO_DEFAULT_FROM_EMAIL", "")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_ADMINS is set but DJANGO_DEFAULT_FROM"):
        load_lambda_settings()


def test_local_email_is_printed_not_sent() -> None:
    result = manage("sendtestemail", "ada@example.org", settings="config.settings.local")

    assert result.returncode == 0, result.stderr
    assert "To: ada@example.org" in result.stdout


def test_invalid_log_level_is_named(lambda_environment, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_LOG_LEVEL", "LOUD")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_LOG_LEVEL is 'LOUD'"):
        load_lambda_settings()


LOG_SOME_LINES = """
import logging, django
django.setup()
logging.getLogger("app").info("an info line")
logging.getLogger("app").warning("a warning line")
"""


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("", "[INFO] app: an info line\n[WARNING] app: a warning line\n"),
        ("warning", "[WARNING] app: a warning line\n"),
    ],
)
def test_logs_go_to_stdout_at_the_configured_level(level: str, expected: str) -> None:
    result = python_under_lambda_settings(LOG_SOME_LINES, DJANGO_LOG_LEVEL=level)

    assert (result.stdout, result.stderr) == (expected, "")


def test_logs_keep_the_runtime_handler() -> None:
    """awslambdaric's root handler (request ids, JSON) survives Django's logging setup."""
    script = (
        "import logging, sys\n"
        "runtime_handler = logging.StreamHandler(sys.stdout)\n"
        "logging.getLogger().addHandler(runtime_handler)\n" + LOG_SOME_LINES + "\n"
        "assert logging.getLogger().handlers == [runtime_handler]\n"
    )
    result = python_under_lambda_settings(script, DJANGO_LOG_LEVEL="WARNING")

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
    environment = {**os.environ, **LAMBDA_ENVIRONMENT}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.aws_lambda"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, capture_output=True
    )

    assert result.returncode == 0, result.stderr
    disabled, handlers = result.stdout.decode().split(" ", 1)
    assert disabled == "False"
    assert "'AdminEmailHandler'" in handlers


def test_check_deploy_is_clean() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        settings="config.settings.aws_lambda",
        environment=LAMBDA_ENVIRONMENT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("System check identified no issues")


def test_no_missing_migrations() -> None:
    result = manage("makemigrations", "--check", "--dry-run", settings="config.settings.test")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "No changes detected\n"
