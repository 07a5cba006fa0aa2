"""Write the generated project's uv.lock anew, after a change to its pyproject.toml's
dependencies: render the default project, `uv lock` it, and keep the lock in the template
with the project's name as the Jinja it was rendered from.

    uv run python -m tests.relock
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.helpers import DEFAULT_SLUG, TEMPLATE_DIR, UV, bake, find_python, project_env, run

NAME = 'name = "{}"\n'


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = bake(Path(directory))
        (project / "uv.lock").unlink()
        run([UV, "lock"], project, project_env(find_python("3.13")))
        lock = (project / "uv.lock").read_text()
    rendered = NAME.format(DEFAULT_SLUG.replace("_", "-"))
    assert lock.count(rendered) == 1, "the project's own entry, once"
    jinja = NAME.format("{{ cookiecutter.project_slug|replace('_', '-') }}")
    (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "uv.lock").write_text(
        lock.replace(rendered, jinja)
    )


if __name__ == "__main__":
    main()
