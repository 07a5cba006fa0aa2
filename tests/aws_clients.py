"""The real SAM CLI, pointed at the local endpoint, for the project's scripts.

The scripts run as the Deploy workflow runs them: on the Python of the SAM CLI's venv
($RUNNER_TEMP/tools, here the one $SAM_CLI belongs to), whose boto3 reads AWS_ENDPOINT_URL,
with `sam` on PATH. `sam build` builds the images with the Docker engine, `sam deploy` deploys
to the local endpoint. Only its push of the images has a stand-in, as there is no container
registry here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.aws_endpoint import AwsEndpoint
from tests.helpers import unavailable

SAM_VERSION = "1.170.0"  # the version the Deploy workflow installs


def sam_cli() -> str:
    """The SAM CLI the Deploy workflow pins: $SAM_CLI (.ci/run sets it), else on PATH."""
    sam = os.environ.get("SAM_CLI") or shutil.which("sam")
    version = sam and subprocess.run([sam, "--version"], capture_output=True, text=True).stdout
    if not version or version.split()[-1] != SAM_VERSION:
        unavailable(f"no SAM CLI {SAM_VERSION} (set SAM_CLI to it)")
    return str(sam)


# STAND-IN for `sam deploy`'s image push only (no container registry here): each image the
# real `sam build` built is named in the built template as if already pushed to the
# --image-repository, tagged with its image id's hex digits; the real `sam deploy` then pushes
# nothing.
SAM = r"""#!{python}
import json, os, re, subprocess, sys
from pathlib import Path

if sys.argv[1:2] == ["deploy"]:
    repository = sys.argv[sys.argv.index("--image-repository") + 1]

    def pushed(match):
        inspect = ["docker", "image", "inspect", match[2]]
        image_id = json.loads(subprocess.run(inspect, capture_output=True, check=True).stdout)[0]["Id"]
        return f"{{match[1]}}{{repository}}:{{image_id.split(':')[1]}}"

    built = Path(".aws-sam/build/template.yaml")
    built.write_text(re.sub(r"^(\s+ImageUri: )(\S+)$", pushed, built.read_text(), flags=re.M))
os.execv({sam!r}, [{sam!r}, *sys.argv[1:]])
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
        sam = sam_cli()
        (self.bin / "sam").write_text(SAM.format(python=sys.executable, sam=sam))
        (self.bin / "sam").chmod(0o755)
        # The Deploy workflow's $RUNNER_TEMP/tools: the SAM CLI's venv, whose Python runs bin/deploy.
        self.runner_temp = directory / "runner-temp"
        self.runner_temp.mkdir()
        tools = Path(sam).parent.parent
        if not (tools / "bin" / "python").exists():
            unavailable(f"{sam} is not in a venv of its own, as the Deploy workflow installs it")
        (self.runner_temp / "tools").symlink_to(tools)

    def environment(self, **variables: str) -> dict[str, str]:
        return {
            # The stand-in `sam`, then the workflow's tools (their python3 runs the scripts).
            "PATH": os.pathsep.join(
                [str(self.bin), str(self.runner_temp / "tools" / "bin"), os.environ["PATH"]]
            ),
            "RUNNER_TEMP": str(self.runner_temp),
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
