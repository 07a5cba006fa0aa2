"""Recording stand-ins for the AWS and SAM CLIs, put first on PATH by the `fakes` fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ACCOUNT = "123456789012"
FUNCTION_URL = "https://a1b2c3.lambda-url.us-east-1.on.aws/"
MIGRATIONS_FUNCTION = "my-django-app-production-MigrationsFunction-AbC123"

# One fake for both CLIs: it records its arguments, then answers as the real one would, as
# far as bin/deploy and bin/manage-remote care. FAKE_* variables choose the situation.
FAKE_CLI = r"""
import json, os, sys
name = os.path.basename(sys.argv[0])
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps([name, *args]) + "\n")

def option(flag):
    return args[args.index(flag) + 1]

if name == "sam":
    failing = os.environ.get("FAKE_SAM_FAILS", "")
    if args[0] == failing:
        print(f"Error: sam {failing} failed (fake)", file=sys.stderr)
        sys.exit(1)
elif args[:2] == ["sts", "get-caller-identity"]:
    if os.environ.get("FAKE_NO_CREDENTIALS"):
        print("Unable to locate credentials. You can configure credentials by running "
              '"aws configure".', file=sys.stderr)
        sys.exit(253)
    print(os.environ["FAKE_ACCOUNT"])
elif args[:2] == ["ecr", "describe-repositories"]:
    if not os.environ.get("FAKE_ECR_EXISTS"):
        print("An error occurred (RepositoryNotFoundException)", file=sys.stderr)
        sys.exit(254)
    print("{}")
elif args[:2] in (["ecr", "create-repository"], ["ecr", "put-lifecycle-policy"]):
    print("{}")
elif args[:2] == ["cloudformation", "describe-stacks"] and not os.environ.get("FAKE_NO_STACK"):
    outputs = {"FunctionUrl": os.environ["FAKE_URL"],
               "MigrationsFunctionName": os.environ["FAKE_MIGRATIONS"]}
    key = option("--query").split("OutputKey=='")[1].split("'")[0]
    print(outputs[key])
elif args[:2] == ["cloudformation", "describe-stacks"] and os.environ.get("FAKE_NO_STACK"):
    print(f"An error occurred (ValidationError): Stack with id {option('--stack-name')} "
          "does not exist", file=sys.stderr)
    sys.exit(254)
elif args[:2] == ["lambda", "invoke"] and os.environ.get("FAKE_INVOKE_TIMEOUT"):
    print("Read timeout on endpoint URL", file=sys.stderr)
    sys.exit(255)
elif args[:2] == ["lambda", "invoke"] and os.environ.get("FAKE_INVOKE_RESULT"):
    with open(args[-1], "w") as result:
        result.write(os.environ["FAKE_INVOKE_RESULT"])
    print(os.environ.get("FAKE_FUNCTION_ERROR", "None"))
elif args[:2] == ["lambda", "invoke"]:
    with open(args[-1], "w") as result:
        if os.environ.get("FAKE_MIGRATION_FAILS"):
            failed = {"command": ["migrate"], "exit_status": 1,
                      "stdout": "  Applying shop.0002_price...",
                      "stderr": "ProgrammingError: boom\n"}
            json.dump({"errorMessage": json.dumps(failed), "errorType": "InvocationFailed"},
                      result)
            print("Unhandled")
        else:
            json.dump({"command": ["migrate"], "exit_status": 0,
                       "stdout": "  Applying shop.0002_price... OK\n", "stderr": ""}, result)
            print("None")
else:
    print(f"fake {name}: unexpected {args}", file=sys.stderr)
    sys.exit(2)
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[list[str]]

    @classmethod
    def from_log(cls, result: subprocess.CompletedProcess[str], log: Path) -> Run:
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        return cls(result.returncode, result.stdout, result.stderr, calls)

    def commands(self) -> list[str]:
        """Each call as "tool subcommand [action]", in order."""
        names = []
        for call in self.calls:
            words = [word for word in call[:3] if not word.startswith("-")]
            names.append(" ".join(words[:3] if words[0] == "aws" else words[:2]))
        return names

    def call(self, command: str) -> list[str]:
        (found,) = [
            call for call, name in zip(self.calls, self.commands(), strict=True) if name == command
        ]
        return found


def install_fakes(bin_dir: Path) -> Path:
    """Write the fake `aws` and `sam` into bin_dir, to go first on PATH."""
    bin_dir.mkdir()
    for name in ["aws", "sam"]:
        fake = bin_dir / name
        fake.write_text(f"#!{sys.executable}\n{FAKE_CLI}")
        fake.chmod(0o755)
    return bin_dir


def run_with_fakes(project: Path, fakes: Path, script: str, *args: str, **variables: str) -> Run:
    """Run one of the project's scripts with the fakes first on PATH; what it did."""
    log = fakes.parent / "calls.jsonl"
    log.write_text("")
    env = {
        "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(fakes.parent),
        "FAKE_LOG": str(log),
        "FAKE_ACCOUNT": ACCOUNT,
        "FAKE_URL": FUNCTION_URL,
        "FAKE_MIGRATIONS": MIGRATIONS_FUNCTION,
        **variables,
    }
    result = subprocess.run(
        [script, *args], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    return Run.from_log(result, log)
