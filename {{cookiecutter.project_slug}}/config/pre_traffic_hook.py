"""CodeDeploy's PreTraffic hook: migrate before a new version of the web function takes traffic.

The image's third function (template.yaml, PreTrafficHook). CodeDeploy invokes it with
the deployment's ids; it invokes the manage function's new version and reports the outcome
back exactly once: Succeeded moves the "live" alias, Failed rolls the deploy back while the
old version keeps serving. A hook that never reports leaves the deploy waiting for an hour.

No Django here: this function only calls two AWS APIs.
"""

from __future__ import annotations

import json
import os
from typing import Any, Protocol

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# What the hook keeps of its own time to report after waiting on the migrations.
REPORT_MARGIN_SECONDS = 30


class LambdaContext(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


def migrations_event() -> dict[str, str]:
    """{} migrates; a database name in RESET_DATABASE empties that database first."""
    database = os.environ.get("RESET_DATABASE", "")
    return {"reset_database": database} if database else {}


def run_migrations(lambda_client: BaseClient) -> str:
    """Invoke the manage function and print its answer; the status for CodeDeploy."""
    event = migrations_event()
    print(f"Invoking {os.environ['MANAGE_FUNCTION']} with {json.dumps(event)}")
    try:
        response = lambda_client.invoke(
            FunctionName=os.environ["MANAGE_FUNCTION"],
            Payload=json.dumps(event).encode(),
        )
        print(response["Payload"].read().decode())
    except (BotoCoreError, ClientError) as error:
        print(f"Could not run the migrations: {error}")
        return "Failed"
    return "Failed" if "FunctionError" in response else "Succeeded"


def handler(event: dict[str, Any], context: LambdaContext) -> str:
    # Wait for the migrations as long as this function may run, less the time to report, and
    # never retry: a second invocation would run the same migrations again.
    wait = context.get_remaining_time_in_millis() / 1000 - REPORT_MARGIN_SECONDS
    lambda_client = boto3.client(
        "lambda", config=Config(read_timeout=wait, retries={"total_max_attempts": 1})
    )
    status = run_migrations(lambda_client)
    boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    print(f"Reported {status} to CodeDeploy")
    return status
