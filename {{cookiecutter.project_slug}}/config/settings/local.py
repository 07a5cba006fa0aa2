"""Settings for development on your machine, manage.py's default. Need no environment at all."""

import os

import dj_database_url
from dotenv import load_dotenv

from .base import *  # noqa: F403
from .base import BASE_DIR

# .env holds the secret key written when the project was generated; real environment
# variables win over it. Add DATABASE_URL there (or export it) to use Postgres.
load_dotenv(BASE_DIR / ".env")

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-local-development-only")

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}

# Uploads on this machine's disk (gitignored); runserver serves them at MEDIA_URL.
MEDIA_ROOT = BASE_DIR / "media"
# Emails are printed where runserver logs, not sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
