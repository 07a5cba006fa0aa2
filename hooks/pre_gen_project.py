"""Check the answers before cookiecutter writes anything.

Each check is a small function that returns an error message or None, so the tests can import
them. cookiecutter removes the half-made project directory when this hook exits non-zero.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

from slugify import slugify  # python-slugify, a dependency of cookiecutter itself

# Top-level names the generated project lays out itself; a slug with one of these would shadow
# it. So would the standard library's (sys.stdlib_module_names) and DEPENDENCY_NAMES.
PROJECT_NAMES = frozenset({"bin", "config", "manage", "staticfiles", "test", "tests", "users"})
# The import names of every package the generated project's uv.lock installs (all groups), as
# tests/relock.py writes them with the lock, from the installed packages.
# relock: the names below, up to the closing brace
DEPENDENCY_NAMES = frozenset(
    {
        "anymail",
        "apig_wsgi",
        "asgiref",
        "attr",
        "attrs",
        "awslambdaric",
        "axes",
        "boto3",
        "botocore",
        "certifi",
        "cffi",
        "charset_normalizer",
        "cryptography",
        "dateutil",
        "django",
        "environ",
        "idna",
        "iniconfig",
        "jmespath",
        "markupsafe",
        "moto",
        "packaging",
        "pluggy",
        "psycopg",
        "psycopg_binary",
        "py",
        "py_partiql_parser",
        "pycparser",
        "pygments",
        "pytest",
        "pytest_django",
        "requests",
        "responses",
        "ruff",
        "runtime_client",
        "s3_encryption",
        "s3transfer",
        "sentry_sdk",
        "simplejson",
        "six",
        "snapshot_restore_py",
        "sqlparse",
        "storages",
        "typing_extensions",
        "urllib3",
        "werkzeug",
        "whitenoise",
        "xmltodict",
        "yaml",
    }
)
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
MAX_SLUG_LENGTH = 40
# us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-northwest-1, ...
REGION_PATTERN = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[1-9]")


def is_taken(slug: str) -> bool:
    return (
        keyword.iskeyword(slug)
        or slug in PROJECT_NAMES | DEPENDENCY_NAMES
        or slug in sys.stdlib_module_names
    )


def suggest_slug(slug: str) -> str:
    """A slug close to `slug` that passes check_slug."""
    suggestion = slugify(slug, separator="_", max_length=MAX_SLUG_LENGTH) or "my_app"
    if suggestion[0].isdigit():
        suggestion = ("app_" + suggestion)[:MAX_SLUG_LENGTH].rstrip("_")
    if is_taken(suggestion):
        suggestion += "_app"
    return suggestion


def check_slug(slug: str) -> str | None:
    if len(slug) > MAX_SLUG_LENGTH:
        return (
            f"project_slug {slug!r} is longer than {MAX_SLUG_LENGTH} characters (it also names "
            f"the stack, the functions and the ECR repository): type {suggest_slug(slug)!r} instead."
        )
    if not SLUG_PATTERN.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier "
            f"(a-z, 0-9 and _, starting with a letter): type {suggest_slug(slug)!r} instead."
        )
    if is_taken(slug):
        return (
            f"project_slug {slug!r} is the name of a Python module the project needs: "
            f"type {suggest_slug(slug)!r} instead."
        )
    return None


def check_region(region: str) -> str | None:
    if not REGION_PATTERN.fullmatch(region):
        return (
            f"aws_region {region!r} does not look like an AWS region: "
            "type a region code such as 'us-east-1' or 'eu-west-1'."
        )
    return None


def check_text(name: str, value: str) -> str | None:
    """Free-text answers end up in Python, TOML, YAML and HTML: one printable line each."""
    if not value.strip():
        return f"{name} is empty: type a few words."
    if not value.isprintable():
        return f"{name} {value!r} contains a line break or control character: type it on one line."
    return None


def check_answers(answers: dict[str, str]) -> list[str]:
    errors = [
        check_text("project_name", answers["project_name"]),
        check_text("description", answers["description"]),
        check_text("author_name", answers["author_name"]),
        check_slug(answers["project_slug"]),
        check_region(answers["aws_region"]),
    ]
    return [error for error in errors if error]


def main() -> int:
    # Raw string of JSON: tojson writes every quote inside an answer as \" (or \u0027), so no
    # answer can end the string early, and backslashes reach json.loads untouched.
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    errors = check_answers(answers)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
