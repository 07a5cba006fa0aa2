"""The hooks' functions, imported from the hook files themselves."""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import TEMPLATE_DIR


def load_hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "hooks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

VALID_ANSWERS = {
    "project_name": "My Django App",
    "project_slug": "my_django_app",
    "description": "A Django project that runs on AWS Lambda.",
    "author_name": "Your Name",
    "aws_region": "us-east-1",
}


@pytest.mark.parametrize("slug", ["my_django_app", "blog", "shop2", "a"])
def test_valid_slugs(slug: str) -> None:
    assert pre_gen.check_slug(slug) is None


@pytest.mark.parametrize(
    ("slug", "problem", "suggestion"),
    [
        ("My-App", "is not a lowercase Python identifier", "'my_app'"),
        ("my app", "is not a lowercase Python identifier", "'my_app'"),
        ("2048_game", "is not a lowercase Python identifier", "'app_2048_game'"),
        ("café", "is not a lowercase Python identifier", "'cafe'"),
        ("", "is not a lowercase Python identifier", "'my_app'"),
        ("a" * 41, "is longer than 40 characters", "'" + "a" * 40 + "'"),
        ("django", "is the name of a Python module the project needs", "'django_app'"),
        ("config", "is the name of a Python module the project needs", "'config_app'"),
        ("test", "is the name of a Python module the project needs", "'test_app'"),
        ("tests", "is the name of a Python module the project needs", "'tests_app'"),
        ("whitenoise", "is the name of a Python module the project needs", "'whitenoise_app'"),
        ("users", "is the name of a Python module the project needs", "'users_app'"),
        ("storages", "is the name of a Python module the project needs", "'storages_app'"),
        # Import names of packages the lock brings in without the project naming them.
        ("requests", "is the name of a Python module the project needs", "'requests_app'"),
        ("sentry_sdk", "is the name of a Python module the project needs", "'sentry_sdk_app'"),
        ("asgiref", "is the name of a Python module the project needs", "'asgiref_app'"),
        ("urllib3", "is the name of a Python module the project needs", "'urllib3_app'"),
        ("sqlparse", "is the name of a Python module the project needs", "'sqlparse_app'"),
        ("yaml", "is the name of a Python module the project needs", "'yaml_app'"),
        ("email", "is the name of a Python module the project needs", "'email_app'"),
        ("class", "is the name of a Python module the project needs", "'class_app'"),
    ],
)
def test_invalid_slugs_say_what_to_type(slug: str, problem: str, suggestion: str) -> None:
    message = pre_gen.check_slug(slug)

    assert message is not None
    assert problem in message
    assert message.endswith(f"type {suggestion} instead.")
    assert pre_gen.check_slug(suggestion.strip("'")) is None, "the suggestion itself is valid"


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-northwest-1"]
)
def test_valid_regions(region: str) -> None:
    assert pre_gen.check_region(region) is None


@pytest.mark.parametrize("region", ["", "us-east", "US-EAST-1", "useast1", "us_east_1", "mars-1"])
def test_invalid_regions(region: str) -> None:
    assert pre_gen.check_region(region) == (
        f"aws_region {region!r} does not look like an AWS region: "
        "type a region code such as 'us-east-1' or 'eu-west-1'."
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("two\nlines", "contains a line break or control character"),
        ("bell\a", "contains a line break or control character"),
    ],
)
def test_invalid_text(value: str, problem: str) -> None:
    message = pre_gen.check_text("description", value)

    assert message is not None
    assert message.startswith("description ")
    assert problem in message


def test_text_may_hold_quotes_backslashes_jinja_and_non_ascii() -> None:
    assert pre_gen.check_text("project_name", 'Café "Q" \\ {{ x }} {% y %} <b>') is None


def test_check_answers_reports_every_problem() -> None:
    answers = {**VALID_ANSWERS, "project_slug": "django", "aws_region": "nowhere"}

    errors = pre_gen.check_answers(answers)

    assert len(errors) == 2
    assert errors[0].startswith("project_slug 'django'")
    assert errors[1].startswith("aws_region 'nowhere'")
    assert pre_gen.check_answers(VALID_ANSWERS) == []


def test_env_file_holds_a_fresh_secret_key(tmp_path: Path) -> None:
    assert post_gen.write_env_file(tmp_path) is True

    env_file = tmp_path / ".env"
    lines = [line for line in env_file.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 1
    name, _, key = lines[0].partition("=")
    assert name == "DJANGO_SECRET_KEY"
    assert len(key) >= 50
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600

    other = tmp_path / "other"
    other.mkdir()
    post_gen.write_env_file(other)
    assert (other / ".env").read_text() != env_file.read_text(), "each project gets its own key"


def test_env_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DJANGO_SECRET_KEY=mine\nDATABASE_URL=postgres://x\n")

    assert post_gen.write_env_file(tmp_path) is False
    assert (tmp_path / ".env").read_text() == "DJANGO_SECRET_KEY=mine\nDATABASE_URL=postgres://x\n"


def test_scripts_become_executable(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    scripts = [tmp_path / "bin" / "setup", tmp_path / "manage.py"]
    for script in scripts:
        script.write_text("#!/bin/sh\n")
        script.chmod(0o644)

    assert post_gen.make_scripts_executable(tmp_path) == scripts
    for script in scripts:
        assert stat.S_IMODE(script.stat().st_mode) == 0o755


def test_next_steps_name_the_project(tmp_path: Path) -> None:
    project = tmp_path / "shop"

    steps = post_gen.next_steps(project)

    assert "cd shop\n" in steps
    assert "bin/setup" in steps
    assert "uv run manage.py runserver" in steps
