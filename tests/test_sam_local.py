"""`sam local invoke`, the SAM CLI's own way to run a function, for each function of the
images `sam build` built (SAM adds its emulator to the image as the image's user: an image
ending in a non-root USER failed here).

SAM CLI 1.170 keeps these containers on Docker's default bridge whatever
`--docker-network host` says, so, as the generated README tells users, the database is a
Postgres container on a network of its own. The network is internal: nothing in it reaches
beyond this machine.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests import stand_ins
from tests.aws_clients import sam_cli
from tests.lambda_container import LambdaImage, generated_events, parameters

PASSWORD = "sam-local-only"


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def network(lambda_image: LambdaImage) -> Iterator[str]:
    """An internal Docker network with a Postgres container on it, called `db`."""
    name = f"sam-local-{uuid.uuid4().hex[:8]}"
    docker("network", "create", "--internal", name)
    postgres = docker(
        "run",
        "--detach",
        f"--network={name}",
        "--network-alias=db",
        f"--env=POSTGRES_PASSWORD={PASSWORD}",
        stand_ins.ensure("postgres:17"),
    ).strip()
    try:
        docker(
            "exec",
            postgres,
            "sh",
            "-c",
            "for i in $(seq 60); do pg_isready -q && exit; sleep 0.5; done; exit 1",
        )
        yield name
    finally:
        docker("rm", "--force", postgres)
        docker("network", "rm", name)


def sam_local_invoke(
    image: LambdaImage, function: str, event: object, network: str, hosts: str = ""
) -> subprocess.CompletedProcess[str]:
    """The generated README's command: the event on standard input."""
    overrides = parameters(f"postgres://postgres:{PASSWORD}@db:5432/postgres", hosts)
    return subprocess.run(
        [
            sam_cli(),
            "local",
            "invoke",
            function,
            "--event",
            "-",
            "--docker-network",
            network,
            "--parameter-overrides",
            *(f"{name}={value}" for name, value in overrides.items() if value),
        ],
        cwd=image.project,
        input=json.dumps(event),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def answer(result: subprocess.CompletedProcess[str]) -> object:
    """The function's answer: the last line SAM prints to stdout."""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_web(lambda_image: LambdaImage, network: str) -> None:
    events = generated_events(lambda_image.project)
    event = events.function_url_event(path="/")

    response = answer(
        sam_local_invoke(lambda_image, "WebFunction", event, network, events.FUNCTION_URL_HOST)
    )

    assert response["statusCode"] == 200
    assert "<h1>My Django App</h1>" in response["body"]


def test_migrations(lambda_image: LambdaImage, network: str) -> None:
    migrated = answer(sam_local_invoke(lambda_image, "ManageFunction", {}, network))
    shown = answer(
        sam_local_invoke(
            lambda_image,
            "ManageFunction",
            {"manage": ["showmigrations", "users"]},
            network,
        )
    )

    assert migrated["exit_status"] == 0
    assert "Applying users.0001_initial... OK" in migrated["stdout"]
    assert shown["stdout"] == "users\n [X] 0001_initial\n"


def test_hook(lambda_image: LambdaImage, network: str) -> None:
    """SAM passes a function only the variables template.yaml declares, so the hook's AWS
    calls cannot be pointed at a stand-in here: it runs, finds no Lambda to invoke on this
    internal network, and fails without reporting (tests/test_hook_function.py runs its whole
    path under the emulator)."""
    deployment = {"DeploymentId": "d-EXAMPLE123", "LifecycleEventHookExecutionId": "example"}

    result = sam_local_invoke(lambda_image, "PreTrafficHook", deployment, network)

    error = answer(result)

    assert "Invoking ManageFunction.Alias with {}" in result.stderr
    assert "Could not run the migrations: Could not connect to the endpoint URL" in result.stderr
    assert error["errorType"] == "EndpointConnectionError"
    assert "codedeploy" in error["errorMessage"], "then it tried to report"
