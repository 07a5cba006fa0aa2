from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import stand_ins
from tests.aws_clients import Clients, sam_cli
from tests.aws_endpoint import AwsEndpoint
from tests.helpers import bake
from tests.lambda_container import LambdaImage, docker_available, sam_build


@pytest.fixture(scope="session")
def lambda_image(tmp_path_factory: pytest.TempPathFactory) -> LambdaImage:
    """A generated project (default answers but x86_64, this machine's CPU), exactly as
    generated, its image built by `sam build` with the real Docker engine."""
    docker_available()
    sam = sam_cli()
    project = bake(tmp_path_factory.mktemp("image"), architecture="x86_64")
    stand_ins.ensure("python:3.13-slim-trixie")
    sam_build(project, sam)
    return LambdaImage(project, sam)


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[AwsEndpoint]:
    endpoint = AwsEndpoint()
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def clients(aws_endpoint: AwsEndpoint, tmp_path: Path) -> Clients:
    """The real AWS and SAM CLIs on a PATH for the scripts, talking to the local endpoint."""
    aws_endpoint.forget_answers()
    return Clients(aws_endpoint, tmp_path / "clients")


# What only the full suite runs (.ci/run): the built image, the deploy scripts on moto, the
# browser, the devcontainer and the benchmark. `uv run pytest -m "not slow"` is the rest.
SLOW_FILES = {
    "test_benchmark.py",
    "test_browser.py",
    "test_deploy_script.py",
    "test_devcontainer.py",
    "test_hook_function.py",
    "test_image.py",
    "test_image_variants.py",
    "test_manage_function.py",
    "test_pooler.py",
    "test_sam_local.py",
    "test_tasks_function.py",
    "test_web_function.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the slow tests; the image variants last, as an arm64 build lends the base
    image's tag to the arm64 stand-in."""
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.path.name == "test_image_variants.py")
