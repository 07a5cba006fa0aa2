"""The other answers that change the image, each built by `sam build` and smoke-tested in
Lambda's sandbox under the emulator (the default answers but x86_64 get the full tests):
arm64, the default architecture, under qemu; Python 3.14, on its stand-in. These run last
(conftest): an arm64 build borrows the base image's tag for the arm64 stand-in."""

from __future__ import annotations

import pytest

from tests import stand_ins
from tests.aws_clients import sam_cli
from tests.helpers import bake
from tests.lambda_container import (
    LambdaImage,
    docker_available,
    generated_events,
    parameters,
    sam_build,
)
from tests.postgres import fresh_database, tables

VARIANTS = {
    "arm64": {"architecture": "arm64", "python_version": "3.13"},
    "python-3.14": {"architecture": "x86_64", "python_version": "3.14"},
}
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    docker_available()
    sam = sam_cli()
    answers = VARIANTS[request.param]
    project = bake(tmp_path_factory.mktemp(request.param), **answers)
    base = f"python:{answers['python_version']}-slim-trixie"
    with stand_ins.as_base(base, answers["architecture"]):
        sam_build(project, sam)
    assert stand_ins.inspect(base, "{{.Architecture}}") == "amd64", "the tag given back"
    return answers, LambdaImage(project, sam, arch=answers["architecture"])


def test_web_and_migrations_answer(variant: tuple[dict[str, str], LambdaImage]) -> None:
    answers, image = variant
    events = generated_events(image.project)
    with fresh_database() as url:
        with image.start("ManageFunction", parameters(url)) as migrations:
            migrated = migrations.invoke({}, timeout=600)
        hosts = events.FUNCTION_URL_HOST
        with image.start("WebFunction", parameters(url, hosts)) as web:
            home = web.invoke(events.function_url_event(path="/"), timeout=600)
        migrated_tables = tables(url)
    probe = [
        "python",
        "-c",
        "import platform; print(platform.machine(), platform.python_version())",
    ]
    machine, python = image.run("WebFunction", probe, {}).stdout.split()

    assert machine == MACHINES[answers["architecture"]]
    assert python.startswith(f"{answers['python_version']}.")
    assert migrated.kind == "response" and migrated.body["exit_status"] == 0, migrated.body
    assert "users_user" in migrated_tables
    assert home.kind == "response" and home.body["statusCode"] == 200, home.body
