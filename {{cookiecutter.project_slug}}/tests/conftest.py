from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings

import config.manage_function
import config.settings.test
import config.tasks_function
from config.web_function import Handler, make_handler
from tests.environment import LAMBDA_ENVIRONMENT, load_lambda_settings, settings_in

# Test-only choices the Lambda settings must not replace.
KEEP_TEST_SETTINGS = {"DATABASES", "PASSWORD_HASHERS"}
# Lambda variables with defaults: unset in the tests unless a test sets them.
OPTIONAL_VARIABLES = [
    "DATABASE_DIRECT_URL",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_LOG_LEVEL",
    "SENTRY_DSN",
    "DJANGO_ADMINS",
]


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STATIC_ROOT as the image build leaves it: collectstatic with the Lambda storage."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=static_root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static_root


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in LAMBDA_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    for name in OPTIONAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return dict(LAMBDA_ENVIRONMENT)


@pytest.fixture
def lambda_settings(settings, lambda_environment, collected_static):
    """Switch Django to config.settings.aws_lambda, keeping the test database."""
    lambda_values = load_lambda_settings()
    test_values = settings_in(vars(config.settings.test))
    for name in test_values.keys() - lambda_values.keys() - KEEP_TEST_SETTINGS:
        delattr(settings, name)
    for name, value in lambda_values.items():
        if name not in KEEP_TEST_SETTINGS and test_values.get(name) != value:
            setattr(settings, name, value)
    settings.STATIC_ROOT = collected_static
    return settings


@pytest.fixture
def lambda_handler(lambda_settings) -> Iterator[Handler]:
    """config.web_function's handler, built under the Lambda settings."""
    # Like Django's test client, keep the test database's connection open across requests.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield make_handler(get_wsgi_application())
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The manage and tasks functions keep the test database's connection, and so the test's
    transaction, open, as Django's test client does; on Lambda they close stale connections."""
    for function in (config.manage_function, config.tasks_function):
        monkeypatch.setattr(function, "close_old_connections", lambda: None)
