"""The PreTraffic hook against botocore's Stubber: what it asks Lambda, what it tells CodeDeploy."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber

from config import pre_traffic_hook
from tests.environment import LAMBDA_ENVIRONMENT

MANAGE_FUNCTION = "my-app-production-ManageFunction-AbC123:live"
EVENT = {"DeploymentId": "d-EXAMPLE11", "LifecycleEventHookExecutionId": "hook-execution-1"}


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class AWS:
    """Stands in for boto3.client: real clients with a Stubber each, and the configs asked for."""

    def __init__(self) -> None:
        session = boto3.Session(
            region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        self.stubbers = {name: Stubber(session.client(name)) for name in ["lambda", "codedeploy"]}
        for stubber in self.stubbers.values():
            stubber.activate()
        self.configs: dict[str, Config | None] = {}

    def client(self, service_name: str, config: Config | None = None) -> object:
        self.configs[service_name] = config
        return self.stubbers[service_name].client

    def invoke_answers(self, payload: object, event: object = None, **extra: object) -> None:
        body = json.dumps(payload).encode()
        response = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        expected = {"FunctionName": MANAGE_FUNCTION, "Payload": json.dumps(event or {}).encode()}
        self.stubbers["lambda"].add_response("invoke", response | extra, expected)

    def run_hook(self, reporting: str) -> str:
        """The hook's status; a second report would find no stubbed response and raise."""
        self.stubbers["codedeploy"].add_response(
            "put_lifecycle_event_hook_execution_status",
            {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
            {
                "deploymentId": EVENT["DeploymentId"],
                "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"],
                "status": reporting,
            },
        )
        status = pre_traffic_hook.handler(EVENT, Context())
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()
        return status


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AWS]:
    monkeypatch.setenv("MANAGE_FUNCTION", MANAGE_FUNCTION)
    monkeypatch.delenv("RESET_DATABASE", raising=False)
    fake = AWS()
    monkeypatch.setattr(pre_traffic_hook.boto3, "client", fake.client)
    return fake


def test_migrations_succeed(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    aws.invoke_answers({"stdout": "Applying blog.0002_post... OK"})

    assert aws.run_hook(reporting="Succeeded") == "Succeeded"
    assert "Applying blog.0002_post... OK" in capsys.readouterr().out


def test_waits_for_the_migrations_without_retrying(aws: AWS) -> None:
    aws.invoke_answers({"stdout": "No migrations to apply."})

    aws.run_hook(reporting="Succeeded")

    config = aws.configs["lambda"]
    assert config.read_timeout == 900 - pre_traffic_hook.REPORT_MARGIN_SECONDS
    assert config.retries == {"total_max_attempts": 1}


def test_migrations_fail(aws: AWS, capsys: pytest.CaptureFixture[str]) -> None:
    error = {"errorType": "InvocationFailed", "errorMessage": "relation blog_post already exists"}
    aws.invoke_answers(error, FunctionError="Unhandled")

    assert aws.run_hook(reporting="Failed") == "Failed"
    assert "relation blog_post already exists" in capsys.readouterr().out


@pytest.mark.parametrize(
    "error",
    [
        ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "Invoke"
        ),
        ReadTimeoutError(endpoint_url="https://lambda.eu-west-1.amazonaws.com"),
    ],
    ids=["refused", "timed-out"],
)
def test_an_invoke_that_fails_is_reported(
    aws: AWS, capsys: pytest.CaptureFixture[str], error: BotoCoreError | ClientError
) -> None:
    def fail(**kwargs: object) -> None:
        raise error

    # No Stubber here (it answers before the request is sent): the request goes as far as the
    # HTTP send, where a real one is refused or times out.
    aws.stubbers["lambda"].deactivate()
    aws.stubbers["lambda"].client.meta.events.register("before-send.lambda.Invoke", fail)

    assert aws.run_hook(reporting="Failed") == "Failed"
    assert str(error) in capsys.readouterr().out


def test_reset_database_is_asked_for(aws: AWS, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESET_DATABASE", "app")
    aws.invoke_answers({"stdout": "Reset 'app': dropped every table."}, {"reset_database": "app"})

    assert aws.run_hook(reporting="Succeeded") == "Succeeded"


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
