"""Settings for the Lambda functions: DJANGO_SETTINGS_MODULE=config.settings.aws_lambda.

Everything secret or deployment-specific comes from the function's environment; a missing
variable stops the function at start-up with an error that names it. The filesystem is
read-only except /tmp, and no memory survives a cold start, hence the choices below.
"""

import logging
import os
from email.utils import parseaddr

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

from .base import *  # noqa: F403


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"The {name} environment variable is not set: the Lambda settings need it "
            "(see Environment variables in README.md)."
        )
    return value


def secret_key() -> str:
    """DJANGO_SECRET_KEY, refused unless `check --deploy` would accept it (security.W009)."""
    key = required("DJANGO_SECRET_KEY")
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak: use at least 50 random characters, not "
            "starting with 'django-insecure-', e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    return key


def host_names(value: str) -> list[str]:
    """DJANGO_ALLOWED_HOSTS' entries, refused unless each is a bare host name."""
    hosts = [host.strip() for host in value.split(",") if host.strip()]
    for host in hosts:
        if "://" in host or "/" in host or ":" in host or "*" in host:
            raise ImproperlyConfigured(
                f"DJANGO_ALLOWED_HOSTS has {host!r}: give bare host names, comma-separated, "
                "without scheme, port or path, e.g. www.example.com; a leading dot "
                "(.example.com) also allows every subdomain."
            )
    return hosts


def conn_max_age() -> int:
    """DJANGO_CONN_MAX_AGE in whole seconds; 600 when unset."""
    value = os.environ.get("DJANGO_CONN_MAX_AGE") or "600"
    if not value.isdigit():
        raise ImproperlyConfigured(
            f"DJANGO_CONN_MAX_AGE is {value!r}: give whole seconds, e.g. 600 to keep a "
            "connection for 10 minutes, or 0 to close it after each request."
        )
    return int(value)


def is_address(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def email_address(name: str) -> str:
    """An address from the environment variable `name`, or "" when it is unset."""
    value = os.environ.get(name, "").strip()
    if value and not is_address(value):
        raise ImproperlyConfigured(
            f"{name} is {value!r}: give one bare email address, e.g. noreply@example.com."
        )
    return value


def admins(value: str) -> list[tuple[str, str]]:
    """DJANGO_ADMINS' entries, "Name <address>" or "address", comma-separated."""
    entries = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        name, address = parseaddr(entry)
        if entry not in (address, f"{name} <{address}>") or not is_address(address):
            raise ImproperlyConfigured(
                f"DJANGO_ADMINS has {entry!r}: give email addresses, comma-separated, each "
                "either ops@example.com or Ops Team <ops@example.com>."
            )
        entries.append((name or address, address))
    return entries


DEBUG = False
SECRET_KEY = secret_key()

# The hosts this function answers for. A Function URL's host is only known after the first
# deploy, so by default any Function URL host in the function's region is allowed: a fresh
# deploy works with no second step, and a request with any other Host still gets 400. Set
# DJANGO_ALLOWED_HOSTS (comma-separated) to pin the exact Function URL host and add a custom
# domain. Lambda sets AWS_REGION; the fallback covers the image build and scripts.
AWS_REGION = os.environ.get("AWS_REGION", "{{ cookiecutter.aws_region }}")
named_hosts = host_names(os.environ.get("DJANGO_ALLOWED_HOSTS", ""))
ALLOWED_HOSTS = named_hosts or [f".lambda-url.{AWS_REGION}.on.aws"]
# Same-origin POSTs pass Django's Origin check on their own, so the default trusts no other
# origin: trusting the region's Function URLs would admit forms posted from anyone's
# function. Hosts you name are trusted, so a custom domain in front of the Function URL can
# post to it. A leading dot means "and subdomains", which CSRF_TRUSTED_ORIGINS spells "*.".
CSRF_TRUSTED_ORIGINS = [
    f"https://*{host}" if host.startswith(".") else f"https://{host}" for host in named_hosts
]

# Function URLs, API Gateway and ALB all set X-Forwarded-Proto themselves, and apig-wsgi
# turns it into wsgi.url_scheme, so request.is_secure() is true for HTTPS requests without
# SECURE_PROXY_SSL_HEADER. A plain-HTTP request (an ALB HTTP listener) is redirected.
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Start small: raise it once every host you serve is known to work over HTTPS.
SECURE_HSTS_SECONDS = 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a promise, for the whole domain, that you make when you submit it to
    # hstspreload.org; the Function URL's domain is not yours to submit.
    "security.W021",
]

