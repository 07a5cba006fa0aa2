"""bin/deploy and bin/manage-remote, run in-process: moto for STS, ECR and the logs, botocore's
Stubber for CloudFormation and Lambda, and a stand-in for the sam and docker commands. (The
template's own tests run the real `sam deploy` against moto's server.)"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from runpy import run_path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

PROJECT = Path(__file__).resolve().parent.parent
URL = "https://abc123.lambda-url.example.on.aws/"
MANAGE_FUNCTION = "my-app-production-ManageFunction-AbC123"
SECRETS = {
    "DJANGO_SECRET_KEY": "k" * 50,
    "DATABASE_URL": "postgres://app:p%40ss@db.example.com/app",
}
MIGRATED = {
    "command": ["migrate"],
    "exit_status": 0,
    "stdout": "Applying a.0002... OK\n",
    "stderr": "",
}
FAILED = {
    "command": ["migrate"],
    "exit_status": 1,
    "stdout": "",
    "stderr": "ProgrammingError: boom\n",
}
BUILT = """Resources:
  WebFunction: {Properties: {ImageUri: "webfunction:v1", Role: !GetAtt Role.Arn}}
  ManageFunction: {Properties: {ImageUri: "managefunction:v1"}}
  Role: {Type: AWS::IAM::Role}
"""


def workflow_step(workflow: str) -> dict[str, Any]:
    """The workflow's step that runs one of the scripts."""
    (job,) = yaml.safe_load((PROJECT / ".github" / "workflows" / workflow).read_text())[
        "jobs"
    ].values()
    (step,) = [step for step in job["steps"] if step.get("name", "").startswith("bin/")]
    return step


def variable(parameter: str) -> str:
    return re.sub(r"(?<=.)(?=[A-Z])", "_", parameter).upper()


def described(stack: str, status: str) -> dict[str, Any]:
    outputs = {"ManageFunctionName": MANAGE_FUNCTION, "FunctionUrl": URL}
    outputs_list = [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()]
    created = datetime.now()
    return {
        "Stacks": [
            {
                "StackName": stack,
                "CreationTime": created,
                "StackStatus": status,
                "Outputs": outputs_list,
            }
        ]
    }


def answer(result: dict[str, Any], function_error: str | None = None) -> dict[str, Any]:
    body = json.dumps(result).encode()
    response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
    return {**response, "FunctionError": function_error} if function_error else response


class Commands:
    """subprocess.run for `sam build` (writes a built template), `sam deploy` (records its
    options and the parameters file, answers `status`) and `docker image inspect`."""

    def __init__(self) -> None:
        self.deploys: list[dict[str, Any]] = []
        self.status = 0
        self.image = "sha256:1111"

    def __call__(self, command: list[str], cwd: Path | None = None, **kwargs: Any) -> Any:
        stdout = b""
        if command[:2] == ["sam", "build"]:
            built = Path(str(cwd), ".aws-sam", "build", "template.yaml")
            built.parent.mkdir(parents=True, exist_ok=True)
            built.write_text(BUILT)
        elif command[:2] == ["sam", "deploy"]:
            options = dict(zip(command[2::2], command[3::2], strict=True))
            path = Path(options["--parameter-overrides"].removeprefix("file://"))
            options["mode"] = oct(path.stat().st_mode & 0o777)
            self.deploys.append(
                {**options, "file": path, "values": yaml.safe_load(path.read_text())}
            )
            return subprocess.CompletedProcess(command, self.status)
        elif command[:3] == ["docker", "image", "inspect"]:
            stdout = json.dumps([{"Id": self.image} for _ in command[3:]]).encode()
        return subprocess.CompletedProcess(command, 0, stdout)


