"""bin/deploy and bin/manage-remote in-process: moto for ECR and the logs, botocore's Stubber for
CloudFormation and Lambda, and a stand-in for the sam and docker commands. (The template's own
tests run the real `sam deploy` against moto's server.)"""

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
FUNCTION = "my-app-production-ManageFunction-AbC123"
SECRETS = {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://app:p%40ss@db.example/app"}
AWKWARD = "\\back spaces \"double\" 'single' a,b k=v &amp; 100% #hash é€😀\ttab\n"
BUILT = """Resources:
  WebFunction: {Properties: {ImageUri: "webfunction:v1", Role: !GetAtt Role.Arn}}
  ManageFunction: {Properties: {ImageUri: "managefunction:v1"}}
  Role: {Type: AWS::IAM::Role}
"""


def result(stdout: str = "", stderr: str = "", exit_status: int = 0) -> dict[str, Any]:
    return {"command": ["migrate"], "exit_status": exit_status, "stdout": stdout, "stderr": stderr}


MIGRATED = result("Applying a.0002... OK\n")
FAILED = result(stderr="ProgrammingError: boom\n", exit_status=1)


def workflow_step(workflow: str) -> dict[str, Any]:
    """The workflow's step that runs one of the scripts."""
    jobs = yaml.safe_load((PROJECT / ".github" / "workflows" / workflow).read_text())["jobs"]
    (step,) = [s for job in jobs.values() for s in job["steps"] if s.get("name", "")[:4] == "bin/"]
    return step


class Aws:
    """bin/deploy, loaded from a copy of bin/ and template.yaml, and the bin/manage-remote it
    loads (its `remote`), with Stubbers on their CloudFormation and Lambda clients.
    subprocess_run stands in for subprocess.run: `sam build` writes BUILT, `sam deploy` records
    its command and parameters and exits with `status`, `docker image inspect` gives `image`."""

    def __init__(self, directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
        shutil.copytree(PROJECT / "bin", directory / "bin")
        shutil.copy(PROJECT / "template.yaml", directory)
        self.deploy = SimpleNamespace(**run_path(str(directory / "bin" / "deploy")))
        self.remote, self.capsys = self.deploy.remote, capsys
        self.stack = f"{self.remote.PROJECT}-production"
        template = (directory / "template.yaml").read_text()
        self.parameters = yaml.load(template, self.deploy.CloudFormation)["Parameters"]
        self.cloudformation = Stubber(self.remote.client("cloudformation"))
        self.lambda_ = Stubber(self.remote.client("lambda"))
        self.cloudformation.activate()
        self.lambda_.activate()
        self.commands: list[list[str]] = []
        self.deploys: list[dict[str, Any]] = []
        self.status, self.image = 0, "sha256:1111"

    def subprocess_run(self, command: list[str], cwd: Path = PROJECT, **kwargs: Any) -> Any:
        self.commands.append(command)
        if command[:2] == ["sam", "build"]:
            (cwd / ".aws-sam" / "build").mkdir(parents=True, exist_ok=True)
            (cwd / ".aws-sam" / "build" / "template.yaml").write_text(BUILT)
        if command[:2] == ["sam", "deploy"]:
            file = Path(command[-1].removeprefix("file://"))
            values = yaml.safe_load(file.read_text())
            mode = file.stat().st_mode & 0o777
            self.deploys.append({"command": command, "file": file, "mode": mode, "values": values})
            return subprocess.CompletedProcess(command, self.status)
        inspected = json.dumps([{"Id": self.image} for _ in command[3:]]).encode()
        return subprocess.CompletedProcess(command, 0, inspected)

    def stack_is(self, status: str | None, stack: str = "") -> None:
        """The next DescribeStacks: the stack in `status`; None: there is no such stack."""
        stack = stack or self.stack
        if status is None:
            message = f"Stack with id {stack} does not exist"
            self.cloudformation.add_client_error("describe_stacks", "ValidationError", message)
            return
        outputs = [
            {"OutputKey": "ManageFunctionName", "OutputValue": FUNCTION},
            {"OutputKey": "FunctionUrl", "OutputValue": URL},
        ]
        found = {"StackName": stack, "CreationTime": datetime.now(), "StackStatus": status}
        described = {"Stacks": [{**found, "Outputs": outputs}]}
        self.cloudformation.add_response("describe_stacks", described, {"StackName": stack})

    def invoked(self, payload: Any, answer: Any, function_error: str | None = None) -> None:
        """The next invocation: of the manage function's "live" alias, with `payload`."""
        body = json.dumps(answer).encode()
        response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        response |= {"FunctionError": function_error} if function_error else {}
        expected = {"FunctionName": f"{FUNCTION}:live", "Payload": json.dumps(payload)}
        self.lambda_.add_response("invoke", response, expected)

    def deploys_to(self, status: str | None, payload: Any = None) -> None:
        """A whole deploy's calls: the stack is in `status`, then migrates with `payload`."""
        self.stack_is(status)
        self.stack_is("UPDATE_COMPLETE")
        self.invoked(payload or {}, MIGRATED)

    def run(self, script: str, *args: str) -> tuple[Any, str, str]:
        """The script's exit status (or message), stdout and stderr."""
        with pytest.MonkeyPatch.context() as patch, pytest.raises(SystemExit) as exit:
            patch.setattr(sys, "argv", [f"bin/{script}", *args])
            self.remote.run((self.deploy if script == "deploy" else self.remote).main)
        return (exit.value.code or 0, *self.capsys.readouterr())

    def deployed(self) -> dict[str, str]:
        """The parameter values of the last `sam deploy`."""
        return self.deploys[-1]["values"]


@pytest.fixture
def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    for name in [*workflow_step("deploy.yml")["env"], "AWS_PROFILE", "AWS_REGION"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        aws = Aws(tmp_path, capsys)
        monkeypatch.setattr(subprocess, "run", aws.subprocess_run)
        yield aws
        aws.cloudformation.assert_no_pending_responses()
        aws.lambda_.assert_no_pending_responses()


def version_hash(values: dict[str, str], image: str) -> str:
    values = {name: value for name, value in values.items() if name != "VersionHash"}
    identity = json.dumps({"images": [image], "values": values}, sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()


def test_the_deploy_workflow_passes_a_variable_for_each_parameter(aws: Aws) -> None:
    step = workflow_step("deploy.yml")

    assert step["run"] == '"$RUNNER_TEMP/tools/bin/python" bin/deploy "$ENVIRONMENT"'
    passed = aws.parameters.keys() - {"EnvironmentName", "VersionHash"}  # bin/deploy sets these
    variables = {re.sub(r"(?<=.)(?=[A-Z])", "_", name).upper() for name in passed}
    assert set(step["env"]) == {"ENVIRONMENT", *variables}


def test_a_first_deploy_with_only_the_secrets_set(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in workflow_step("deploy.yml")["env"].keys() - SECRETS.keys():
        monkeypatch.setenv(name, "")  # as GitHub sets an unset variable
    aws.deploys_to(None)

    status, stdout, stderr = aws.run("deploy", "production")

    assert status == 0, stderr
    ecr = boto3.client("ecr", region_name=aws.remote.REGION)
    (repository,) = ecr.describe_repositories(repositoryNames=[aws.stack])["repositories"]
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName=aws.stack)["lifecyclePolicyText"])
    assert policy["rules"][0]["selection"]["countNumber"] == 10
    (deploy,) = aws.deploys
    assert aws.commands[0] == ["sam", "build"]
    assert deploy["command"] == [
        *f"sam deploy --stack-name {aws.stack} --region {aws.remote.REGION}".split(),
        *["--image-repository", repository["repositoryUri"], "--capabilities", "CAPABILITY_IAM"],
        *["--no-fail-on-empty-changeset", "--parameter-overrides"],
        f"file://{deploy['file']}",
    ]
    assert deploy["mode"] == 0o600 and not deploy["file"].exists()
    defaults = {name: str(parameter.get("Default")) for name, parameter in aws.parameters.items()}
    assert deploy["values"] == {
        **defaults,
        "DjangoSecretKey": SECRETS["DJANGO_SECRET_KEY"],
        "DatabaseUrl": SECRETS["DATABASE_URL"],
        "VersionHash": version_hash(deploy["values"], "sha256:1111"),
    }
    assert stdout.endswith(f"==> Migrations\n{MIGRATED['stdout']}==> Deployed {aws.stack}: {URL}\n")


def test_an_update_passes_every_value_again_and_keeps_the_repository(aws: Aws) -> None:
    """SAM CLI would keep a left-out parameter's previous value: each is passed every time."""
    ecr = boto3.client("ecr", region_name=aws.remote.REGION)
    ecr.create_repository(repositoryName=aws.stack)
    aws.deploys_to("UPDATE_COMPLETE")

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    assert aws.deployed().keys() == aws.parameters.keys()
    assert aws.deployed()["DjangoLogLevel"] == aws.parameters["DjangoLogLevel"]["Default"]
    assert "==> ECR repository" not in stdout
    scanning = ecr.describe_repositories()["repositories"][0]["imageScanningConfiguration"]
    assert scanning == {"scanOnPush": False}


@pytest.mark.parametrize(
    ("status", "payload"),
    [("UPDATE_COMPLETE", {}), ("REVIEW_IN_PROGRESS", {"reset_database": 'app"; DROP'})],
)
def test_reset_database(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, status: str, payload: dict[str, str]
) -> None:
    """An update's PreTraffic hook resets (ResetDatabase); a new stack has none: bin/deploy."""
    monkeypatch.setenv("RESET_DATABASE", 'app"; DROP')
    aws.deploys_to(status, payload)

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    assert aws.deployed()["ResetDatabase"] == 'app"; DROP'
    assert '==> Migrations, every table of app"; DROP dropped first\n' in stdout


def test_values_reach_sam_unchanged_and_are_never_printed(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"]:
        monkeypatch.setenv(name, AWKWARD)
    aws.deploys_to(None)

    status, stdout, stderr = aws.run("deploy")

    assert status == 0, stderr
    deployed = aws.deployed()
    assert deployed["DjangoSecretKey"] == deployed["DatabaseUrl"] == AWKWARD
    assert deployed["DjangoAllowedHosts"] == AWKWARD
    assert AWKWARD not in stdout + stderr


def test_the_version_hash_moves_with_the_images_and_the_values(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = []
    for image, log_level in [("1", "INFO"), ("1", "INFO"), ("2", "INFO"), ("2", "ERROR")]:
        aws.image = "sha256:" + image
        monkeypatch.setenv("DJANGO_LOG_LEVEL", log_level)
        aws.deploys_to("UPDATE_COMPLETE")
        assert aws.run("deploy")[0] == 0
        hashes.append(aws.deployed()["VersionHash"])
        assert hashes[-1] == version_hash(aws.deployed(), "sha256:" + image)

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
    aws.cloudformation.add_response(
        "describe_stack_resource", {"StackResourceDetail": detail}, expected
    )
    aws.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status == 1
    assert stderr.startswith("bin/deploy: the deploy was rolled back; the previous version keeps")
    assert "RESET_DATABASE (Deploy workflow: reset_database)" in stderr
    assert stderr.endswith(
        "deploy again.\nMigrating, holding the lock\nProgrammingError: boom\na plain line\n"
    )


def test_a_hook_failure_whose_log_cannot_be_read(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE")
    aws.cloudformation.add_client_error("describe_stack_resource", "AccessDenied")
    aws.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status.startswith("bin/deploy: An error occurred (AccessDenied)")
    assert "the previous version keeps serving" in stderr


def test_migrations_failing_after_the_deploy(aws: Aws) -> None:
    aws.stack_is(None)
    aws.stack_is("CREATE_COMPLETE")
    error = {"errorType": "InvocationFailed", "errorMessage": json.dumps(FAILED)}
    aws.invoked({}, error, "Unhandled")

    status, stdout, stderr = aws.run("deploy")

    assert (status, stderr) == ("bin/deploy: the migrations failed (see above).", FAILED["stderr"])
    assert "==> Deployed" not in stdout


def test_a_failed_first_deploy(aws: Aws) -> None:
    aws.stack_is(None)
    aws.status = 1

    status, stdout, stderr = aws.run("deploy")

    assert status == (
        "bin/deploy: sam deploy failed (see above). Nothing serves yet: fix it, deploy again."
    )


def test_a_stack_left_by_a_failed_first_deploy_is_explained(aws: Aws) -> None:
    aws.stack_is("ROLLBACK_COMPLETE")

    status, stdout, stderr = aws.run("deploy")

    assert status == (
        f"bin/deploy: {aws.stack} is what a failed first deploy left: aws cloudformation"
        f" delete-stack --region {aws.remote.REGION} --stack-name {aws.stack}, then deploy again."
    )
    assert aws.commands == []


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


def test_a_command_runs_as_if_run_here(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE")
    aws.invoked({"manage": ["showmigrations"], "environment": {}}, result("a\n", "warning\n"))

    assert aws.run("manage-remote", "showmigrations") == (0, "a\n", "warning\n")


@pytest.mark.parametrize(
    ("error", "message", "output"),
    [
        ("InvocationFailed", json.dumps(result("", "No app\n", 3)), (3, "", "No app\n")),
        ("Runtime.ExitError", "exited", (1, "", "Runtime.ExitError: exited\n")),
    ],
)
def test_a_failed_invocation_gives_the_output_and_status(
    aws: Aws, error: str, message: str, output: tuple[int, str, str]
) -> None:
    """InvocationFailed's message is the command's Result; any other error is shown as it is."""
    aws.stack_is("UPDATE_COMPLETE")
    failure = {"errorType": error, "errorMessage": message}
    aws.invoked({"manage": ["migrate", "nope"], "environment": {}}, failure, "Unhandled")

    assert aws.run("manage-remote", "migrate", "nope") == output


def test_arguments_and_superuser_variables_travel_as_data(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", 'pa"ss $(word) €')
    monkeypatch.setenv("CONFIRM_DATABASE", "app")
    aws.stack_is("UPDATE_COMPLETE")
    request = {
        "manage": ["createsuperuser", "--username", "o'brien; rm -rf / é"],
        "environment": {"DJANGO_SUPERUSER_PASSWORD": 'pa"ss $(word) €'},
        "confirm_database": "app",
    }
    aws.invoked(request, result("Superuser created.\n"))

    assert aws.run("manage-remote", *request["manage"]) == (0, "Superuser created.\n", "")


def test_a_missing_stack_is_named(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "staging")
    stack = f"{aws.remote.PROJECT}-staging"
    aws.stack_is(None, stack)

    status, stdout, stderr = aws.run("manage-remote", "check")

    assert status == f"bin/manage-remote: no stack {stack} in {aws.remote.REGION}."


def test_no_command(aws: Aws) -> None:
    status, stdout, stderr = aws.run("manage-remote")

    assert status == "bin/manage-remote: name a command, e.g. bin/manage-remote showmigrations"


def test_an_aws_error_ends_it_in_one_line(aws: Aws) -> None:
    aws.stack_is("UPDATE_COMPLETE")
    aws.lambda_.add_client_error("invoke", "ResourceNotFoundException", "Function not found")

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

    expected = ["run", "--no-dev", "bin/manage-remote", "showmigrations", "$(id)", "'a", "b'", "*"]
    assert json.loads(ran.stdout) == expected
