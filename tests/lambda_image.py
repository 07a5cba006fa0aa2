"""What Lambda would run, without Docker: the generated Dockerfile and template.yaml, read
and carried out in a virtualenv that stands in for the image.

The image's WORKDIR /app is the generated project's directory. The build stage's RUN steps
run there as written (uv installs into .venv, as in the image); a function starts with the
final stage's ENV, the function's environment from template.yaml, and the ENTRYPOINT/CMD of
the Dockerfile or the function's ImageConfig override, talking to a local Runtime API.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from tests.helpers import function_environment, load_sam_template, run
from tests.runtime_api import RuntimeAPI

IMAGE_ROOT = "/app"


@dataclass
class Stage:
    base: str
    env: dict[str, str] = field(default_factory=dict)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (instruction, arguments)

    def instruction(self, name: str) -> str:
        (arguments,) = [args for instruction, args in self.steps if instruction == name]
        return arguments


def parse_dockerfile(text: str) -> list[Stage]:
    text = re.sub(r"\\\n", " ", text)
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append(Stage(base=arguments))
        elif stages:
            stages[-1].steps.append((instruction, arguments))
            if instruction == "ENV":
                for item in shlex.split(arguments):
                    name, _, value = item.partition("=")
                    stages[-1].env[name] = value
    return stages


class LambdaImage:
    def __init__(self, project: Path, base_env: dict[str, str]) -> None:
        self.project = project
        self.base_env = base_env
        self.stages = parse_dockerfile((project / "Dockerfile").read_text())
        self.template = load_sam_template(project)

    def in_project(self, value: str) -> str:
        """A path inside the image, as a path in the project."""
        return value.replace(f"{IMAGE_ROOT}/", f"{self.project}/").replace(
            f"{IMAGE_ROOT}:", f"{self.project}:"
        )

    def stage_env(self, stage: Stage) -> dict[str, str]:
        env = dict(self.base_env)
        for name, value in stage.env.items():
            env[name] = self.in_project(value.replace("$PATH", env.get("PATH", "")))
        return env

    def build(self) -> None:
        """The build stage's RUN steps, in order; uv itself comes from the test's own pin."""
        build = self.stages[0]
        assert build.instruction("WORKDIR") == IMAGE_ROOT
        for instruction, arguments in build.steps:
            if instruction == "RUN" and not arguments.startswith("pip install"):
                run(["bash", "-c", arguments], self.project, self.stage_env(build))

    def command(self, function: str) -> list[str]:
        final = self.stages[-1]
        image_config = self.template["Resources"][function]["Properties"].get("ImageConfig", {})
        entrypoint = image_config.get("EntryPoint", json.loads(final.instruction("ENTRYPOINT")))
        command = image_config.get("Command", json.loads(final.instruction("CMD")))
        return [self.in_project(part) for part in entrypoint + command]

    def environment(self, function: str, parameters: dict[str, str]) -> dict[str, str]:
        return {
            **self.stage_env(self.stages[-1]),
            **function_environment(self.template, function, parameters),
            "AWS_REGION": "us-east-1",  # Lambda sets these two itself
            "AWS_LAMBDA_FUNCTION_NAME": function,
        }

    @contextmanager
    def start(
        self,
        function: str,
        parameters: dict[str, str],
        project: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> Iterator[RuntimeAPI]:
        """Start `function` as Lambda would (plus `extra_env`); yield its Runtime API peer."""
        image = self if project is None else LambdaImage(project, self.base_env)
        with RuntimeAPI() as runtime_api, ExitStack() as stack:
            env = {**image.environment(function, parameters), **(extra_env or {})}
            env["AWS_LAMBDA_RUNTIME_API"] = runtime_api.address
            log_path = image.project.parent / f"{function}-{runtime_api.address.split(':')[1]}.log"
            log = stack.enter_context(log_path.open("w"))
            process = subprocess.Popen(
                image.command(function),
                cwd=image.project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            stack.callback(process.wait, 30)
            stack.callback(process.terminate)
            runtime_api.log_path = log_path
            runtime_api.process = process
            yield runtime_api


def parameters(database_url: str, allowed_hosts: str = "") -> dict[str, str]:
    """template.yaml's parameters, as bin/deploy passes them."""
    return {
        "DjangoSecretKey": "image-tests-only-0123456789abcdefghijklmnopqrstuvwxyz0123",
        "DatabaseUrl": database_url,
        "AllowedHosts": allowed_hosts,
        "LogLevel": "INFO",
    }


def generated_events(image: LambdaImage) -> ModuleType:
    """The generated project's own event factories (tests/events.py): one source of shapes."""
    spec = importlib.util.spec_from_file_location(
        "generated_events", image.project / "tests" / "events.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
