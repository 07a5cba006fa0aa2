"""Write the generated project's uv.lock anew, after a change to its pyproject.toml's
dependencies, and the pre-generation hook's DEPENDENCY_NAMES with it: render the default
project, `uv lock` it, keep the lock in the template with the project's name as the Jinja it
was rendered from, and list the import names of every package the lock installs (a slug must
not shadow one).

    uv run python -m tests.relock
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from tests.helpers import DEFAULT_SLUG, TEMPLATE_DIR, UV, bake, find_python, project_env, run

TEMPLATE_LOCK = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "uv.lock"
PRE_GEN_HOOK = TEMPLATE_DIR / "hooks" / "pre_gen_project.py"
# Where the hook keeps DEPENDENCY_NAMES, one name a line.
NAMES_BLOCK = re.compile(r"(# relock: .*?\{\n)(.*?)(    \}\n)", re.S)
NAME = 'name = "{}"\n'
# The Pythons whose packages differ (3.12 adds typing-extensions); one is enough on a machine
# that lacks the other, as every other package is the same.
PYTHONS = ["3.12", "3.13"]
PRINT_NAMES = "import importlib.metadata, json; print(json.dumps(list(importlib.metadata.packages_distributions())))"
SLUG_LIKE = re.compile(r"[a-z][a-z0-9_]*")


def import_names(project: Path) -> list[str]:
    """The top-level import names of what a rendered project's lock installs."""
    names: set[str] = set()
    for version in PYTHONS:
        venv = project / f".venv-{version}"
        env = project_env(find_python(version), UV_PROJECT_ENVIRONMENT=str(venv))
        run([UV, "sync", "--locked", "--quiet"], project, env)
        names |= set(
            json.loads(run([str(venv / "bin" / "python"), "-c", PRINT_NAMES], project).stdout)
        )
    return sorted(name for name in names if SLUG_LIKE.fullmatch(name))


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = bake(Path(directory))
        (project / "uv.lock").unlink()
        run([UV, "lock"], project, project_env(find_python("3.13")))
        lock = (project / "uv.lock").read_text()
        names = "".join(f'        "{name}",\n' for name in import_names(project))
    hook = NAMES_BLOCK.sub(lambda match: match[1] + names + match[3], PRE_GEN_HOOK.read_text())
    PRE_GEN_HOOK.write_text(hook)
    rendered = NAME.format(DEFAULT_SLUG.replace("_", "-"))
    assert lock.count(rendered) == 1, "the project's own entry, once"
    TEMPLATE_LOCK.write_text(
        lock.replace(rendered, NAME.format("{{ cookiecutter.project_slug|replace('_', '-') }}"))
    )


if __name__ == "__main__":
    main()
