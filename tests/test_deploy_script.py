"""bin/deploy as the Deploy workflow runs it, with the real SAM CLI against moto (see
tests/aws_endpoint.py): `sam build` builds the image with Docker, and the real `sam deploy`
command line deploys it, the check that once caught a first-deploy bug. Only the image push has
a stand-in (tests/aws_clients.py). The rest of what bin/deploy and bin/manage-remote do is the
generated project's own tests/test_deploy.py.

The two tests share the endpoint's stack and run in order: the second updates the first's.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from moto.ecr.models import ecr_backends

from tests.aws_clients import Clients
from tests.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.helpers import bake
from tests.lambda_container import docker_available

STACK = "my-django-app-production"
MIGRATED = {
    "command": ["migrate"],
    "exit_status": 0,
    "stdout": "Applying a.0002... OK\n",
    "stderr": "",
}
# What CloudFormation must receive unchanged, and what must never be printed or left behind.
AWKWARD = "\\back spaces \"double\" 'single' a,b k=v &amp; 100% #hash é€😀"
SECRET_KEY = "k" * 50 + AWKWARD
DATABASE_URL = "postgres://u:p@db.example.com/app?options=-c search_path=app" + AWKWARD
SENTRY_DSN = "https://public@sentry.example.com/1"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, aws_endpoint: AwsEndpoint) -> Path:
    aws_endpoint.reset()
    docker_available()
    # x86_64, this machine's CPU: `sam build` builds the image for real (the arm64 build, under
    # emulation, is test_image_variants.py's).
    return bake(tmp_path_factory.mktemp("deploy"), architecture="x86_64")


def version_hash(parameters: dict[str, str], project: Path) -> str:
    """bin/deploy's: the image `sam build` built (one for the four functions; the stand-in
    push tagged it with its id) and every value."""
    built = (project / ".aws-sam" / "build" / "template.yaml").read_text()
    (image,) = set(re.findall(r"ImageUri: \S+:(\w+)$", built, re.MULTILINE))
    values = {name: value for name, value in parameters.items() if name != "VersionHash"}
    identity = json.dumps({"images": [f"sha256:{image}"], "values": values}, sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()


def test_a_first_deploy_from_the_workflow(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(MIGRATED)
    workflow = yaml.safe_load((project / ".github/workflows/deploy.yml").read_text())
    (step,) = [
        step for step in workflow["jobs"]["deploy"]["steps"] if step.get("name") == "bin/deploy"
    ]
    # GitHub gives an unset variable and an empty input as "".
    env = {name: "" for name in step["env"]}
    env |= {
        "ENVIRONMENT": "production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": DATABASE_URL,
    }
    env |= {"DJANGO_ALLOWED_HOSTS": "a.example.com," + AWKWARD, "SENTRY_DSN": SENTRY_DSN}

    run = clients.run_step(project, "deploy.yml", "bin/deploy", env)

    assert run.returncode == 0, run.stdout + run.stderr
    repository = ecr_backends[ACCOUNT][REGION].repositories[STACK]
    assert repository.image_scanning_configuration == {"scanOnPush": True}
    (rule,) = json.loads(repository.lifecycle_policy)["rules"]
    assert rule["selection"]["countNumber"] == 10
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{STACK}"
    assert f"Deployment image repository  : \n{' ' * 39}{uri}" in run.stdout
    parameters = aws_endpoint.stack(STACK).parameters
    assert parameters["DjangoSecretKey"] == SECRET_KEY
    assert parameters["DatabaseUrl"] == DATABASE_URL
    assert parameters["DjangoAllowedHosts"] == "a.example.com," + AWKWARD
    assert (parameters["DjangoLogLevel"], parameters["SentryDsn"]) == ("INFO", SENTRY_DSN)
    assert parameters["VersionHash"] == version_hash(parameters, project)
    assert MIGRATED["stdout"] in run.stdout
    url = aws_endpoint.function_url(f"{STACK}_web")
    assert run.stdout.endswith(f"==> Deployed {STACK}: {url}\n")
    for secret in (SECRET_KEY, DATABASE_URL, "k" * 50, "search_path=app"):
        assert secret not in run.stdout + run.stderr
        for path in [*clients.home.rglob("*"), *project.rglob("*")]:
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path


def test_an_update_gives_an_unset_variable_its_default_again(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    """SAM CLI keeps the previous value of a parameter left out: bin/deploy passes them all."""
    aws_endpoint.answer(MIGRATED)
    before = aws_endpoint.stack(STACK).parameters

    run = clients.run(
        project, "bin/deploy", DJANGO_SECRET_KEY=SECRET_KEY, DATABASE_URL=DATABASE_URL
    )

    assert run.returncode == 0, run.stdout + run.stderr
    after = aws_endpoint.stack(STACK).parameters
    assert (after["SentryDsn"], after["DjangoAllowedHosts"]) == ("", "")
    assert after["VersionHash"] == version_hash(after, project) != before["VersionHash"]
    assert "==> ECR repository" not in run.stdout  # it exists: kept as it is