class Aws:
    """The scripts and template.yaml, copied to a directory and loaded from there, on moto, with
    Stubbers on their CloudFormation and Lambda clients; `commands` stands in for subprocess."""

    def __init__(self, directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
        shutil.copytree(PROJECT / "bin", directory / "bin")
        shutil.copy(PROJECT / "template.yaml", directory)
        self.capsys = capsys
        self.commands = Commands()
        self.deploy = SimpleNamespace(**run_path(str(directory / "bin" / "deploy")))
        self.remote = SimpleNamespace(**run_path(str(directory / "bin" / "manage-remote")))
        self.stack = f"{self.remote.PROJECT}-production"
        template = yaml.load((directory / "template.yaml").read_text(), self.deploy.CloudFormation)
        self.parameters = template["Parameters"]
        self.stubs = {
            (script, service): Stubber(namespace.client(service))
            for script, namespace in [
                ("deploy", self.deploy.remote),
                ("manage-remote", self.remote),
            ]
            for service in ["cloudformation", "lambda"]
        }
        for stub in self.stubs.values():
            stub.activate()

    def stack_is(self, status: str | None, script: str = "deploy", stack: str = "") -> None:
        """The next DescribeStacks: the stack in `status`, or None: no such stack."""
        stub, stack = self.stubs[script, "cloudformation"], stack or self.stack
        if status is None:
            message = f"Stack with id {stack} does not exist"
            stub.add_client_error("describe_stacks", "ValidationError", message)
        else:
            stub.add_response("describe_stacks", described(stack, status), {"StackName": stack})

    def invoked(
        self, payload: Any, result: Any, error: str | None = None, script: str = "deploy"
    ) -> None:
        """The next invocation: of the manage function's "live" alias, with `payload`."""
        expected = {"FunctionName": f"{MANAGE_FUNCTION}:live", "Payload": json.dumps(payload)}
        self.stubs[script, "lambda"].add_response("invoke", answer(result, error), expected)

    def deploys(
        self,
        status: str | None,
        payload: Any = None,
        result: Any = MIGRATED,
        error: str | None = None,
    ) -> None:
        """A whole deploy's calls: the stack is in `status`, then migrates with `payload`."""
        self.stack_is(status)
        self.stack_is("UPDATE_COMPLETE" if status else "CREATE_COMPLETE")
        self.invoked({} if payload is None else payload, result, error)

    def run(self, script: str, *args: str) -> tuple[Any, str, str]:
        """The script's exit status (or message), stdout and stderr."""
        namespace = self.deploy if script == "deploy" else self.remote
        with pytest.MonkeyPatch.context() as patch, pytest.raises(SystemExit) as exit:
            patch.setattr(sys, "argv", [f"bin/{script}", *args])
            getattr(namespace, "remote", namespace).run(namespace.main)  # deploy's is manage-remote
        return (exit.value.code or 0, *self.capsys.readouterr())

    def deployed(self) -> dict[str, str]:
        """The parameter values of the last `sam deploy`."""
        return self.commands.deploys[-1]["values"]


@pytest.fixture
def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    for name in [
        *workflow_step("deploy.yml")["env"],
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
    ]:
        monkeypatch.delenv(name, raising=False)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        aws = Aws(tmp_path, capsys)
        monkeypatch.setattr(subprocess, "run", aws.commands)
        yield aws
        for stub in aws.stubs.values():
            stub.assert_no_pending_responses()


def version_hash(values: dict[str, str], image: str) -> str:
    values = {name: value for name, value in values.items() if name != "VersionHash"}
    identity = json.dumps({"images": [image], "values": values}, sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()


def test_the_workflow_passes_a_variable_for_each_parameter(aws: Aws) -> None:
    step = workflow_step("deploy.yml")

    assert step["run"] == '"$RUNNER_TEMP/tools/bin/python" bin/deploy "$ENVIRONMENT"'
    set_by_bin_deploy = {"EnvironmentName", "VersionHash"}
    expected = {variable(name) for name in aws.parameters.keys() - set_by_bin_deploy}
    assert set(step["env"]) == {"ENVIRONMENT", *expected}


def test_a_first_deploy_with_only_the_secrets_set(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in workflow_step("deploy.yml")["env"].keys() - SECRETS.keys():
        monkeypatch.setenv(name, "")  # as GitHub sets an unset variable
    aws.deploys(None)

    status, stdout, stderr = aws.run("deploy", "production")

    assert status == 0, stderr
    ecr = boto3.client("ecr", region_name=aws.remote.REGION)
    (repository,) = ecr.describe_repositories(repositoryNames=[aws.stack])["repositories"]
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName=aws.stack)["lifecyclePolicyText"])
    assert policy["rules"][0]["selection"]["countNumber"] == 10
    (deploy,) = aws.commands.deploys
    assert (deploy["--stack-name"], deploy["--region"]) == (aws.stack, aws.remote.REGION)
    assert deploy["--image-repository"] == repository["repositoryUri"]
    assert deploy["mode"] == "0o600" and not deploy["file"].exists()
    defaults = {name: str(parameter.get("Default")) for name, parameter in aws.parameters.items()}
    assert deploy["values"] == {
        **defaults,
        "DjangoSecretKey": SECRETS["DJANGO_SECRET_KEY"],
        "DatabaseUrl": SECRETS["DATABASE_URL"],
        "VersionHash": version_hash(deploy["values"], "sha256:1111"),
    }
    assert MIGRATED["stdout"] in stdout
    assert stdout.endswith(f"==> Deployed {aws.stack}: {URL}\n")


def test_an_update_passes_the_defaults_again_and_the_hook_resets(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SAM CLI would keep a left-out parameter's previous value: each is passed every time."""
    ecr = boto3.client("ecr", region_name=aws.remote.REGION)
    ecr.create_repository(repositoryName=aws.stack)
    monkeypatch.setenv("RESET_DATABASE", 'app"; DROP')
    aws.deploys("UPDATE_COMPLETE")

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    assert aws.deployed()["DjangoLogLevel"] == aws.parameters["DjangoLogLevel"]["Default"]
    assert aws.deployed()["ResetDatabase"] == 'app"; DROP'
    assert 'every table of app"; DROP was dropped by the PreTraffic hook' in stdout
    assert aws.deployed().keys() == aws.parameters.keys()
    assert "==> ECR repository" not in stdout  # it exists: kept as it is
    assert ecr.describe_repositories()["repositories"][0]["imageScanningConfiguration"] == {
        "scanOnPush": False
    }


def test_a_new_stack_is_reset_by_bin_deploy(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESET_DATABASE", "app")
    aws.deploys("REVIEW_IN_PROGRESS", {"reset_database": "app"})

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    assert "every table of app is dropped first" in stdout


AWKWARD = "\\back spaces \"double\" 'single' a,b k=v &amp; 100% #hash é€😀\ttab\n"


def test_values_reach_the_file_unchanged_and_are_never_printed(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {"DJANGO_SECRET_KEY": "k" * 50 + AWKWARD, "DATABASE_URL": "postgres://x" + AWKWARD}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", AWKWARD)
    aws.deploys(None)

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    deployed = aws.deployed()
    assert (deployed["DjangoSecretKey"], deployed["DatabaseUrl"]) == tuple(values.values())
    assert deployed["DjangoAllowedHosts"] == AWKWARD
    assert AWKWARD not in stdout + stderr


def test_the_version_hash_moves_with_the_images_and_the_values(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = []
    for image, log_level in [
        ("sha256:1", "INFO"),
        ("sha256:1", "INFO"),
        ("sha256:2", "INFO"),
        ("sha256:2", "ERROR"),
    ]:
        aws.commands.image = image
        monkeypatch.setenv("DJANGO_LOG_LEVEL", log_level)
        aws.deploys("UPDATE_COMPLETE")
        assert aws.run("deploy")[0] == 0
        hashes.append(aws.deployed()["VersionHash"])
        assert hashes[-1] == version_hash(aws.deployed(), image)

    assert hashes[0] == hashes[1] != hashes[2] != hashes[3]


def test_migrations_failing_in_the_hook(aws: Aws) -> None:
    logs = boto3.client("logs", region_name=aws.remote.REGION)
    logs.create_log_group(logGroupName="manage-log")
    logs.create_log_stream(logGroupName="manage-log", logStreamName="hook")
    lines = [
        '{"level": "INFO", "message": "Migrating, holding the lock"}',
        json.dumps(FAILED),  # the Result, as the function logs it
        json.dumps({"errorType": "InvocationFailed", "errorMessage": json.dumps(FAILED)}),
        "a plain line",
    ]
    later = int(time.time() * 1000) + 1000  # as written during the deploy
    events = [{"timestamp": later + n, "message": line} for n, line in enumerate(lines)]
    logs.put_log_events(logGroupName="manage-log", logStreamName="hook", logEvents=events)
    aws.stack_is("UPDATE_COMPLETE")
    detail = {
        "LogicalResourceId": "ManageLogGroup",
        "PhysicalResourceId": "manage-log",
        "ResourceType": "AWS::Logs::LogGroup",
        "LastUpdatedTimestamp": datetime.now(),
        "ResourceStatus": "UPDATE_COMPLETE",
    }
    expected = {"StackName": aws.stack, "LogicalResourceId": "ManageLogGroup"}
    aws.stubs["deploy", "cloudformation"].add_response(
        "describe_stack_resource", {"StackResourceDetail": detail}, expected
    )
    aws.commands.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status == 1
    assert stderr.startswith("bin/deploy: the deploy failed and was rolled back;")
    assert "RESET_DATABASE (Deploy workflow: reset_database)" in stderr
    assert stderr.endswith(
        "==> The manage function's log since this deploy began\n"
        "Migrating, holding the lock\n"
        "ProgrammingError: boom\n"
        "a plain line\n"
    )


def test_a_hook_failure_whose_log_cannot_be_read(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE")
    aws.stubs["deploy", "cloudformation"].add_client_error(
        "describe_stack_resource", "AccessDenied"
    )
    aws.commands.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status.startswith("bin/deploy: An error occurred (AccessDenied)")
    assert "the previous version keeps serving" in stderr


def test_migrations_failing_after_the_deploy(aws: Aws) -> None:
    error = {"errorType": "InvocationFailed", "errorMessage": json.dumps(FAILED)}
    aws.deploys(None, result=error, error="Unhandled")

    status, stdout, stderr = aws.run("deploy")

    assert status == "bin/deploy: the migrations failed: their output is above."
    assert stderr == FAILED["stderr"]
    assert "==> Deployed" not in stdout


def test_a_failed_first_deploy(aws: Aws) -> None:
    aws.stack_is(None)
    aws.commands.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status == (
        "bin/deploy: sam deploy failed (see above). Nothing serves yet: fix it, deploy again."
    )


def test_a_stack_left_by_a_failed_first_create_is_explained(aws: Aws) -> None:
    aws.stack_is("ROLLBACK_COMPLETE")

    status, stdout, stderr = aws.run("deploy")

    assert status == (
        f"bin/deploy: the first deploy of {aws.stack} failed, and CloudFormation cannot update"
        f" what it left: aws cloudformation delete-stack --region {aws.remote.REGION}"
        f" --stack-name {aws.stack}, then deploy again."
    )
    assert aws.commands.deploys == []


def test_an_ecr_error_is_reported_as_what_it_is(aws: Aws) -> None:
    with Stubber(aws.deploy.remote.client("ecr")) as ecr:
        ecr.add_client_error("describe_repositories", "AccessDeniedException", "not allowed")

        status, stdout, stderr = aws.run("deploy")

    assert status == (
        "bin/deploy: An error occurred (AccessDeniedException) when calling the"
        " DescribeRepositories operation: not allowed"
    )


@pytest.mark.parametrize("environment", ["Production", "9lives", "a_b", "x" * 21])
def test_an_invalid_environment_name_stops_before_anything(aws: Aws, environment: str) -> None:
    status, stdout, stderr = aws.run("deploy", environment)

    pattern = aws.parameters["EnvironmentName"]["AllowedPattern"]
    assert status == (
        f"bin/deploy: '{environment}' is not an environment name: template.yaml allows {pattern}."
    )
    assert stdout == ""


@pytest.mark.parametrize("name", SECRETS)
def test_a_missing_secret_is_named(aws: Aws, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "")

    status, stdout, stderr = aws.run("deploy")

    assert status.startswith(f"bin/deploy: {name} is not set")
    assert stdout == ""


def test_missing_credentials_are_explained(aws: Aws, tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    files = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": "none"}
    with pytest.MonkeyPatch.context() as patch:  # undone before moto's teardown needs os.environ
        patch.setattr(os, "environ", {**environment, **files, "AWS_EC2_METADATA_DISABLED": "true"})
        patch.setattr(boto3, "DEFAULT_SESSION", None)  # it holds moto's keys

        status, stdout, stderr = aws.run("deploy")

    assert status == "bin/deploy: no AWS credentials: run 'aws configure sso', or set AWS_PROFILE."


# bin/manage-remote


def command_result(stdout: str, stderr: str = "", exit_status: int = 0) -> dict[str, Any]:
    return {"command": ["x"], "exit_status": exit_status, "stdout": stdout, "stderr": stderr}


def test_output_and_status_as_if_run_here(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE", "manage-remote")
    request = {"manage": ["showmigrations", "auth"], "environment": {}}
    aws.invoked(
        request, command_result("auth\n [X] 0001_initial\n", "a warning\n"), None, "manage-remote"
    )

    assert aws.run("manage-remote", "showmigrations", "auth") == (
        0,
        "auth\n [X] 0001_initial\n",
        "a warning\n",
    )


def test_a_failing_command_exits_with_its_status(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE", "manage-remote")
    failure = {
        "errorType": "InvocationFailed",
        "errorMessage": json.dumps(command_result("", "No app\n", 3)),
    }
    aws.invoked(
        {"manage": ["migrate", "nope"], "environment": {}}, failure, "Unhandled", "manage-remote"
    )

    assert aws.run("manage-remote", "migrate", "nope") == (3, "", "No app\n")


def test_an_error_that_carries_no_result_is_shown_as_it_is(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE", "manage-remote")
    error = {"errorType": "Runtime.ExitError", "errorMessage": "RequestId: 1 Error: exited"}
    aws.invoked({"manage": ["check"], "environment": {}}, error, "Unhandled", "manage-remote")

    assert aws.run("manage-remote", "check") == (
        1,
        "",
        "Runtime.ExitError: RequestId: 1 Error: exited\n",
    )


def test_arguments_and_superuser_variables_travel_as_data(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", 'pa"ss $(word) €')
    monkeypatch.setenv("CONFIRM_DATABASE", "app")
    aws.stack_is("UPDATE_COMPLETE", "manage-remote")
    request = {
        "manage": ["createsuperuser", "--username", "o'brien; rm -rf / é"],
        "environment": {"DJANGO_SUPERUSER_PASSWORD": 'pa"ss $(word) €'},
        "confirm_database": "app",
    }
    aws.invoked(request, command_result("Superuser created.\n"), None, "manage-remote")

    status, stdout, stderr = aws.run("manage-remote", *request["manage"])

    assert (status, stdout) == (0, "Superuser created.\n")


def test_a_missing_stack_is_named(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging")
    stack = f"{aws.remote.PROJECT}-staging"
    aws.stack_is(None, "manage-remote", stack)

    status, stdout, stderr = aws.run("manage-remote", "check")

    assert status == f"bin/manage-remote: no stack {stack} in {aws.remote.REGION}."


def test_no_command(aws: Aws) -> None:
    status, stdout, stderr = aws.run("manage-remote")

    assert status == "bin/manage-remote: name a command, e.g. bin/manage-remote showmigrations"


def test_a_failed_invocation_is_reported(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE", "manage-remote")
    message = "Function not found"
    aws.stubs["manage-remote", "lambda"].add_client_error(
        "invoke", "ResourceNotFoundException", message
    )

    status, stdout, stderr = aws.run("manage-remote", "check")

    assert status == (
        "bin/manage-remote: An error occurred (ResourceNotFoundException) when calling the Invoke"
        " operation: Function not found"
    )


def test_the_manage_workflow_splits_the_command_without_expanding_it(tmp_path: Path) -> None:
    step = workflow_step("manage.yml")
    uv = tmp_path / "uv"  # prints the arguments it was given
    uv.write_text(f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    uv.chmod(0o755)
    env = {**step["env"], "PATH": f"{tmp_path}:/usr/bin:/bin"}
    env["MANAGE_COMMAND"] = "showmigrations  $(id) 'a b' *"

    run = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
    ran = subprocess.run(run, env=env, capture_output=True, text=True, check=True)

    assert json.loads(ran.stdout) == [
        "run",
        "--no-dev",
        "bin/manage-remote",
        "showmigrations",
        "$(id)",
        "'a",
        "b'",
        "*",
    ]
