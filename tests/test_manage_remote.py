"""bin/manage-remote with a recording stand-in for the AWS CLI on PATH."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fake_aws import MIGRATIONS_FUNCTION, Run, run_with_fakes
from tests.helpers import bake


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("manage-remote"))


def manage_remote(project: Path, fakes: Path, *args: str, **variables: str) -> Run:
    return run_with_fakes(project, fakes, "bin/manage-remote", *args, **variables)


def command_result(stdout: str, stderr: str = "", exit_status: int = 0) -> str:
    return json.dumps(
        {"command": ["x"], "exit_status": exit_status, "stdout": stdout, "stderr": stderr}
    )


def sent_payload(run: Run) -> dict:
    invoke = run.call("aws lambda invoke")
    assert invoke[invoke.index("--function-name") + 1] == f"{MIGRATIONS_FUNCTION}:live"
    return json.loads(invoke[invoke.index("--payload") + 1])


def test_output_and_status_as_if_run_here(project: Path, fakes: Path) -> None:
    result = command_result("auth\n [X] 0001_initial\n", "a warning\n")

    run = manage_remote(project, fakes, "showmigrations", "auth", FAKE_INVOKE_RESULT=result)

    assert run.returncode == 0, run.stderr
    assert run.commands() == [
        "aws sts get-caller-identity",
        "aws cloudformation describe-stacks",
        "aws lambda invoke",
    ]
    stack = run.call("aws cloudformation describe-stacks")
    assert stack[stack.index("--stack-name") + 1] == "my-django-app-production"
    assert sent_payload(run) == {"manage": ["showmigrations", "auth"], "environment": {}}
    assert (run.stdout, run.stderr) == ("auth\n [X] 0001_initial\n", "a warning\n")


def test_a_failing_command_exits_with_its_status(project: Path, fakes: Path) -> None:
    failure = {
        "errorType": "CommandFailed",
        "errorMessage": command_result("", "CommandError: No installed app\n", exit_status=3),
    }

    run = manage_remote(
        project,
        fakes,
        "migrate",
        "nope",
        FAKE_INVOKE_RESULT=json.dumps(failure),
        FAKE_FUNCTION_ERROR="Unhandled",
    )

    assert run.returncode == 3
    assert run.stderr == "CommandError: No installed app\n"


def test_a_refused_command_says_why(project: Path, fakes: Path) -> None:
    refusal = {
        "errorType": "CommandRefused",
        "errorMessage": "'flush' may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: check",
    }

    run = manage_remote(
        project,
        fakes,
        "flush",
        FAKE_INVOKE_RESULT=json.dumps(refusal),
        FAKE_FUNCTION_ERROR="Unhandled",
    )

    assert run.returncode == 1
    assert run.stderr == (
        "bin/manage-remote: CommandRefused: 'flush' may not run remotely. "
        "REMOTE_MANAGEMENT_COMMANDS allows: check\n"
    )


def test_arguments_and_superuser_variables_travel_as_data(project: Path, fakes: Path) -> None:
    run = manage_remote(
        project,
        fakes,
        "createsuperuser",
        "--username",
        "o'brien; rm -rf /",
        FAKE_INVOKE_RESULT=command_result("Superuser created successfully.\n"),
        DJANGO_SUPERUSER_PASSWORD='pa"ss $(word)',
        DJANGO_SECRET_KEY="not sent",
    )

    assert run.returncode == 0, run.stderr
    assert sent_payload(run) == {
        "manage": ["createsuperuser", "--username", "o'brien; rm -rf /"],
        "environment": {"DJANGO_SUPERUSER_PASSWORD": 'pa"ss $(word)'},
    }


def test_the_database_name_confirms_a_destructive_command(project: Path, fakes: Path) -> None:
    run = manage_remote(
        project,
        fakes,
        "migrate",
        "auth",
        "zero",
        FAKE_INVOKE_RESULT=command_result("Unapplying auth.0012... OK\n"),
        CONFIRM_DATABASE="app_staging",
    )

    assert run.returncode == 0, run.stderr
    assert sent_payload(run) == {
        "manage": ["migrate", "auth", "zero"],
        "environment": {},
        "confirm_database": "app_staging",
    }


def test_environment_picks_the_stack(project: Path, fakes: Path) -> None:
    run = manage_remote(
        project, fakes, "check", ENVIRONMENT="staging", FAKE_INVOKE_RESULT=command_result("ok\n")
    )

    stack = run.call("aws cloudformation describe-stacks")
    assert stack[stack.index("--stack-name") + 1] == "my-django-app-staging"


def test_missing_stack(project: Path, fakes: Path) -> None:
    run = manage_remote(project, fakes, "check", FAKE_NO_STACK="1")

    assert run.returncode == 1
    assert run.stderr.rstrip().endswith(
        "bin/manage-remote: no stack my-django-app-production in us-east-1: deploy it first,"
        " or set ENVIRONMENT."
    )


def test_missing_credentials(project: Path, fakes: Path) -> None:
    run = manage_remote(project, fakes, "check", FAKE_NO_CREDENTIALS="1")

    assert run.returncode == 1
    assert run.commands() == ["aws sts get-caller-identity"]
    assert "bin/manage-remote: no usable AWS credentials" in run.stderr


def test_timeout(project: Path, fakes: Path) -> None:
    run = manage_remote(project, fakes, "migrate", FAKE_INVOKE_TIMEOUT="1")

    assert run.returncode == 1
    assert "bin/manage-remote: the invocation did not complete" in run.stderr


def test_no_command(project: Path, fakes: Path) -> None:
    run = manage_remote(project, fakes)

    assert run.returncode == 1
    assert run.calls == []
    assert (
        run.stderr == "bin/manage-remote: name a command, e.g. bin/manage-remote showmigrations\n"
    )
