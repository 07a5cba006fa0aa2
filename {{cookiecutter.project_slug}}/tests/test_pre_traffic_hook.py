"""The PreTraffic hook against botocore's Stubber: what it asks Lambda, what it tells CodeDeploy."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from config import pre_traffic_hook
from tests.environment import LAMBDA_ENVIRONMENT

MANAGE_FUNCTION = "my-app-production-ManageFunction-AbC123:live"
EVENT = {"DeploymentId": "d-EXAMPLE11", "LifecycleEventHookExecutionId": "hook-execution-1"}


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def stubbed(
    method: str, response: dict[str, object], expected: dict[str, object]
) -> Callable[[BaseClient], Stubber]:
    def setup(client: BaseClient) -> Stubber:
        stubber = Stubber(client)
        stubber.add_response(method, response, expected)
        return stubber

    return setup


class AWS:
    """Stands in for boto3.client: real clients, set up by the test (mostly with a Stubber)."""

    def __init__(self) -> None:
        self.setup: dict[str, Callable[[BaseClient], Stubber | None]] = {}
        self.clients: dict[str, BaseClient] = {}
        self.stubbers: list[Stubber] = []
        self.session = boto3.Session(
            region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    def client(self, service_name: str, **kwargs: object) -> BaseClient:
        client = self.session.client(service_name, **kwargs)
        if stubber := self.setup.pop(service_name)(client):
            stubber.activate()
            self.stubbers.append(stubber)
        self.clients[service_name] = client
        return client

    def invoke_answers(self, payload: dict[str, object], **extra: object) -> None:
        self.invoke_expects({}, payload, **extra)

    def invoke_expects(
        self, event: dict[str, str], payload: dict[str, object], **extra: object
    ) -> None:
        body = json.dumps(payload).encode()
        response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        expected = {"FunctionName": MANAGE_FUNCTION, "Payload": json.dumps(event).encode()}
        self.setup["lambda"] = stubbed("invoke", response | extra, expected)

    def reports(self, status: str) -> None:
        expected = {
            "deploymentId": EVENT["DeploymentId"],
            "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"],
            "status": status,
        }
        self.setup["codedeploy"] = stubbed(
            "put_lifecycle_event_hook_execution_status",
            {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
            expected,
        )

    def assert_all_called(self) -> None:
        assert not self.setup, f"never asked for a client of {', '.join(self.setup)}"
        for stubber in self.stubbers:
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> AWS:
    monkeypatch.setenv("MANAGE_FUNCTION", MANAGE_FUNCTION)
    monkeypatch.delenv("RESET_DATABASE", raising=False)
    fake = AWS()
    monkeypatch.setattr(pre_traffic_hook.boto3, "client", fake.client)
    return fake


def run_hook(aws: AWS) -> str:
    # A second report would find no stubbed response and raise: each test shows exactly one.
    status = pre_traffic_hook.handler(EVENT, Context())
    aws.assert_all_called()
    return status


def test_migrations_succeed(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    aws.invoke_answers({"output": "Applying blog.0002_post... OK"})
    aws.reports("Succeeded")

    assert run_hook(aws) == "Succeeded"

    assert "Applying blog.0002_post... OK" in capsys.readouterr().out


def test_waits_for_the_migrations_without_retrying(aws: AWS) -> None:
    aws.invoke_answers({"output": "No migrations to apply."})
    aws.reports("Succeeded")

    run_hook(aws)

    config = aws.clients["lambda"].meta.config
    assert config.read_timeout == 900 - pre_traffic_hook.REPORT_MARGIN_SECONDS
    assert config.retries["total_max_attempts"] == 1


def test_migrations_fail(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    error = {"errorType": "MigrationFailed", "errorMessage": "relation blog_post already exists"}
    aws.invoke_answers(error, FunctionError="Unhandled")
    aws.reports("Failed")

    assert run_hook(aws) == "Failed"

    assert "relation blog_post already exists" in capsys.readouterr().out


def test_invoke_is_refused(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(client: BaseClient) -> Stubber:
        stubber = Stubber(client)
        stubber.add_client_error(
            "invoke", "AccessDeniedException", "not authorized to perform: lambda:InvokeFunction"
        )
        return stubber

    aws.setup["lambda"] = refuse
    aws.reports("Failed")

    assert run_hook(aws) == "Failed"

    assert "not authorized to perform: lambda:InvokeFunction" in capsys.readouterr().out


def test_invoke_times_out(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    def time_out(**kwargs: object) -> None:
        raise ReadTimeoutError(endpoint_url="https://lambda.eu-west-1.amazonaws.com")

    # No Stubber here (it answers before the request is sent): the request goes as far as
    # the HTTP send, where a real read times out.
    def send_times_out(client: BaseClient) -> None:
        client.meta.events.register("before-send.lambda.Invoke", time_out)

    aws.setup["lambda"] = send_times_out
    aws.reports("Failed")

    assert run_hook(aws) == "Failed"

    assert "Read timeout" in capsys.readouterr().out


def test_reset_database_is_asked_for(aws: AWS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESET_DATABASE", "app")
    aws.invoke_expects({"reset_database": "app"}, {"output": "Dropped 12 tables."})
    aws.reports("Succeeded")

    assert run_hook(aws) == "Succeeded"


def imported_packages(module: str, environment: dict[str, str]) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=os.environ | environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return {name.split(".")[0] for name in result.stdout.split()}


def test_only_the_hook_imports_boto3() -> None:
    # boto3 would add to every cold start of the web function; Django to each run of the hook.
    lambda_environment = LAMBDA_ENVIRONMENT | {
        "DJANGO_SETTINGS_MODULE": "config.settings.aws_lambda"
    }
    assert "boto3" not in imported_packages("config.web_function", lambda_environment)
    assert "django" not in imported_packages("config.pre_traffic_hook", {})
