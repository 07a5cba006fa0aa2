"""Rendering: defaults, each option, awkward answers, bad answers."""

from __future__ import annotations

import ast
import json
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.helpers import DEFAULT_SLUG, TEMPLATE_DIR, CloudFormationLoader, bake, bake_typed, run

EXPECTED_FILES = [
    ".devcontainer/Dockerfile",
    ".devcontainer/compose.yaml",
    ".devcontainer/devcontainer.json",
    ".dockerignore",
    ".editorconfig",
    ".env",
    ".gitattributes",
    ".github/dependabot.yml",
    ".github/workflows/deploy.yml",
    ".github/workflows/manage.yml",
    ".github/workflows/test.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".python-version",
    "Dockerfile",
    "README.md",
    "docs/costs.md",
    "docs/tasks.md",
    "docs/database.md",
    "docs/dependencies.md",
    "docs/lambda.md",
    "docs/users-uploads-email.md",
    "bin/deploy",
    "bin/manage-remote",
    "bin/setup",
    "config/__init__.py",
    "config/database.py",
    "config/mail.py",
    "config/media.py",
    "config/tasks.py",
    "config/tasks_function.py",
    "config/web_function.py",
    "config/manage_function.py",
    "config/pre_traffic_hook.py",
    "config/settings/__init__.py",
    "config/settings/aws_lambda.py",
    "config/settings/base.py",
    "config/settings/local.py",
    "config/settings/test.py",
    "config/urls.py",
    "config/wsgi.py",
    "deploy-role.yaml",
    "manage.py",
    "pyproject.toml",
    "template.yaml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/environment.py",
    "tests/events.py",
    "tests/test_deploy.py",
    "tests/test_database.py",
    "tests/test_email.py",
    "tests/test_login.py",
    "tests/test_media.py",
    "tests/test_tasks.py",
    "tests/test_web_function.py",
    "tests/test_manage_function.py",
    "tests/test_pre_traffic_hook.py",
    "tests/test_settings.py",
    "tests/test_start_up.py",
    "tests/test_views.py",
    "tests/urls.py",
    "uv.lock",
    "users/__init__.py",
    "users/admin.py",
    "users/tasks.py",
    "users/apps.py",
    "users/migrations/0001_initial.py",
    "users/migrations/__init__.py",
    "users/models.py",
    "{slug}/__init__.py",
    "{slug}/apps.py",
    "{slug}/management/__init__.py",
    "{slug}/management/commands/__init__.py",
    "{slug}/management/commands/migrate.py",
    "{slug}/static/{slug}/css/site.css",
    "{slug}/static/{slug}/img/logo.png",
    "{slug}/templates/registration/login.html",
    "{slug}/templates/{slug}/home.html",
    "{slug}/urls.py",
    "{slug}/views.py",
]
# Jinja left in a generated file. Django templates use {{ }} and {% %} themselves, so there
# only cookiecutter's variables and Jinja's own tags count.
LEFTOVER_COOKIECUTTER = re.compile(r"cookiecutter\.|{%-?\s*(raw|endraw|set)\b")
LEFTOVER_JINJA = re.compile(r"{{[^{}\n]*}}|{%[^%\n]*%}")
GITHUB_EXPRESSION = re.compile(r"\$\{\{[^{}\n]*\}\}")
# Answers a user may well type: quotes, a backslash, non-ASCII, HTML and Jinja/Django syntax.
AWKWARD_ANSWERS = {
    "project_name": "Café \"L'Été\" \\ {{ 7*7 }} {% now 'Y' %} <b>&amp;",
    "description": "Dépôt 'quoted' \"double\" \\n {{ cookiecutter.project_slug }} {# c #}",
    "author_name": 'Zoë O\'Brien "ZOB" \\',
}


def text_files(project: Path) -> dict[Path, str]:
    return {
        path: path.read_text()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.suffix != ".png"
    }


