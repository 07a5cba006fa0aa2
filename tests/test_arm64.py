"""The default architecture, arm64, built and run under qemu: `sam build` of a project with
the default answers, then its web and migrations functions in Lambda's sandbox under the
arm64 emulator. A smoke test (x86_64 gets the full one); it runs last (conftest), as its
build borrows the base image's tag for the arm64 stand-in."""

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


@pytest.fixture(scope="module")
def arm64_image(tmp_path_factory: pytest.TempPathFactory) -> LambdaImage:
    docker_available()
    sam = sam_cli()
    project = bake(tmp_path_factory.mktemp("arm64"))
    with stand_ins.as_base("python:3.13-slim-trixie", "arm64"):
        sam_build(project, sam)
    return LambdaImage(project, sam, arch="arm64")


def test_web_and_migrations_answer(arm64_image: LambdaImage) -> None:
    events = generated_events(arm64_image.project)
    with fresh_database() as url:
        with arm64_image.start("MigrationsFunction", parameters(url)) as migrations:
            migrated = migrations.invoke({}, timeout=600)
        hosts = events.FUNCTION_URL_HOST
        with arm64_image.start("WebFunction", parameters(url, hosts)) as web:
            home = web.invoke(events.function_url_event(path="/"), timeout=600)
            machine = arm64_image.run("WebFunction", ["uname", "-m"], {}).stdout
        migrated_tables = tables(url)

    assert machine == "aarch64\n"
    assert migrated.kind == "response" and migrated.body["exit_status"] == 0, migrated.body
    assert "users_user" in migrated_tables
    assert home.kind == "response" and home.body["statusCode"] == 200, home.body
