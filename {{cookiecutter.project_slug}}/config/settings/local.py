"""Settings for development on your machine, manage.py's default. Need no environment at all."""

import environ

from .base import *  # noqa: F403
from .base import BASE_DIR

env = environ.Env()
# .env holds the secret key written when the project was generated; real environment
# variables win over it. Add DATABASE_URL there (or export it) to use Postgres.
env.read_env(BASE_DIR / ".env")

DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}

# Uploads on this machine's disk (gitignored); runserver serves them at MEDIA_URL.
MEDIA_ROOT = BASE_DIR / "media"
# Emails are printed where runserver logs, not sent.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
