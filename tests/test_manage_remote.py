"""bin/manage-remote with the real AWS CLI v2 against moto, on a stack bin/deploy deployed
(the manage function's answers are queued: see tests/aws_endpoint.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.aws_clients import Clients, Run, image_repository
from tests.aws_endpoint import AwsEndpoint
from tests.helpers import bake

STACK = "my-django-app-production"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, aws_endpoint: AwsEndpoint) -> Path:
    """A project whose production stack is deployed."""
    aws_endpoint.reset()
    project = bake(tmp_path_factory.mktemp("manage-remote"), architecture="x86_64")
    aws_endpoint.answer({"command": ["migrate"], "exit_status": 0, "stdout": "", "stderr": ""})
    deployed = Clients(aws_endpoint, tmp_path_factory.mktemp("deploy")).run(
        project,
        "bin/deploy",
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://db/app",
        ECR_REPOSITORY=image_repository(STACK),
    )
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    return project


def manage_remote(project: Path, clients: Clients, *args: str, **variables: str | None) -> Run:
    return clients.run(project, "bin/manage-remote", *args, **variables)


def command_result(stdout: str, stderr: str = "", exit_status: int = 0) -> dict:
    return {"command": ["x"], "exit_status": exit_status, "stdout": stdout, "stderr": stderr}


def sent_payload(endpoint: AwsEndpoint) -> dict:
    (invocation,) = endpoint.invocations
    assert invocation.function.startswith(f"{STACK}-ManageFunction-")
    assert invocation.qualifier == "live"
    return invocation.payload


def test_output_and_status_as_if_run_here(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(command_result("auth\n [X] 0001_initial\n", "a warning\n"))

    run = manage_remote(project, clients, "showmigrations", "auth")

    assert (run.returncode, run.stdout, run.stderr) == (
        0,
        "auth\n [X] 0001_initial\n",
        "a warning\n",
    )
    assert sent_payload(aws_endpoint) == {"manage": ["showmigrations", "auth"], "environment": {}}


def test_a_failing_command_exits_with_its_status(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    result = command_result("", "CommandError: No installed app\n", exit_status=3)
    failure = {"errorType": "CommandFailed", "errorMessage": json.dumps(result)}
    aws_endpoint.answer(failure, function_error="Unhandled")

    run = manage_remote(project, clients, "migrate", "nope")

    assert (run.returncode, run.stderr) == (3, "CommandError: No installed app\n")


def test_a_refused_command_says_why(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    refusal = {
        "errorType": "CommandRefused",
        "errorMessage": "'flush' may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: check",
    }
    aws_endpoint.answer(refusal, function_error="Unhandled")

    run = manage_remote(project, clients, "flush")

    assert (run.returncode, run.stderr) == (
        1,
        "bin/manage-remote: CommandRefused: 'flush' may not run remotely. "
        "REMOTE_MANAGEMENT_COMMANDS allows: check\n",
    )


def test_arguments_and_superuser_variables_travel_as_data(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(command_result("Superuser created successfully.\n"))

    run = manage_remote(
        project,
        clients,
        "createsuperuser",
        "--username",
        "o'brien; rm -rf / é",
        DJANGO_SUPERUSER_PASSWORD='pa"ss $(word) €',
        DJANGO_SECRET_KEY="not sent",
    )

    assert run.returncode == 0, run.stderr
    assert sent_payload(aws_endpoint) == {
        "manage": ["createsuperuser", "--username", "o'brien; rm -rf / é"],
        "environment": {"DJANGO_SUPERUSER_PASSWORD": 'pa"ss $(word) €'},
    }
    for path in clients.home.rglob("*"):  # the payload's file is gone
        assert not path.is_file() or b'pa"ss' not in path.read_bytes(), path


def test_the_database_name_confirms_a_destructive_command(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(command_result("Unapplying auth.0012... OK\n"))

    run = manage_remote(project, clients, "migrate", "auth", "zero", CONFIRM_DATABASE="app")

    assert run.returncode == 0, run.stderr
    assert sent_payload(aws_endpoint) == {
        "manage": ["migrate", "auth", "zero"],
        "environment": {},
        "confirm_database": "app",
    }


def test_missing_stack(project: Path, clients: Clients, aws_endpoint: AwsEndpoint) -> None:
    run = manage_remote(project, clients, "check", ENVIRONMENT="staging")

    assert run.returncode == 1
    assert "Stack with id my-django-app-staging does not exist" in run.stderr
    assert run.stderr.endswith(
        "bin/manage-remote: no stack my-django-app-staging in us-east-1: deploy it first,"
        " or set ENVIRONMENT.\n"
    )
    assert aws_endpoint.invocations == []


def test_missing_credentials(project: Path, clients: Clients) -> None:
    run = manage_remote(project, clients, "check", AWS_ACCESS_KEY_ID=None)

    assert run.returncode == 1
    assert "Unable to locate credentials" in run.stderr
    assert "bin/manage-remote: no usable AWS credentials" in run.stderr


def test_no_command(project: Path, clients: Clients) -> None:
    run = manage_remote(project, clients)

    assert (run.returncode, run.stderr) == (
        1,
        "bin/manage-remote: name a command, e.g. bin/manage-remote showmigrations\n",
    )


def test_the_manage_workflow_splits_the_command_without_expanding_it(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(command_result("ok\n"))

    run = clients.run_step(
        project,
        "manage.yml",
        "bin/manage-remote",
        {"ENVIRONMENT": "production", "MANAGE_COMMAND": "showmigrations  $(id) 'a b' *"},
    )

    assert (run.returncode, run.stdout) == (0, "ok\n"), run.stderr
    assert sent_payload(aws_endpoint)["manage"] == ["showmigrations", "$(id)", "'a", "b'", "*"]


# Last: it deletes the alias the others invoke.
def test_a_failed_invocation_is_reported(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    (function,) = aws_endpoint.functions(f"{STACK}-ManageFunction-")
    aws_endpoint.delete_alias(function, "live")

    run = manage_remote(project, clients, "check")

    assert run.returncode == 1
    assert "(ResourceNotFoundException)" in run.stderr
    assert run.stderr.endswith(
        "bin/manage-remote: the invocation did not complete (the AWS CLI's error is above)."
        " After a timeout the command may still be running: see the manage function's"
        " log in CloudWatch.\n"
    )
