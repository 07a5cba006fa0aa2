"""CodeDeploy's PreTraffic hook: migrate before a new version of the web function takes traffic.

The image's third function (template.yaml, PreTrafficHook). CodeDeploy invokes it with the
deployment's ids; it invokes the manage function's new version and reports the outcome back
exactly once: Succeeded moves the "live" alias, Failed rolls the deploy back while the old
version keeps serving. A hook that never reports leaves the deploy waiting for an hour.
No Django here: this function only calls two AWS APIs.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

REPORT_MARGIN_SECONDS = 30  # of the hook's own time, kept to report once the migrations end


def handler(event: dict[str, Any], context: Any) -> str:
    # {} migrates; RESET_DATABASE, a database's name, has the manage function empty it first.
    database = os.environ.get("RESET_DATABASE")
    payload = json.dumps({"reset_database": database} if database else {})
    function = os.environ["MANAGE_FUNCTION"]
    # Wait for the migrations as long as this function may run, less the time to report, and
    # never retry: a second invocation would run the same migrations again.
    wait = context.get_remaining_time_in_millis() / 1000 - REPORT_MARGIN_SECONDS
    config = Config(read_timeout=wait, retries={"total_max_attempts": 1})
    print(f"Invoking {function} with {payload}")
    try:
        response = boto3.client("lambda", config=config).invoke(
            FunctionName=function, Payload=payload.encode()
        )
        print(response["Payload"].read().decode())
        status = "Failed" if "FunctionError" in response else "Succeeded"
    except (BotoCoreError, ClientError) as error:
        print(f"Could not run the migrations: {error}")
        status = "Failed"
    boto3.client("codedeploy").put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    print(f"Reported {status} to CodeDeploy")
    return status
