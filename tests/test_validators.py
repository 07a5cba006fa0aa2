"""Each generated file passes the validator its ecosystem trusts, for every option."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import editorconfig
import pytest
import yaml

from tests.helpers import TEMPLATE_DIR, bake, bake_typed, load_sam_template, run

BIN = Path(sys.executable).parent
DEVCONTAINER_SCHEMA = TEMPLATE_DIR / "tests" / "schemas" / "devContainer.base.schema.json"
VARIANTS = {
    "defaults": {},
    "python-3.12": {"python_version": "3.12"},
    "python-3.14": {"python_version": "3.14"},
    "x86_64": {"architecture": "x86_64"},
    "eu-west-1": {"aws_region": "eu-west-1"},
    # The pair that meets in the image tag, the runner and the Dockerfiles.
    "x86_64-python-3.12": {"architecture": "x86_64", "python_version": "3.12"},
    "awkward": {
        "project_name": 'Café "L\'Été" \\ {{ 7*7 }} <b>&amp;',
        "description": 'It\'s {% if %} "quoted" \\ ${{ github.token }}',
        "author_name": "Zoë O'Brien",
    },
}


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake_typed(tmp_path_factory.mktemp(request.param), **VARIANTS[request.param])


def validate(*args: str | Path, cwd: Path) -> None:
    run([str(arg) for arg in args], cwd)


def test_hadolint(project: Path) -> None:
    for dockerfile in ["Dockerfile", ".devcontainer/Dockerfile"]:
        validate(BIN / "hadolint", dockerfile, cwd=project)


def test_shellcheck(project: Path) -> None:
    scripts = sorted((project / "bin").iterdir())
    shell_scripts = [path for path in scripts if path.read_text().startswith("#!/usr/bin/env bash")]
    assert {path.name for path in shell_scripts} == {
        "setup",
    }
    validate(BIN / "shellcheck", *shell_scripts, cwd=project)


def test_cfn_lint(project: Path) -> None:
    validate(BIN / "cfn-lint", "template.yaml", "deploy-role.yaml", cwd=project)


def test_actionlint(project: Path) -> None:
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    validate(BIN / "actionlint", *workflows, cwd=project)


def test_workflow_schema(project: Path) -> None:
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert [path.name for path in workflows] == ["deploy.yml", "manage.yml", "test.yml"]
    validate(
        BIN / "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        *workflows,
        cwd=project,
    )


def test_zizmor(project: Path) -> None:
    validate(BIN / "zizmor", "--offline", "--no-progress", ".github/workflows", cwd=project)


def test_devcontainer_schema(project: Path) -> None:
    validate(
        BIN / "check-jsonschema",
        "--schemafile",
        DEVCONTAINER_SCHEMA,
        ".devcontainer/devcontainer.json",
        cwd=project,
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.compose-spec", ".devcontainer/compose.yaml"),
        ("vendor.dependabot", ".github/dependabot.yml"),
    ],
)
def test_vendored_schema(project: Path, schema: str, path: str) -> None:
    validate(BIN / "check-jsonschema", "--builtin-schema", schema, path, cwd=project)


def test_pre_commit_config(project: Path) -> None:
    validate(BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml", cwd=project)


def test_files_follow_editorconfig(project: Path) -> None:
    """Every text file the project starts with obeys its .editorconfig."""
    problems = []
    for path in sorted(project.rglob("*")):
        if not path.is_file() or path.suffix == ".png":
            continue
        rules = editorconfig.get_properties(str(path))
        text = path.read_bytes().decode(rules["charset"].replace("utf-8-bom", "utf-8-sig"))
        if rules["end_of_line"] == "lf" and "\r" in text:
            problems.append(f"{path.name}: CR line endings")
        if rules["insert_final_newline"] == "true" and text and not text.endswith("\n"):
            problems.append(f"{path.name}: no final newline")
        for number, line in enumerate(text.splitlines(), 1):
            if rules["trim_trailing_whitespace"] == "true" and line != line.rstrip():
                problems.append(f"{path.name}:{number}: trailing whitespace")
            if rules["indent_style"] == "space" and line.startswith("\t"):
                problems.append(f"{path.name}:{number}: tab indentation")
    assert problems == []


def test_dependabot_covers_uv_actions_and_both_dockerfiles(tmp_path: Path) -> None:
    project = bake(tmp_path)
    config = yaml.safe_load((project / ".github" / "dependabot.yml").read_text())

    folders = {
        update["package-ecosystem"]: update.get("directories") or [update["directory"]]
        for update in config["updates"]
    }
    assert folders == {"uv": ["/"], "github-actions": ["/"], "docker": ["/", "/.devcontainer"]}
    for folder in folders["docker"]:
        assert (project / folder.lstrip("/") / "Dockerfile").is_file()


def test_pre_commit_runs_the_projects_ruff(tmp_path: Path) -> None:
    project = bake(tmp_path)
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    dev = tomllib.loads((project / "pyproject.toml").read_text())["dependency-groups"]["dev"]

    (ruff,) = (pin for pin in dev if pin.startswith("ruff=="))
    (repo,) = config["repos"]
    assert repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit"
    assert repo["rev"] == "v" + ruff.removeprefix("ruff==")
    assert [hook["id"] for hook in repo["hooks"]] == ["ruff-check", "ruff-format"]


@pytest.mark.parametrize("architecture", ["arm64", "x86_64"])
def test_architecture_is_consistent(tmp_path: Path, architecture: str) -> None:
    project = bake(tmp_path, architecture=architecture)

    template = load_sam_template(project)
    assert template["Globals"]["Function"]["Architectures"] == [architecture]
    for function in ["WebFunction", "ManageFunction"]:
        tag = template["Resources"][function]["Metadata"]["DockerTag"]
        assert tag.endswith(f"-{architecture}")
    deploy = yaml.safe_load((project / ".github" / "workflows" / "deploy.yml").read_text())
    runner = {"arm64": "ubuntu-24.04-arm", "x86_64": "ubuntu-24.04"}[architecture]
    assert deploy["jobs"]["deploy"]["runs-on"] == runner


@pytest.mark.parametrize("python_version", ["3.13", "3.14", "3.12"])
def test_python_version_is_consistent(tmp_path: Path, python_version: str) -> None:
    project = bake(tmp_path, python_version=python_version)

    for dockerfile in ["Dockerfile", ".devcontainer/Dockerfile"]:
        text = (project / dockerfile).read_text()
        stages = re.findall(r"^FROM \S+ AS (\S+)", text, re.MULTILINE)
        bases = set(re.findall(r"^FROM (\S+)", text, re.MULTILINE)) - set(stages)
        assert bases == {f"python:{python_version}-slim-trixie"}


def test_one_image_four_functions(tmp_path: Path) -> None:
    project = bake(tmp_path)
    template = load_sam_template(project)
    resources = template["Resources"]
    web = resources["WebFunction"]
    migrations = resources["ManageFunction"]
    hook = resources["PreTrafficHook"]
    tasks = resources["TasksFunction"]

    assert web["Metadata"] == migrations["Metadata"] == hook["Metadata"] == tasks["Metadata"]
    assert hook["Properties"]["ImageConfig"] == {"Command": ["config.pre_traffic_hook.handler"]}
    assert tasks["Properties"]["ImageConfig"] == {"Command": ["config.tasks_function.handler"]}
    assert web["Properties"]["PackageType"] == migrations["Properties"]["PackageType"] == "Image"
    assert web["Properties"]["FunctionUrlConfig"] == {"AuthType": "NONE"}
    assert "FunctionUrlConfig" not in migrations["Properties"]
    assert migrations["Properties"]["ImageConfig"] == {
        "Command": ["config.manage_function.handler"]
    }, "the image's own entrypoint: nothing runs before the runtime client asks for an event"
    dockerfile = (project / "Dockerfile").read_text()
    assert re.search(r"^WORKDIR /app$", dockerfile, re.MULTILINE)
    assert 'ENTRYPOINT ["/app/.venv/bin/python", "-m", "awslambdaric"]' in dockerfile
    assert 'CMD ["config.web_function.handler"]' in dockerfile
    assert migrations["Properties"]["Timeout"] > template["Globals"]["Function"]["Timeout"]
    assert template["Globals"]["Function"]["AutoPublishAlias"] == "live"
    assert template["Globals"]["Function"]["LoggingConfig"] == {"LogFormat": "JSON"}
    hooks = web["Properties"]["DeploymentPreference"]["Hooks"]
    assert hooks == {"PreTraffic": {"!Ref": "PreTrafficHook"}}
    assert set(template["Outputs"]) == {
        "FunctionUrl",
        "ManageFunctionName",
        "AlarmTopicArn",
        "MediaBucketName",
        "TasksDeadLetterQueueUrl",
    }


def test_secrets_have_no_default_and_are_not_echoed(tmp_path: Path) -> None:
    project = bake(tmp_path)
    parameters = load_sam_template(project)["Parameters"]

    for name in ["DjangoSecretKey", "DatabaseUrl"]:
        assert parameters[name]["NoEcho"] is True
        assert "Default" not in parameters[name]


def test_github_expressions_survive_rendering(tmp_path: Path) -> None:
    project = bake(tmp_path)
    deploy = (project / ".github" / "workflows" / "deploy.yml").read_text()

    assert "${{ inputs.environment }}" in deploy
    assert "${{ secrets.DJANGO_SECRET_KEY }}" in deploy
    assert "${{ vars.AWS_DEPLOY_ROLE_ARN }}" in deploy
    # Inputs reach the shell only through the environment, never inside a run: script.
    for workflow in (project / ".github" / "workflows").glob("*.yml"):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (workflow.name, step)


def test_deploy_and_manage_queue_on_one_group_per_environment(tmp_path: Path) -> None:
    """A command never runs while a deploy to the same environment migrates, nor the reverse."""
    project = bake(tmp_path)
    workflows = project / ".github" / "workflows"
    groups = [
        yaml.safe_load((workflows / name).read_text())["concurrency"]
        for name in ["deploy.yml", "manage.yml"]
    ]

    expected = {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False}
    assert groups == [expected, expected]


def test_dockerignore_keeps_secrets_and_tests_out(tmp_path: Path) -> None:
    project = bake(tmp_path)
    ignored = set((project / ".dockerignore").read_text().split())

    assert {".env", ".git", ".venv", "tests", "**/__pycache__", "db.sqlite3"} <= ignored


def test_devcontainer_points_at_its_postgres(tmp_path: Path) -> None:
    project = bake(tmp_path)
    devcontainer = json.loads((project / ".devcontainer" / "devcontainer.json").read_text())
    compose = yaml.safe_load((project / ".devcontainer" / "compose.yaml").read_text())

    assert devcontainer["postCreateCommand"] == "bin/setup"
    # The slim image has no curl or unzip, which the other features need: common-utils first.
    features = [feature.rpartition(":")[0] for feature in devcontainer["features"]]
    order = devcontainer["overrideFeatureInstallOrder"]
    assert order[0] == "ghcr.io/devcontainers/features/common-utils"
    assert sorted(order) == sorted(features)
    assert devcontainer["forwardPorts"] == [8000]
    app = compose["services"][devcontainer["service"]]
    assert app["environment"]["DATABASE_URL"].startswith("postgres://postgres:postgres@postgres:")
    postgres = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:\d+", postgres["image"])
    assert "healthcheck" in postgres
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(volume.startswith("postgres-data:") for volume in postgres["volumes"])
