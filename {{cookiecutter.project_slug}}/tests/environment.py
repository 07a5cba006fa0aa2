"""The environment a deployed function gets, and the Lambda settings read under it."""

from __future__ import annotations

import runpy
from typing import Any

from tests.events import REGION

LAMBDA_ENVIRONMENT = {
    "AWS_REGION": REGION,
    "DJANGO_SECRET_KEY": "lambda-tests-only-0f8c2b6e9d4a7f1c3e5b8d0a2c4e6f8a1b3d5f7",
    # Parsed, never connected to: the tests keep pytest-django's test database.
    "DATABASE_URL": "postgres://app:password@db.internal.example:5432/app",
    # template.yaml's MediaBucket, and its DjangoDefaultFromEmail parameter once email is set up.
    "DJANGO_MEDIA_BUCKET": "app-media",
    "DJANGO_DEFAULT_FROM_EMAIL": "noreply@example.com",
    "TASKS_FUNCTION": "app-production_tasks:live",
}


def settings_in(namespace: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in namespace.items() if name.isupper()}


def load_lambda_settings() -> dict[str, Any]:
    """Run config.settings.aws_lambda afresh under the current environment; its settings."""
    return settings_in(runpy.run_module("config.settings.aws_lambda"))
