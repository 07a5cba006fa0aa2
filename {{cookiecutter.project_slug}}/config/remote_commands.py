"""Management commands on Lambda, for whoever may invoke the manage function.

An invocation {"manage": ["showmigrations", "--plan"]} runs that command in-process and
returns a Result: {"command": [...], "exit_status": 0, "stdout": "...", "stderr": "..."}. Any
failure raises InvocationFailed, whose message is that same JSON object (exit_status 2 when
nothing ran), so bin/manage-remote prints the output and exits with the command's status.
`--help` and argparse's usage errors are answered the same way; the process keeps serving.

Only commands listed in the REMOTE_MANAGEMENT_COMMANDS setting run. Those that destroy data
(DESTRUCTIVE_REMOTE_COMMANDS, and `migrate` to an earlier migration) run only when the
invocation's "confirm_database" is the database's name. Commands never prompt (there is no
terminal on Lambda); createsuperuser takes its password, checked by AUTH_PASSWORD_VALIDATORS,
from a DJANGO_SUPERUSER_PASSWORD passed in "environment": DJANGO_SUPERUSER_* are the only
variables an invocation may set, and they are gone when it ends.
"""

from __future__ import annotations

import io
import json
import os
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import (
    CommandError,
    call_command,
    get_commands,
    load_command_class,
)
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.exceptions import AmbiguityError
from django.db.migrations.executor import MigrationExecutor

Result = dict[str, Any]
Action = Callable[[io.StringIO, io.StringIO], None]

PASSABLE_VARIABLE = re.compile(r"DJANGO_SUPERUSER_[A-Z0-9_]+")
NOTHING_RAN = 2  # exit status of a request refused before anything ran, as argparse's
# What get_migration_by_prefix raises for a prefix that names several migrations, or none.
# Named, because ruff formats `except (A, B):` as `except A, B:` (PEP 758) when its target is
# Python 3.14, which 3.12 and 3.13 cannot parse: a name reads the same for every version.
NO_SUCH_MIGRATION = (AmbiguityError, KeyError)


class InvocationFailed(Exception):
    """The invocation failed; the message is its Result as JSON."""

    def __init__(self, result: Result) -> None:
        self.result = result
        super().__init__(json.dumps(result))


def refused(command: list[str], reason: str) -> InvocationFailed:
    return InvocationFailed(
        {"command": command, "exit_status": NOTHING_RAN, "stdout": "", "stderr": f"{reason}\n"}
    )


def run(command: list[str], action: Action) -> Result:
    """Run `action` with its output captured; its Result, or InvocationFailed."""
    stdout, stderr = io.StringIO(), io.StringIO()
    exit_status = 0
    failure = ""
    # argparse and some commands print to sys.stdout/sys.stderr rather than their streams.
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            action(stdout, stderr)
        except CommandError as error:
            stderr.write(f"CommandError: {error}\n")
            exit_status = error.returncode
        except SystemExit as exiting:  # --help, --version: argparse exits after printing
            if isinstance(exiting.code, str):
                stderr.write(f"{exiting.code}\n")
            exit_status = exiting.code if isinstance(exiting.code, int) else int(bool(exiting.code))
        except Exception as error:
            if isinstance(error, OperationalError) and not any(
                connection.connection for connection in connections.all()
            ):
                stderr.write(
                    f"The database did not answer: {error}\nCheck DATABASE_URL and that the "
                    "function can reach the database; ?connect_timeout=N in DATABASE_URL sets "
                    "how many seconds to wait.\n"
                )
            else:
                stderr.write(f"{type(error).__name__}: {error}\n")
                failure = traceback.format_exc()
            exit_status = 1
    result = {
        "command": command,
        "exit_status": exit_status,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
    }
    print(failure + json.dumps(result))  # into the function's log, traceback included
    if exit_status:
        raise InvocationFailed(result)
    return result


