"""bin/deploy with the real AWS CLI v2 and SAM CLI against moto (see tests/aws_clients.py for
the one step a stand-in finishes: `sam build`, which needs Docker).

The tests share the endpoint's stacks and run in order: the first deploys production, which
later ones update; "fresh" is created by the reset test and reused after it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from moto.ecr.models import ecr_backends

from tests.aws_clients import Clients, Run, image_repository
from tests.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.helpers import DEFAULT_SLUG, bake, load_sam_template
from tests.lambda_container import docker_available

SECRET_KEY = "s3cret-key-with-$pecial-characters-and-enough-length-0123456789"
DATABASE_URL = "postgres://app:p%40ss@db.example.com:5432/app"
MIGRATED = {
    "command": ["migrate"],
    "exit_status": 0,
    "stdout": "  Applying shop.0002_price... OK\n",
    "stderr": "",
}
FAILED = {
    "command": ["migrate"],
    "exit_status": 1,
    "stdout": "",
    "stderr": "ProgrammingError: boom\n",
}
OPTIONAL_VARIABLES = [
    "DJANGO_DEFAULT_FROM_EMAIL",
    "DJANGO_ADMINS",
    "DATABASE_DIRECT_URL",
    "DJANGO_CONN_MAX_AGE",
    "WEB_RESERVED_CONCURRENCY",
    "SUBNET_IDS",
    "SECURITY_GROUP_IDS",
    "ALARM_EMAIL",
    "SENTRY_DSN",
]
# The parameters bin/deploy passes with their template defaults when their variables are unset.
OPTIONAL_DEFAULTS = {
    "DjangoDefaultFromEmail": "",
    "DjangoAdmins": "",
    "DatabaseDirectUrl": "",
    "DjangoConnMaxAge": "600",
    "WebReservedConcurrency": "0",
    "SubnetIds": "",
    "SecurityGroupIds": "",
    "AlarmEmail": "",
    "SentryDsn": "",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, aws_endpoint: AwsEndpoint) -> Path:
    aws_endpoint.reset()
    docker_available()
    # x86_64, this machine's CPU: `sam build` builds the image for real (the arm64 build, under
    # emulation, is test_image_variants.py's).
    return bake(tmp_path_factory.mktemp("deploy"), architecture="x86_64")


def deploy(project: Path, clients: Clients, environment: str, **variables: str | None) -> Run:
    """bin/deploy <environment>; the manage function answers as MIGRATED unless queued."""
    if not clients.endpoint.queued_answers():
        clients.endpoint.answer(MIGRATED)
    variables = {
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": DATABASE_URL,
        "ECR_REPOSITORY": image_repository(f"my-django-app-{environment}"),
        **variables,
    }
    return clients.run(project, "bin/deploy", environment, **variables)


def settings_hash(parameters: dict[str, str], image: str) -> str:
    """bin/deploy's hash: the built images (the three functions share one) and every value."""
    values = {name: value for name, value in parameters.items() if name != "VersionHash"}
    identity = json.dumps({"images": [image], "values": values}, sort_keys=True)
    return hashlib.sha256(identity.encode()).hexdigest()


def built_image(project: Path) -> str:
    """The id of the image `sam build` last built for the project (one for the three
    functions: SAM tags it <function>:<DockerTag>)."""
    tag = load_sam_template(project)["Resources"]["WebFunction"]["Metadata"]["DockerTag"]
    inspect = ["docker", "image", "inspect", "--format", "{{.Id}}", f"webfunction:{tag}"]
    return subprocess.run(inspect, capture_output=True, text=True, check=True).stdout.strip()


