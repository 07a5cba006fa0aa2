"""Rendering the template and running what it generates."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
import yaml
from cookiecutter.main import cookiecutter
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# The uv this suite pins (tests drive generated projects with it), not a shim on PATH.
UV = str(Path(sys.executable).parent / "uv")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEFAULT_SLUG = "my_django_app"
STACK_NAME = "my-django-app-production"  # what the image tests' functions take for AWS::StackName


def bake(output_dir: Path, **answers: str) -> Path:
    """Render the template with `answers` (the rest default); the project directory."""
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(output_dir)
        )
    )


# The prompts in cookiecutter.json's order; a choice is answered with its number.
PROMPTS = [
    "project_name",
    "project_slug",
    "description",
    "author_name",
    "python_version",
    "architecture",
    "aws_region",
]


def bake_typed(output_dir: Path, **answers: str) -> Path:
    """Render the template the way a person does: answers typed at cookiecutter's prompts.

    Unlike `extra_context` (which cookiecutter renders as Jinja), typed answers are taken
    literally, so this is the way to render answers that contain `{{ }}` or `{% %}`.
    """
    choices = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    lines = []
    for name in PROMPTS:
        answer = answers.get(name, "")
        if answer and isinstance(choices[name], list):
            answer = str(choices[name].index(answer) + 1)
        lines.append(answer)
    result = subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(TEMPLATE_DIR), "-o", str(output_dir)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (project,) = output_dir.iterdir()
    return project


def unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where everything must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def find_python(version: str) -> str:
    """An interpreter of `version` (e.g. "3.13") on this machine: pyenv's, else one on PATH."""
    candidates = []
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates += sorted(Path(pyenv_root).glob(f"versions/{version}.*/bin/python{version}"))
    if found := shutil.which(f"python{version}"):
        candidates.append(Path(found))
    for candidate in candidates:
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return str(candidate)
    unavailable(f"no Python {version} interpreter on this machine")
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    parts = urlsplit(POSTGRES_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def postgres_url(database: str) -> str:
    """POSTGRES_URL pointing at `database` (pytest-django creates test_<database> itself)."""
    if not postgres_available():
        unavailable(f"no Postgres at {POSTGRES_URL}")
    return re.sub(r"/[^/]*$", f"/{database}", POSTGRES_URL)


def project_env(python: str, **extra: str) -> dict[str, str]:
    """Environment for uv in a generated project: that interpreter, nothing downloaded."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
        and not key.startswith("UV_")
    }
    env["PATH"] = f"{Path(UV).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(UV_PYTHON=python, UV_PYTHON_DOWNLOADS="never", **extra)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600):
    """Run a command to completion (this process's environment unless `env`); fail on error."""
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result


class CloudFormationLoader(yaml.SafeLoader):
    """Reads template.yaml: CloudFormation's short tags become {"!Tag": value}."""


def _tagged(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, object]:
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {f"!{tag_suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _tagged)


def load_sam_template(project: Path) -> dict:
    return yaml.load((project / "template.yaml").read_text(), Loader=CloudFormationLoader)


def translate_sam_template(
    project: Path, parameters: dict[str, str], image_uri: str = "", region: str = "eu-west-1"
) -> dict:
    """template.yaml as CloudFormation deploys it: SAM's transform, given `parameters`.

    `sam deploy` gives each image function the ImageUri of the image it pushed; `image_uri`
    stands in for it (no Docker, no ECR here).
    """
    template = yaml_parse((project / "template.yaml").read_text())
    for resource in template["Resources"].values():
        if resource["Properties"].get("PackageType") == "Image":
            resource["Properties"]["ImageUri"] = image_uri or (
                f"123456789012.dkr.ecr.{region}.amazonaws.com/app:webfunction-0123456789ab"
            )
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    return translator.translate(template, dict(parameters), get_managed_policy_map=dict)


def function_environment(
    template: dict, function: str, parameters: dict[str, str]
) -> dict[str, str]:
    """A function's environment variables from template.yaml, parameters filled in (their
    defaults where not given), and a resource's name (a bucket's) as its logical id."""
    variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
    environment = {}
    for name, value in variables.items():
        if isinstance(value, dict) and "!Sub" in value:  # a name made from the stack's
            value = value["!Sub"].replace("${AWS::StackName}", STACK_NAME)
        if isinstance(value, dict):
            ((tag, reference),) = value.items()
            assert tag == "!Ref", f"{name}: only !Ref and !Sub are understood here, not {tag}"
            if reference.split(".")[0] in template["Resources"]:  # a function or its .Alias
                value = reference.lower()
            else:
                value = parameters.get(reference, template["Parameters"][reference].get("Default"))
                assert value is not None, f"{name}: parameter {reference} has no value or Default"
        environment[name] = str(value)
    return environment
