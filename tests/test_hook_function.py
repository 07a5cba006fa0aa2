"""The PreTraffic hook as Lambda runs it: in the image under the emulator, it invokes the
manage function (in the image under the emulator too, on a real Postgres) and reports the
outcome to CodeDeploy. Lambda's Invoke and CodeDeploy's API are a stand-in (tests/lambda_peers.py):
no AWS here."""

from __future__ import annotations

import pytest

from tests.helpers import postgres_url
from tests.lambda_container import LambdaImage, parameters
from tests.lambda_peers import CREDENTIALS, serving
from tests.postgres import fresh_database, tables

DEPLOYMENT = {"DeploymentId": "d-EXAMPLE123", "LifecycleEventHookExecutionId": "eyJleGFtcGxlIjp9"}


@pytest.mark.parametrize("outcome", ["Succeeded", "Failed"])
def test_the_hook_runs_the_migrations_and_reports_once(
    lambda_image: LambdaImage, outcome: str
) -> None:
    hook_env = lambda_image.environment("PreTrafficHook", {})
    with fresh_database() as url:
        database = url if outcome == "Succeeded" else postgres_url("no_such_database")
        with (
            lambda_image.start("ManageFunction", parameters(database)) as migrations,
            serving({hook_env["MANAGE_FUNCTION"]: migrations.url}) as aws,
            lambda_image.start(
                "PreTrafficHook", {}, {"AWS_ENDPOINT_URL": aws.url, **CREDENTIALS}
            ) as hook,
        ):
            status = hook.invoke(DEPLOYMENT)
            log = hook.logs()
        migrated = "users_user" in tables(url)

    assert status.body == outcome, log
    assert aws.reports == [
        {
            "deploymentId": DEPLOYMENT["DeploymentId"],
            "lifecycleEventHookExecutionId": DEPLOYMENT["LifecycleEventHookExecutionId"],
            "status": outcome,
        }
    ]
    assert migrated is (outcome == "Succeeded")
