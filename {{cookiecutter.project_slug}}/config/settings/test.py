"""Settings for pytest. The Lambda settings are tested through the lambda_settings fixture."""

import environ

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-used-by-nothing-but-the-test-suite"

# SQLite in memory unless DATABASE_URL points at Postgres (the devcontainer and CI set it).
DATABASES = {"default": environ.Env().db("DATABASE_URL", default="sqlite://:memory:")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Messages stay in django.core.mail.outbox (Django's test set-up would swap it in anyway).
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
