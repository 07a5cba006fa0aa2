"""Settings for the Lambda functions (the Dockerfile's DJANGO_SETTINGS_MODULE).

Everything deployment-specific comes from the environment, which template.yaml's parameter
constraints check before a deploy.
"""

import logging

import environ
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

env = environ.Env()

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")

# A Function URL's host is known only after the first deploy, so by default any Function URL
# host in the region is allowed: a fresh deploy works with no second step. DJANGO_ALLOWED_HOSTS
# pins the exact host and adds custom domains. Lambda sets AWS_REGION.
AWS_REGION = env("AWS_REGION", default="{{ cookiecutter.aws_region }}")
named_hosts = env.list("DJANGO_ALLOWED_HOSTS", cast=str.strip, default=[])
ALLOWED_HOSTS = named_hosts or [f".lambda-url.{AWS_REGION}.on.aws"]
# Same-origin POSTs pass Django's Origin check on their own; trusting the region's Function
# URLs would admit forms posted from anyone's function. Named hosts are trusted.
CSRF_TRUSTED_ORIGINS = [
    f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in named_hosts
]

# The Function URL (HTTPS only) sets X-Forwarded-Proto, which apig-wsgi turns into
# wsgi.url_scheme, so no SECURE_PROXY_SSL_HEADER is needed.
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 3600  # start small: raise it once every host works over HTTPS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# HSTS preload is a promise for the whole domain, made by submitting it to hstspreload.org;
# the Function URL's domain is not yours to submit.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# One connection per execution environment, kept ?conn_max_age=N seconds (DATABASE_URL), 600
# by default; 0 lets a database that pauses when idle pause while environments sit frozen.
# The health check replaces a connection that died while the environment was frozen.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"].setdefault("CONN_MAX_AGE", 600)
# A transaction pooler (PgBouncer, RDS Proxy, Neon's) hands each transaction any server
# connection, where a server-side cursor was never declared; client-side ones work anywhere.
DATABASES["default"] |= {"CONN_HEALTH_CHECKS": True, "DISABLE_SERVER_SIDE_CURSORS": True}
# A database host that accepts and never answers would hold a request until the function's
# timeout: give up connecting after 5 s unless DATABASE_URL says ?connect_timeout=N.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# A statement still running (or waiting for a lock) after 20 s is canceled and its request gets a
# 503 (config/database.py), well within the function's 30 s; through a transaction pooler
# (DATABASE_DIRECT_URL set) the database role's limit applies instead (docs/database.md).
DATABASES["default"]["STATEMENT_TIMEOUT"] = None if env.str("DATABASE_DIRECT_URL", "") else "20s"

# Static files are collected when the image is built; WhiteNoise serves them. Uploads go to
# the private bucket template.yaml creates, behind signed links; none replaces another.
STORAGES = {
    "default": {
        "BACKEND": "config.media.MediaStorage",
        "OPTIONS": {
            "bucket_name": env("DJANGO_MEDIA_BUCKET", default=""),
            "region_name": AWS_REGION,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "object_parameters": {"ContentDisposition": "attachment"},  # never shown as a page
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Tasks (django.tasks) run in the tasks function, sent there once their transaction commits;
# elsewhere Django's immediate backend runs them at once, in the process (docs/tasks.md).
TASKS = {
    "default": {
        "BACKEND": "config.tasks.LambdaTaskBackend",
        "OPTIONS": {"FUNCTION": env("TASKS_FUNCTION", default="")},
    }
}

# Email goes through Amazon SES (django-anymail) as the function's role, which may send only
# from DJANGO_DEFAULT_FROM_EMAIL: it is every message's sender, error reports' too.
MAILERS = {"default": {"BACKEND": "config.mail.EmailBackend"}}
ANYMAIL = {"AMAZON_SES_CLIENT_PARAMS": {"region_name": AWS_REGION}}
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="")
# Each server error is mailed to ADMINS ("Name <address>" or "address", comma-separated) by
# the mail_admins handler of Django's default logging, which LOGGING below keeps.
ADMINS = env.list("DJANGO_ADMINS", cast=str.strip, default=[])
if ADMINS and not SERVER_EMAIL:
    raise ImproperlyConfigured("DJANGO_ADMINS needs DJANGO_DEFAULT_FROM_EMAIL to mail from.")

# Management commands that bin/manage-remote and the Manage workflow may run in the manage
# function (only callers allowed to invoke it can ask). Add your own commands here.
REMOTE_MANAGEMENT_COMMANDS = ["check", "createsuperuser", "flush", "migrate", "showmigrations"]
# Of those, the ones that destroy data: they run only when the invocation names the database
# ("confirm_database"), as a reset does. Migrating backwards always needs it too.
DESTRUCTIVE_REMOTE_COMMANDS = ["flush"]

# Errors to Sentry when SENTRY_DSN is set (sentry_sdk reads it and SENTRY_ENVIRONMENT); unset,
# sentry_sdk is never imported, which would lengthen every cold start for nothing.
if env("SENTRY_DSN", default=""):
    import sentry_sdk
    from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration

    sentry_sdk.init(integrations=[AwsLambdaIntegration()], send_default_pii=False)

# Logs go to stdout, which Lambda sends to CloudWatch. awslambdaric puts its own handler on the
# root logger before importing the handler module (request ids, JSON lines), so then only the
# level is set; elsewhere (the image build, scripts) a plain stdout handler takes its place.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
if logging.getLogger().handlers:
    LOGGING = {"version": 1, "incremental": True, "root": {"level": LOG_LEVEL}}
else:
    stdout = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "[%(levelname)s] %(name)s: %(message)s"}},
        "handlers": {"stdout": stdout},
        "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    }