# One connection per execution environment, reused across warm invocations for
# DJANGO_CONN_MAX_AGE seconds (0: a connection per request, which lets a database that
# pauses when idle, like Aurora Serverless, pause while environments sit frozen); the health
# check reconnects when a connection died while the environment was frozen. A database host
# that accepts and never answers would otherwise hold a request until the function's
# timeout: connecting gives up after 5 s unless DATABASE_URL says ?connect_timeout=N.
DATABASES = {
    "default": dj_database_url.parse(
        required("DATABASE_URL"), conn_max_age=conn_max_age(), conn_health_checks=True
    )
}
# DATABASE_URL may go through a transaction pooler (PgBouncer, RDS Proxy, Neon's or
# Supabase's pooled host), which hands each transaction whichever server connection is free:
# a server-side cursor (QuerySet.iterator() on Postgres) would be fetched from a connection
# that never declared it. Client-side cursors work through any pooler, and directly too.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# collectstatic runs when the image is built; WhiteNoise serves the hashed, compressed files.
# Uploads (FileField, ImageField) go to the private S3 bucket template.yaml creates, never to
# /tmp, which goes away with the execution environment. Links to them are signed and expire;
# an upload never replaces an existing file of the same name. Credentials are the function's
# role's. The backend (and boto3) is imported on the first use of default_storage, not here.
STORAGES = {
    "default": {
        "BACKEND": "config.media.MediaStorage",
        "OPTIONS": {
            "bucket_name": os.environ.get("DJANGO_MEDIA_BUCKET", ""),
            "region_name": AWS_REGION,
            "file_overwrite": False,
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email goes through Amazon SES (django-anymail), as the function's role, which may send only
# from DJANGO_DEFAULT_FROM_EMAIL. Until that is set, sending fails with an error naming it.
EMAIL_BACKEND = "config.mail.EmailBackend"
ANYMAIL = {"AMAZON_SES_CLIENT_PARAMS": {"region_name": AWS_REGION}}
DEFAULT_FROM_EMAIL = email_address("DJANGO_DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL  # the role may send from no other address
# Server errors (each 500, which Django logs on django.request) are mailed to ADMINS by the
# mail_admins handler Django's default logging puts on the "django" logger; LOGGING below
# keeps it. With no ADMINS it sends nothing.
ADMINS = admins(os.environ.get("DJANGO_ADMINS", ""))
if ADMINS and not SERVER_EMAIL:
    raise ImproperlyConfigured(
        "DJANGO_ADMINS is set but DJANGO_DEFAULT_FROM_EMAIL is not: errors are mailed from "
        "it, e.g. DJANGO_DEFAULT_FROM_EMAIL=noreply@example.com."
    )

# Management commands that bin/manage-remote and the Manage workflow may run on Lambda, in the
# manage function (only callers allowed to invoke it can ask). Add your own commands here.
REMOTE_MANAGEMENT_COMMANDS = [
    "check",
    "createsuperuser",
    "flush",
    "migrate",
    "showmigrations",
]
# Of those, the ones that destroy data: they run only when the invocation names the database
# ("confirm_database"), as a reset does. Migrating backwards always needs it too.
DESTRUCTIVE_REMOTE_COMMANDS = ["flush"]

# Errors to Sentry when SENTRY_DSN is set. Unset, sentry_sdk is never imported: it would
# lengthen every cold start for nothing. The Lambda integration sends what an invocation
# reported before the execution environment is frozen.
if SENTRY_DSN := os.environ.get("SENTRY_DSN"):
    import sentry_sdk
    from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT") or "production",
        integrations=[AwsLambdaIntegration()],
        send_default_pii=False,
    )

# Logs go to stdout, which Lambda sends to CloudWatch. awslambdaric attaches its own handler
# to the root logger before it imports the handler module (each line gets the request id,
# and JSON when the function's log format is JSON), so then only the level is set here.
# Elsewhere (the image build, the migrations script) a plain stdout handler takes its place.
LOG_LEVEL = (os.environ.get("DJANGO_LOG_LEVEL") or "INFO").upper()
if LOG_LEVEL not in logging.getLevelNamesMapping():
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL is {LOG_LEVEL!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
if logging.getLogger().handlers:
    LOGGING = {"version": 1, "incremental": True, "root": {"level": LOG_LEVEL}}
else:
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "[%(levelname)s] %(name)s: %(message)s"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "plain",
            }
        },
        "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    }
