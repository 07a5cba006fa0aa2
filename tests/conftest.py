from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aws_clients import Clients
from tests.aws_endpoint import AwsEndpoint
from tests.helpers import UV, bake, find_python, project_env, run
from tests.lambda_image import LambdaImage


@pytest.fixture(scope="session")
def lambda_image(tmp_path_factory: pytest.TempPathFactory) -> LambdaImage:
    """A generated project (default answers), locked and built as its Dockerfile says."""
    project = bake(tmp_path_factory.mktemp("image"))
    # As a checkout on Windows leaves it: the Dockerfile must make the entrypoint executable.
    (project / "bin" / "lambda-migrate").chmod(0o644)
    env = project_env(find_python("3.13"))
    run([UV, "lock", "--quiet"], project, env)  # bin/setup does this; the user commits it
    image = LambdaImage(project, env)
    image.build()
    return image


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[AwsEndpoint]:
    endpoint = AwsEndpoint()
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def clients(aws_endpoint: AwsEndpoint, tmp_path: Path) -> Clients:
    """The real AWS and SAM CLIs on a PATH for the scripts, talking to the local endpoint."""
    aws_endpoint.forget_invocations()
    return Clients(aws_endpoint, tmp_path / "clients")