def test_first_deploy_from_the_workflow_with_only_the_two_secrets_set(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.answer(MIGRATED)

    # GitHub gives an unset variable and an empty input as "".
    run = clients.run_step(
        project,
        "deploy.yml",
        "bin/deploy",
        {
            "ENVIRONMENT": "production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": DATABASE_URL,
            "DJANGO_ALLOWED_HOSTS": "",
            "DJANGO_LOG_LEVEL": "",
            "RESET_DATABASE": "",
            **{variable: "" for variable in OPTIONAL_VARIABLES},
        },
        ECR_REPOSITORY=image_repository("my-django-app-production"),
    )

    assert run.returncode == 0, run.stdout + run.stderr
    stack = "my-django-app-production"
    repository = ecr_backends[ACCOUNT][REGION].repositories[stack]
    assert repository.image_scanning_configuration == {"scanOnPush": True}
    (rule,) = json.loads(repository.lifecycle_policy)["rules"]
    assert rule["selection"]["countNumber"] == 10
    assert f"Deployment image repository  : \n{' ' * 39}{image_repository(stack)}" in run.stdout
    parameters = aws_endpoint.stack(stack).parameters
    assert parameters == {
        "EnvironmentName": "production",
        "DjangoSecretKey": SECRET_KEY,
        "DatabaseUrl": DATABASE_URL,
        "DjangoAllowedHosts": "",
        "DjangoLogLevel": "INFO",
        "ResetDatabase": "",
        **OPTIONAL_DEFAULTS,
        "VersionHash": settings_hash(parameters, built_image(project)),
    }
    (invocation,) = aws_endpoint.invocations
    assert invocation.function.startswith(f"{stack}-ManageFunction-")
    assert (invocation.qualifier, invocation.payload) == ("live", {})
    assert "  Applying shop.0002_price... OK\n" in run.stdout
    url = aws_endpoint.function_url(f"{stack}-WebFunction-")
    assert run.stdout.endswith(f"==> Deployed {stack}: {url}\n")


def test_optional_parameters_come_from_their_variables(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    variables = {
        "DJANGO_DEFAULT_FROM_EMAIL": "noreply@a.example",
        "DJANGO_ADMINS": "Ops Team <ops@a.example>, dev@a.example",
        "DATABASE_DIRECT_URL": "postgres://app:p%40ss@direct.example.com:5432/app",
        "DJANGO_CONN_MAX_AGE": "0",
        "WEB_RESERVED_CONCURRENCY": "20",
        "SUBNET_IDS": "subnet-0a,subnet-0b",
        "SECURITY_GROUP_IDS": "sg-0c",
        "ALARM_EMAIL": "ops@example.com",
        "SENTRY_DSN": "https://public@sentry.example.com/1",
    }

    run = deploy(project, clients, "optional", **variables)

    assert run.returncode == 0, run.stdout + run.stderr
    parameters = aws_endpoint.stack("my-django-app-optional").parameters
    assert {name: parameters[name] for name in OPTIONAL_DEFAULTS} == {
        "DjangoDefaultFromEmail": "noreply@a.example",
        "DjangoAdmins": "Ops Team <ops@a.example>, dev@a.example",
        "DatabaseDirectUrl": variables["DATABASE_DIRECT_URL"],
        "DjangoConnMaxAge": "0",
        "WebReservedConcurrency": "20",
        "SubnetIds": "subnet-0a,subnet-0b",
        "SecurityGroupIds": "sg-0c",
        "AlarmEmail": "ops@example.com",
        "SentryDsn": variables["SENTRY_DSN"],
    }


def test_a_new_image_alone_moves_the_settings_hash(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    """Versions are named after VersionHash alone: new code must change it too."""
    first = deploy(project, clients, "images")
    same = aws_endpoint.stack("my-django-app-images").parameters["VersionHash"]
    one = built_image(project)
    aws_endpoint.forget_invocations()
    again = deploy(project, clients, "images")
    unchanged = aws_endpoint.stack("my-django-app-images").parameters["VersionHash"]
    aws_endpoint.forget_invocations()
    css = project / DEFAULT_SLUG / "static" / DEFAULT_SLUG / "css" / "site.css"
    css.write_text(css.read_text() + "h1 { color: teal; }\n")
    rebuilt = deploy(project, clients, "images")
    parameters = aws_endpoint.stack("my-django-app-images").parameters

    assert (first.returncode, again.returncode, rebuilt.returncode) == (0, 0, 0)
    assert same == unchanged == settings_hash(parameters, one)
    assert built_image(project) != one
    assert parameters["VersionHash"] == settings_hash(parameters, built_image(project))
    assert parameters["VersionHash"] != same


# What CloudFormation must receive unchanged, and what must never be printed or left behind.
AWKWARD = "\\back spaces \"double\" 'single' a,b k=v &amp; 100% #hash é€😀"


def test_values_reach_the_stack_unchanged_and_stay_secret(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    secret_key = "k" * 50 + AWKWARD
    database_url = "postgres://u:p@db.example.com/app?options=-c search_path=app" + AWKWARD
    hosts = "a.example.com," + AWKWARD

    run = deploy(
        project,
        clients,
        "awkward",
        DJANGO_SECRET_KEY=secret_key,
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS=hosts,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    parameters = aws_endpoint.stack("my-django-app-awkward").parameters
    assert parameters["DjangoSecretKey"] == secret_key
    assert parameters["DatabaseUrl"] == database_url
    assert parameters["DjangoAllowedHosts"] == hosts
    for secret in (secret_key, database_url, "k" * 50, "search_path=app"):
        assert secret not in run.stdout + run.stderr
        for path in [*clients.home.rglob("*"), *project.rglob("*")]:
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path


def test_an_update(project: Path, clients: Clients, aws_endpoint: AwsEndpoint) -> None:
    """A settings change moves VersionHash; a reset happens in the hook, never twice; the
    ECR repository is kept as it is."""
    before = aws_endpoint.stack("my-django-app-production").parameters
    repository = ecr_backends[ACCOUNT][REGION].repositories["my-django-app-production"]
    repository.lifecycle_policy = "kept"

    run = deploy(project, clients, "production", RESET_DATABASE='app"; DROP')

    assert run.returncode == 0, run.stdout + run.stderr
    after = aws_endpoint.stack("my-django-app-production").parameters
    assert after["ResetDatabase"] == 'app"; DROP'
    assert after["VersionHash"] == settings_hash(after, built_image(project))
    assert after["VersionHash"] != before["VersionHash"]
    (invocation,) = aws_endpoint.invocations
    assert invocation.payload == {}
    assert 'the PreTraffic hook dropped every table of app"; DROP, then migrated' in run.stdout
    assert "creating it" not in run.stdout
    assert repository.lifecycle_policy == "kept"


def test_a_new_stack_is_reset_by_bin_deploy(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    run = deploy(project, clients, "fresh", RESET_DATABASE='app"; DROP')  # hosts unset

    assert run.returncode == 0, run.stdout + run.stderr
    (invocation,) = aws_endpoint.invocations
    assert invocation.payload == {"reset_database": 'app"; DROP'}
    parameters = aws_endpoint.stack("my-django-app-fresh").parameters
    assert (parameters["ResetDatabase"], parameters["DjangoAllowedHosts"]) == ('app"; DROP', "")
    assert 'every table of app"; DROP is dropped first' in run.stdout


def test_migrations_failing_in_the_hook(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    before = aws_endpoint.stack("my-django-app-production").parameters
    aws_endpoint.fail_pre_traffic_hook(
        "ManageLogGroup",
        "  Applying shop.0003_stock...",
        json.dumps({"errorType": "InvocationFailed", "errorMessage": json.dumps(FAILED)}),
    )

    run = deploy(project, clients, "production", DJANGO_LOG_LEVEL="ERROR")

    assert run.returncode == 1
    assert aws_endpoint.invocations == []
    assert aws_endpoint.stack("my-django-app-production").parameters == before
    assert (
        "==> The manage function's log since this deploy began\n"
        "  Applying shop.0003_stock...\n"
        "ProgrammingError: boom\n"
        "bin/deploy: the deploy failed and was rolled back; the previous version keeps serving."
    ) in run.stderr
    assert "RESET_DATABASE (Deploy workflow: reset_database)" in run.stderr


def test_a_hook_failure_whose_log_cannot_be_read(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.fail_pre_traffic_hook("ManageLogGroup", "never shown")

    with aws_endpoint.denying("logs:FilterLogEvents") as keys:
        run = deploy(project, clients, "production", DJANGO_LOG_LEVEL="ERROR", **keys)

    assert run.returncode == 1
    assert "AccessDenied" in run.stderr
    assert "never shown" not in run.stderr
    assert (
        "    (could not read it: see the manage function's log group in CloudWatch)\n"
        "bin/deploy: the deploy failed and was rolled back; the previous version keeps serving."
    ) in run.stderr


def test_migrations_failing_after_the_deploy(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    error = {"errorType": "InvocationFailed", "errorMessage": json.dumps(FAILED)}
    aws_endpoint.answer(error, function_error="Unhandled")

    run = deploy(project, clients, "production")

    assert run.returncode == 1
    assert json.loads(run.stderr.splitlines()[-2]) == error
    assert run.stderr.endswith(
        "bin/deploy: the migrations failed (Unhandled): their output is above.\n"
    )
    assert "==> Deployed" not in run.stdout


def test_a_failed_first_deploy(project: Path, clients: Clients, aws_endpoint: AwsEndpoint) -> None:
    with aws_endpoint.denying("cloudformation:ExecuteChangeSet") as keys:
        run = deploy(project, clients, "failed", **keys)

    assert run.returncode == 1
    assert "AccessDenied" in run.stderr
    assert run.stderr.endswith(
        "bin/deploy: sam deploy failed: its output is above. Nothing serves yet; fix it and"
        " deploy again.\n"
    )
    assert aws_endpoint.invocations == []


def test_a_stack_left_by_a_failed_first_create_is_explained(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    aws_endpoint.stack("my-django-app-fresh").status = "ROLLBACK_COMPLETE"

    run = deploy(project, clients, "fresh")

    assert run.returncode == 1
    assert run.stderr == (
        "bin/deploy: the first deploy of my-django-app-fresh failed and CloudFormation cannot"
        " update what it left: delete it (aws cloudformation delete-stack --region us-east-1"
        " --stack-name my-django-app-fresh), then deploy again.\n"
    )


def test_an_ecr_error_is_reported_as_what_it_is(
    project: Path, clients: Clients, aws_endpoint: AwsEndpoint
) -> None:
    with aws_endpoint.denying("ecr:DescribeRepositories") as keys:
        run = deploy(project, clients, "denied", **keys)

    assert run.returncode == 1
    assert "bin/deploy: could not look up the ECR repository my-django-app-denied:" in run.stderr
    assert "AccessDenied" in run.stderr
    assert "my-django-app-denied" not in ecr_backends[ACCOUNT][REGION].repositories


@pytest.mark.parametrize("environment", ["Production", "9lives", "a_b", "x" * 21])
def test_an_invalid_environment_name_stops_before_anything(
    project: Path, clients: Clients, environment: str
) -> None:
    run = deploy(project, clients, environment, DJANGO_SECRET_KEY="")

    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr == (
        f"bin/deploy: '{environment}' is not an environment name: a lowercase letter, then up"
        " to 19 lowercase letters, digits or '-' ([a-z][a-z0-9-]{0,19}).\n"
    )


def test_missing_credentials_are_explained(project: Path, clients: Clients) -> None:
    run = deploy(project, clients, "production", AWS_ACCESS_KEY_ID=None)

    assert run.returncode == 1
    assert "Unable to locate credentials" in run.stderr
    assert run.stderr.endswith(
        "bin/deploy: no usable AWS credentials: run 'aws configure sso' (or set AWS_PROFILE),"
        " or use the Deploy workflow.\n"
    )


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_missing_secret_is_named(project: Path, clients: Clients, variable: str) -> None:
    run = deploy(project, clients, "production", **{variable: ""})

    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.startswith(f"bin/deploy: {variable} is not set")
