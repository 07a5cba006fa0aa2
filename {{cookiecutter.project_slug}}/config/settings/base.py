"""Settings shared by every environment; local, test and aws_lambda start from these."""

from pathlib import Path

from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "{{ cookiecutter.project_slug }}",
    "users",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # pages, not the static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.database.StatementTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.csp",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The project's own user model from the first migration (users/models.py): Django cannot swap
# it once auth's tables exist.
AUTH_USER_MODEL = "users.User"

# Content-Security-Policy on every page, locally too: everything loads from this site only, and
# inline code runs only with the request's nonce, which the admin's templates add.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # django-axes: refuses locked-out logins unchecked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5  # failed logins from one IP address lock it out, counted in the database
AXES_COOLOFF_TIME = 1  # hour after its last try
AXES_VERBOSE = False  # no log line at each cold start
LOGIN_REDIRECT_URL = "home"  # after /accounts/login/ without ?next= (not /accounts/profile/)

# Sessions live in a signed cookie: a Lambda execution environment keeps no memory between
# cold starts, and a session table would cost a database write per login. Local development
# uses the same engine so it behaves like Lambda. Signed, not encrypted: keep secrets out of
# request.session.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

TIME_ZONE = "UTC"  # Django's default is America/Chicago

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploads: where each environment keeps them is its own setting (STORAGES / MEDIA_ROOT).
MEDIA_URL = "media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