def python_string_constant(path: Path, name: str) -> str:
    """The value of `name = "..."` in a Python file, read without running it."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not assigned in {path}")


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("default"))


def test_defaults_generate_the_whole_project(default_project: Path) -> None:
    assert default_project.name == DEFAULT_SLUG
    files = {
        str(path.relative_to(default_project))
        for path in default_project.rglob("*")
        if path.is_file()
    }
    assert files == {name.format(slug=DEFAULT_SLUG) for name in EXPECTED_FILES}


def test_readme_is_short_and_links_to_files_that_exist(default_project: Path) -> None:
    documents = [default_project / "README.md", *(default_project / "docs").glob("*.md")]
    assert len(documents) > 1
    assert len(documents[0].read_text().splitlines()) <= 250, "deeper topics belong in docs/"
    for document in documents:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", document.read_text()):
            assert (document.parent / target).exists(), (document.name, target)


@pytest.mark.parametrize("slug", [DEFAULT_SLUG, "a" * 40])
def test_readme_lists_files_that_exist(tmp_path: Path, slug: str) -> None:
    project = bake(tmp_path, project_slug=slug)
    readme = (project / "README.md").read_text()
    tree = readme.split("## What is where\n\n```\n", 1)[1].split("```", 1)[0]

    for line in tree.splitlines():
        path, description = line.split(" ", 1)
        assert (project / path).exists(), path
        assert description.strip(), line


def test_scripts_are_executable(default_project: Path) -> None:
    for script in [
        "bin/deploy",
        "bin/setup",
        "manage.py",
    ]:
        mode = (default_project / script).stat().st_mode
        assert mode & stat.S_IXUSR, f"{script} is not executable"


def test_env_file_is_local_and_ignored(default_project: Path) -> None:
    env = (default_project / ".env").read_text()

    assert re.search(r"^DJANGO_SECRET_KEY=[\w-]{50,}$", env, re.MULTILINE)
    assert ".env" in (default_project / ".gitignore").read_text().splitlines()


def test_two_projects_get_different_secret_keys(default_project: Path, tmp_path: Path) -> None:
    other = bake(tmp_path)

    assert (other / ".env").read_text() != (default_project / ".env").read_text()


@pytest.mark.parametrize("answers", [{}, AWKWARD_ANSWERS], ids=["defaults", "awkward"])
def test_no_jinja_left(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_typed(tmp_path, **answers)

    for path, text in text_files(project).items():
        for answer in answers.values():
            text = text.replace(answer, "").replace(json.dumps(answer, ensure_ascii=False), "")
        assert not LEFTOVER_COOKIECUTTER.search(text), (
            f"{path}: {LEFTOVER_COOKIECUTTER.search(text)}"
        )
        if path.suffix != ".html":
            text = GITHUB_EXPRESSION.sub("", text)
            assert not LEFTOVER_JINJA.search(text), f"{path}: {LEFTOVER_JINJA.search(text)}"
    for path in project.rglob("*"):
        assert "{" not in path.name, path


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"python_version": "3.12"},
        # ruff's formatter writes some code differently for a 3.14 target (PEP 758).
        {"python_version": "3.14"},
        {"architecture": "x86_64"},
        {"aws_region": "eu-west-1"},
        {"project_slug": "a" * 40},
        AWKWARD_ANSWERS,
    ],
    ids=[
        "defaults",
        "python-3.12",
        "python-3.14",
        "x86_64",
        "eu-west-1",
        "longest-slug",
        "awkward",
    ],
)
def test_ruff_is_clean(tmp_path: Path, answers: dict[str, str]) -> None:
    project = bake_typed(tmp_path, **answers)

    check = ruff("check", "--no-cache", ".", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    format_check = ruff("format", "--no-cache", "--check", "--diff", ".", cwd=project)
    assert format_check.returncode == 0, format_check.stdout + format_check.stderr


@pytest.mark.parametrize("python_version", ["3.12", "3.14"])
def test_python_version(tmp_path: Path, python_version: str) -> None:
    project = bake(tmp_path, python_version=python_version)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert (project / ".python-version").read_text() == f"{python_version}\n"
    assert pyproject["project"]["requires-python"] == ">=3.12", "uv.lock resolves for all"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{python_version.replace('.', '')}"
    assert f"Python {python_version} image" in (project / "README.md").read_text()


def test_architecture(tmp_path: Path) -> None:
    project = bake(tmp_path, architecture="x86_64")

    assert "`x86_64` functions" in (project / "README.md").read_text()


def test_region(tmp_path: Path) -> None:
    project = bake(tmp_path, aws_region="eu-west-1")

    settings = (project / "config" / "settings" / "aws_lambda.py").read_text()
    assert 'AWS_REGION = env("AWS_REGION", default="eu-west-1")' in settings
    assert python_string_constant(project / "tests" / "events.py", "REGION") == "eu-west-1"
    assert "region `eu-west-1`" in (project / "README.md").read_text()


def test_slug_names_the_package(tmp_path: Path) -> None:
    project = bake(tmp_path, project_name="Shop Front", project_slug="storefront")

    assert project.name == "storefront"
    assert (project / "storefront" / "apps.py").is_file()
    assert '"storefront"' in (project / "config" / "settings" / "base.py").read_text()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "storefront"


def test_slug_is_derived_from_the_name(tmp_path: Path) -> None:
    project = bake(tmp_path, project_name="Crème Brûlée Shop!")

    assert project.name == "creme_brulee_shop"


def test_awkward_answers_stay_data(tmp_path: Path) -> None:
    project = bake_typed(tmp_path, **AWKWARD_ANSWERS)

    apps = project / project.name / "apps.py"
    assert python_string_constant(apps, "verbose_name") == AWKWARD_ANSWERS["project_name"]
    assert python_string_constant(apps, "description") == AWKWARD_ANSWERS["description"]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == AWKWARD_ANSWERS["description"]
    assert pyproject["project"]["authors"] == [{"name": AWKWARD_ANSWERS["author_name"]}]
    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    for path in project.rglob("*.json"):
        json.loads(path.read_text())
    for path in project.rglob("*.y*ml"):
        yaml.load(path.read_text(), Loader=CloudFormationLoader)
    devcontainer = json.loads((project / ".devcontainer" / "devcontainer.json").read_text())
    assert devcontainer["name"] == AWKWARD_ANSWERS["project_name"]
    for field, answer in AWKWARD_ANSWERS.items():
        quoted = json.dumps(answer, ensure_ascii=False)
        assert yaml.safe_load(quoted) == answer, f"{field} would not survive YAML"
    readme = (project / "README.md").read_text()
    assert readme.startswith(f"# {AWKWARD_ANSWERS['project_name']}\n")


def test_answers_typed_at_the_prompts_are_not_rendered(tmp_path: Path) -> None:
    """Typed answers reach the files as typed: `{{ 7*7 }}` stays text, nothing executes."""
    name = 'Typed {{ 7*7 }} "app"'

    project = bake_typed(tmp_path, project_name=name, description="{% if true %}desc")

    assert project.name == "typed_7_7_app"
    apps = project / project.name / "apps.py"
    assert python_string_constant(apps, "verbose_name") == name
    assert python_string_constant(apps, "description") == "{% if true %}desc"


@pytest.mark.parametrize(
    ("answers", "problem", "advice"),
    [
        (
            {"project_slug": "django"},
            "project_slug 'django' is the name of a Python module the project needs",
            "type 'django_app' instead.",
        ),
        (
            {"project_slug": "My-App"},
            "project_slug 'My-App' is not a lowercase Python identifier "
            "(a-z, 0-9 and _, starting with a letter)",
            "type 'my_app' instead.",
        ),
        (
            {"project_slug": "config"},
            "project_slug 'config' is the name of a Python module the project needs",
            "type 'config_app' instead.",
        ),
        (
            {"aws_region": "Frankfurt"},
            "aws_region 'Frankfurt' does not look like an AWS region",
            "type a region code such as 'us-east-1' or 'eu-west-1'.",
        ),
        (
            {"project_name": "Bad\tName"},
            "project_name 'Bad\\tName' contains a line break or control character",
            "type it on one line.",
        ),
    ],
)
def test_bad_answers_stop_generation(
    tmp_path: Path, answers: dict[str, str], problem: str, advice: str
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE_DIR),
            "-o",
            str(tmp_path),
            *(f"{key}={value}" for key, value in answers.items()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert errors == [f"ERROR: {problem}: {advice}"], result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing is left behind"


def test_a_checkout_that_converts_line_endings_keeps_the_scripts_lf(tmp_path: Path) -> None:
    project = bake(tmp_path / "out")
    author = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    for command in [["init", "-q"], ["add", "--all"], [*author, "commit", "-qm", "Generated"]]:
        run(["git", *command], project)
    # What Git for Windows does by default: CRLF in the working tree.
    clone = tmp_path / "windows-clone"
    run(["git", "clone", "-q", "-c", "core.autocrlf=true", str(project), str(clone)], tmp_path)

    for name in ["bin/deploy", "bin/setup", "Dockerfile", "template.yaml"]:
        assert b"\r\n" not in (clone / name).read_bytes(), name
