"""The real AWS CLI v2 and SAM CLI, pointed at the local endpoint, for the project's scripts.

The scripts find `aws` and `sam` on PATH, as they do on a user's machine. The `aws` put first
on PATH only adds `--endpoint-url` (Debian's AWS CLI 2.9 ignores AWS_ENDPOINT_URL) and runs
the real CLI, which parses everything. The `sam` there runs the real SAM CLI (whose boto3
reads AWS_ENDPOINT_URL), except for the end of `sam build`: building an image needs a Docker
engine, which is not here. The real `sam build` runs until it needs one; then what it would
leave for `sam deploy` is written -- .aws-sam/build/template.yaml, each image function's
ImageUri naming an image already in the stack's ECR repository, so `sam deploy` pushes
nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.helpers import unavailable

AWS_CLI = "/usr/bin/aws"  # Debian's awscli: a v2 build (a pip v1 may come first on PATH)
SAM_VERSION = "1.170.0"  # the version the Deploy workflow installs


def sam_cli() -> str:
    """The SAM CLI the Deploy workflow pins: $SAM_CLI (.ci/run sets it), else on PATH."""
    sam = os.environ.get("SAM_CLI") or shutil.which("sam")
    version = sam and subprocess.run([sam, "--version"], capture_output=True, text=True).stdout
    if not version or version.split()[-1] != SAM_VERSION:
        unavailable(f"no SAM CLI {SAM_VERSION} (set SAM_CLI to it)")
    return str(sam)


def aws_cli() -> str:
    version = (
        Path(AWS_CLI).exists()
        and subprocess.run([AWS_CLI, "--version"], capture_output=True, text=True).stdout
    )
    if not version or not version.startswith("aws-cli/2."):
        unavailable(f"no AWS CLI v2 at {AWS_CLI} (Debian's awscli package)")
    return AWS_CLI


# Stands in for `sam build` past the point the real one reaches without Docker: the real SAM
# CLI parses the command line, reads template.yaml and samconfig.toml and gets as far as
# building the first image, then this writes the built template, as `sam build` then `sam
# deploy`'s push would leave it: each image function's ImageUri in ECR_REPOSITORY.
SAM = r"""#!{python}
import os, subprocess, sys
from pathlib import Path

import yaml

if sys.argv[1:2] == ["build"]:
    # Where there is a Docker engine, it is hidden: the image is not what this test checks.
    no_docker = {{**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}}
    real = subprocess.run([{sam!r}, *sys.argv[1:]], env=no_docker, capture_output=True, text=True)
    if "requires a container runtime" not in real.stderr:
        sys.exit(f"the real sam build did not stop at Docker:\n{{real.stdout}}{{real.stderr}}")
    template = Path("template.yaml").read_text()
    tag = os.environ.get("IMAGE_TAG", "built-by-the-test")  # a test's new build
    image = f"      ImageUri: {{os.environ['ECR_REPOSITORY']}}:{{tag}}\n"
    built = template.replace("      PackageType: Image\n", "      PackageType: Image\n" + image)
    Path(".aws-sam/build").mkdir(parents=True, exist_ok=True)
    Path(".aws-sam/build/template.yaml").write_text(built)
    print("Build Succeeded (the test's stand-in: no Docker engine here)")
else:
    os.execv({sam!r}, [{sam!r}, *sys.argv[1:]])
"""

AWS = """#!/bin/sh
exec {aws} --endpoint-url {url} "$@"
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


class Clients:
    """A PATH holding the clients, and the environment the scripts run in."""

    def __init__(self, endpoint: AwsEndpoint, directory: Path) -> None:
        self.endpoint = endpoint
        self.home = directory
        self.bin = directory / "bin"
        self.bin.mkdir(parents=True)
        self.tmp = directory / "tmp"
        self.tmp.mkdir()
        scripts = {
            "aws": AWS.format(aws=aws_cli(), url=endpoint.url),
            "sam": SAM.format(python=sys.executable, sam=sam_cli()),
        }
        for name, text in scripts.items():
            (self.bin / name).write_text(text)
            (self.bin / name).chmod(0o755)

    def environment(self, **variables: str) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            # moto accepts any key; nothing is read from files or asked of an instance role.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": str(self.home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": self.endpoint.url,
            "SAM_CLI_TELEMETRY": "0",
            "SAM_CLI_POLL_DELAY": "0.2",  # moto answers at once; SAM would poll every 5 s
            **variables,
        }

    def run(self, project: Path, script: str, *args: str, **variables: str) -> Run:
        """Run one of the project's scripts; variables set to None are left out."""
        env = {k: v for k, v in self.environment(**variables).items() if v is not None}
        result = subprocess.run(
            [script, *args], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def run_step(
        self, project: Path, workflow: str, name: str, env: dict[str, str], **variables: str
    ) -> Run:
        """A workflow step's script as GitHub's runner runs it, `env` being the step's env."""
        workflow_text = (project / ".github/workflows" / workflow).read_text()
        jobs = yaml.safe_load(workflow_text)["jobs"]
        (step,) = [s for job in jobs.values() for s in job["steps"] if s.get("name") == name]
        assert set(step["env"]) == set(env), "the step passes other variables than these"
        return self.run(
            project,
            "bash",
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            step["run"],
            **env,
            **variables,
        )


def image_repository(stack: str) -> str:
    return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{stack}"
