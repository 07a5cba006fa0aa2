"""bin/deploy with recording stand-ins for the AWS and SAM CLIs on PATH."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fake_aws import ACCOUNT, FUNCTION_URL, MIGRATIONS_FUNCTION, Run, run_with_fakes
from tests.helpers import bake

REGION = "us-east-1"
STACK = "my-django-app-production"
IMAGE_REPOSITORY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-django-app"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = bake(tmp_path_factory.mktemp("deploy"))
    (project / "uv.lock").write_text("version = 1\n")  # bin/setup writes the real one
    return project


def deploy(project: Path, fakes: Path, *args: str, **variables: str) -> Run:
    secrets = {
        "DJANGO_SECRET_KEY": "s3cret-key-with-$pecial-characters-and-enough-length-0123456789",
        "DATABASE_URL": "postgres://app:p%40ss@db.example.com:5432/app",
    }
    return run_with_fakes(project, fakes, "bin/deploy", *args, **{**secrets, **variables})


def test_first_deploy(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes)

    assert run.returncode == 0, run.stderr
    assert run.commands() == [
        "aws sts get-caller-identity",
        "aws ecr describe-repositories",
        "aws ecr create-repository",
        "aws ecr put-lifecycle-policy",
        "sam build",
        "sam deploy",
        "aws cloudformation describe-stacks",
        "aws lambda invoke",
        "aws cloudformation describe-stacks",
    ]
    create = run.call("aws ecr create-repository")
    assert create[create.index("--repository-name") + 1] == "my-django-app"
    assert "scanOnPush=true" in create
    sam_deploy = run.call("sam deploy")
    assert sam_deploy[sam_deploy.index("--stack-name") + 1] == STACK
    assert sam_deploy[sam_deploy.index("--region") + 1] == REGION
    assert sam_deploy[sam_deploy.index("--image-repository") + 1] == IMAGE_REPOSITORY
    overrides = sam_deploy[sam_deploy.index("--parameter-overrides") + 1 :]
    assert overrides == [
        "EnvironmentName=production",
        "DjangoSecretKey=s3cret-key-with-$pecial-characters-and-enough-length-0123456789",
        "DatabaseUrl=postgres://app:p%40ss@db.example.com:5432/app",
        "AllowedHosts=",
        "LogLevel=INFO",
        "FromEmail=",
        "AdminEmails=",
    ]
    invoke = run.call("aws lambda invoke")
    assert invoke[invoke.index("--function-name") + 1] == f"{MIGRATIONS_FUNCTION}:live"
    assert json.loads(invoke[invoke.index("--payload") + 1]) == {}
    assert "  Applying shop.0002_price... OK\n" in run.stdout
    assert run.stdout.endswith(f"==> Deployed {STACK}: {FUNCTION_URL}\n")


def test_existing_repository_is_reused(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes, FAKE_ECR_EXISTS="1")

    assert run.returncode == 0, run.stderr
    assert "aws ecr create-repository" not in run.commands()
    assert "aws ecr put-lifecycle-policy" not in run.commands()


def test_environment_names_the_stack(project: Path, fakes: Path) -> None:
    run = deploy(
        project,
        fakes,
        "staging",
        FAKE_ECR_EXISTS="1",
        DJANGO_ALLOWED_HOSTS="a.example",
        DJANGO_DEFAULT_FROM_EMAIL="noreply@a.example",
        DJANGO_ADMINS="ops@a.example",
    )

    sam_deploy = run.call("sam deploy")
    assert sam_deploy[sam_deploy.index("--stack-name") + 1] == "my-django-app-staging"
    assert "EnvironmentName=staging" in sam_deploy
    assert "AllowedHosts=a.example" in sam_deploy
    assert "FromEmail=noreply@a.example" in sam_deploy
    assert "AdminEmails=ops@a.example" in sam_deploy


def test_a_failed_migration_fails_the_deploy(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes, FAKE_ECR_EXISTS="1", FAKE_MIGRATION_FAILS="1")

    assert run.returncode == 1
    assert "ProgrammingError: boom" in run.stderr
    assert run.stderr.rstrip().endswith(
        "bin/deploy: the migrations failed (Unhandled): their output is above."
    )
    assert "==> Deployed" not in run.stdout


def test_a_failed_stack_deploy_stops_before_migrating(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes, FAKE_ECR_EXISTS="1", FAKE_SAM_FAILS="deploy")

    assert run.returncode != 0
    assert run.commands()[-1] == "sam deploy"


def test_missing_credentials_are_explained(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes, FAKE_NO_CREDENTIALS="1")

    assert run.returncode == 1
    assert run.commands() == ["aws sts get-caller-identity"]
    assert run.stderr.rstrip().endswith(
        "bin/deploy: no usable AWS credentials: run 'aws configure sso' (or set AWS_PROFILE),"
        " or use the Deploy workflow."
    )


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_missing_secret_is_named(project: Path, fakes: Path, variable: str) -> None:
    run = deploy(project, fakes, **{variable: ""})

    assert run.returncode == 1
    assert run.calls == []
    assert run.stderr.startswith(f"bin/deploy: {variable} is not set")


def test_missing_lock_file_is_explained(tmp_path: Path, fakes: Path) -> None:
    project = bake(tmp_path)

    run = deploy(project, fakes)

    assert run.returncode == 1
    assert run.calls == []
    assert "uv.lock is missing: run bin/setup and commit uv.lock" in run.stderr


def test_reset_is_sent_only_with_its_confirmation(project: Path, fakes: Path) -> None:
    run = deploy(project, fakes, FAKE_ECR_EXISTS="1", RESET_DATABASE_CONFIRM='app"; DROP')

    invoke = run.call("aws lambda invoke")
    assert json.loads(invoke[invoke.index("--payload") + 1]) == {"reset_database": 'app"; DROP'}
    assert 'every table of app"; DROP is dropped first' in run.stdout
