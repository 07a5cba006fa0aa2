"""The real AWS CLI v2 and SAM CLI, pointed at the local endpoint, for the project's scripts.

The scripts find `aws` and `sam` on PATH, as they do on a user's machine. The `aws` put first
on PATH only adds `--endpoint-url` (Debian's AWS CLI 2.9 ignores AWS_ENDPOINT_URL) and runs
the real CLI, which parses everything. The `sam` there runs the real SAM CLI (whose boto3
reads AWS_ENDPOINT_URL): `sam build` builds the images with the Docker engine, `sam deploy`
deploys to the local endpoint. Only its push of the images has a stand-in, as there is no
container registry here.
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


# STAND-IN for `sam deploy`'s image push only (no container registry here): each image the
# real `sam build` built is named in the built template as if already pushed to the
# --image-repository, tagged with its image id; the real `sam deploy` then pushes nothing.
SAM = r"""#!{python}
import json, os, re, subprocess, sys
from pathlib import Path

if sys.argv[1:2] == ["deploy"]:
    repository = sys.argv[sys.argv.index("--image-repository") + 1]

    def pushed(match):
        inspect = ["docker", "image", "inspect", match[2]]
        image_id = json.loads(subprocess.run(inspect, capture_output=True, check=True).stdout)[0]["Id"]
        return f"{{match[1]}}{{repository}}:{{image_id.split(':')[1][:12]}}"

    built = Path(".aws-sam/build/template.yaml")
    built.write_text(re.sub(r"^(\s+ImageUri: )(\S+)$", pushed, built.read_text(), flags=re.M))
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
