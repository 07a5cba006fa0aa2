"""Finish the generated project: a local secret, executable scripts, next steps.

Small functions the tests import. Each is safe to run again on an existing project (a template
update must not clobber a developer's .env). No network access.
"""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

ENV_FILE_TEXT = """\
# Local development only: config/settings/local.py reads this file; it is gitignored and
# never used on Lambda, where the secret key comes from the deployment's own secret.
DJANGO_SECRET_KEY={secret_key}
"""


def write_env_file(project_dir: Path) -> bool:
    """Write .env with a fresh DJANGO_SECRET_KEY unless one exists. Returns whether it wrote."""
    env_file = project_dir / ".env"
    if env_file.exists():
        return False
    env_file.write_text(ENV_FILE_TEXT.format(secret_key=secrets.token_urlsafe(50)))
    env_file.chmod(0o600)
    return True


def make_scripts_executable(project_dir: Path) -> list[Path]:
    """bin/* and manage.py: whatever mode a checkout of the template left them with."""
    scripts = sorted(path for path in (project_dir / "bin").iterdir() if path.is_file())
    scripts.append(project_dir / "manage.py")
    for script in scripts:
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return scripts


def next_steps(project_dir: Path) -> str:
    return f"""
Created {project_dir.name}/. Next:

    cd {project_dir.name}
    bin/setup                        # virtualenv, dependencies, database
    uv run manage.py runserver       # http://127.0.0.1:8000/ and /admin/
    uv run pytest                    # the project's tests

README.md explains the layout and how it runs on AWS Lambda.
"""


def main() -> None:
    project_dir = Path.cwd()
    write_env_file(project_dir)
    make_scripts_executable(project_dir)
    print(next_steps(project_dir))


if __name__ == "__main__":
    main()
