from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_aws import install_fakes
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


@pytest.fixture
def fakes(tmp_path: Path) -> Path:
    """A directory holding recording stand-ins for `aws` and `sam`."""
    return install_fakes(tmp_path / "fake-bin")