@contextmanager
def environment_variables(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    try:
        os.environ.update(variables)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def checked_request(argv: object, environment: object) -> tuple[list[str], dict[str, str]]:
    """The command line and the variables, or InvocationFailed before anything is set."""
    if not isinstance(argv, list) or not argv or not all(isinstance(part, str) for part in argv):
        raise refused([], '"manage" must be a list of strings: a command and its arguments.')
    name = argv[0]
    if name not in settings.REMOTE_MANAGEMENT_COMMANDS:
        raise refused(
            argv,
            f"{name!r} may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: "
            f"{', '.join(settings.REMOTE_MANAGEMENT_COMMANDS)} (config/settings/aws_lambda.py).",
        )
    if name not in get_commands():
        raise refused(argv, f"{name!r} is allowed but is not a management command here.")
    environment = {} if environment is None else environment
    if not isinstance(environment, dict):
        raise refused(argv, '"environment" must be an object of DJANGO_SUPERUSER_* strings.')
    for variable, value in environment.items():
        if not PASSABLE_VARIABLE.fullmatch(variable):
            raise refused(argv, f'"environment" may only set DJANGO_SUPERUSER_*, not {variable!r}.')
        if not isinstance(value, str) or "\0" in value:
            raise refused(argv, f'"environment": {variable} must be a string without NUL bytes.')
    return argv, environment


def migrates_backwards(options: dict[str, Any]) -> bool:
    app_label, migration_name = options.get("app_label"), options.get("migration_name")
    if not app_label or not migration_name:
        return False
    executor = MigrationExecutor(connections[options["database"]])
    if migration_name == "zero":
        target = (app_label, None)
    else:
        try:
            migration = executor.loader.get_migration_by_prefix(app_label, migration_name)
            target = (migration.app_label, migration.name)
        except NO_SUCH_MIGRATION:
            return False  # migrate itself says what is wrong
    return any(backwards for _, backwards in executor.migration_plan([target]))


def check_confirmation(name: str, options: dict[str, Any], confirm_database: object) -> None:
    destroys = name in settings.DESTRUCTIVE_REMOTE_COMMANDS or (
        name == "migrate" and migrates_backwards(options)
    )
    database = connections[options.get("database") or DEFAULT_DB_ALIAS].settings_dict["NAME"]
    if destroys and confirm_database != database:
        raise CommandError(
            f"Refusing to run {name!r}: it destroys data, so the invocation's "
            f'"confirm_database" must be the database\'s name, {database!r}. '
            "Nothing was changed.",
            returncode=NOTHING_RAN,
        )


def check_password(options: dict[str, Any], variables: dict[str, str]) -> None:
    """DJANGO_SUPERUSER_PASSWORD through AUTH_PASSWORD_VALIDATORS, which --noinput skips."""
    password = variables.get("DJANGO_SUPERUSER_PASSWORD")
    if password is None:
        return
    user_model = get_user_model()
    username_field = user_model.USERNAME_FIELD
    user = user_model(
        **{
            username_field: options.get(username_field)
            or variables.get(f"DJANGO_SUPERUSER_{username_field.upper()}", ""),
        }
    )
    user.email = options.get("email") or variables.get("DJANGO_SUPERUSER_EMAIL", "")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise CommandError(
            f"DJANGO_SUPERUSER_PASSWORD is refused: {' '.join(error.messages)}",
            returncode=NOTHING_RAN,
        ) from error


def run_command(
    argv: object, environment: object = None, confirm_database: object = None
) -> Result:
    (name, *arguments), variables = checked_request(argv, environment)

    def action(stdout: io.StringIO, stderr: io.StringIO) -> None:
        command = load_command_class(get_commands()[name], name)
        parser = command.create_parser("manage.py", name)
        options = vars(parser.parse_args(arguments))
        check_confirmation(name, options, confirm_database)
        if name == "createsuperuser":
            check_password(options, variables)
        never_prompt = {"interactive": False} if "interactive" in options else {}
        call_command(command, *arguments, stdout=stdout, stderr=stderr, **never_prompt)

    with environment_variables(variables):
        return run([name, *arguments], action)
