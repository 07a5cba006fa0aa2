"""What the built image holds and what its cold start does: Lambda fetches an image's files
lazily and gives it a read-only filesystem, so the image should hold no file it never reads
and every module the init imports compiled already."""

from __future__ import annotations

import re

from tests.helpers import postgres_url
from tests.lambda_container import (
    LambdaImage,
    generated_events,
    parameters,
    without_stdlib_bytecode,
)

SITE_PACKAGES = "/app/.venv/lib/python3.13/site-packages"
# `python -v` prints this for a module compiled from its source, and "code object from
# '<...>.pyc'" (quoted) for one loaded from bytecode.
COMPILED_FROM_SOURCE = re.compile(r"^# code object from ([^'].*\.py)$", re.MULTILINE)


def test_no_gettext_sources_or_test_suites_in_the_virtualenv(lambda_image: LambdaImage) -> None:
    found = lambda_image.run(
        "WebFunction",
        ["find", SITE_PACKAGES, "-name", "*.po", "-o", "-type", "d", "-name", "tests"],
        {},
    )

    assert found.stdout == ""
    # What Django does read stays: the compiled translations.
    assert lambda_image.read(
        "WebFunction", f"{SITE_PACKAGES}/django/conf/locale/fr/LC_MESSAGES/django.mo"
    )


def compiled_by_a_cold_start(image: LambdaImage) -> list[str]:
    """The modules the web function compiles from source in its init and first request."""
    events = generated_events(image.project)
    env = {"PYTHONVERBOSE": "1"}
    with image.start(
        "WebFunction", parameters(postgres_url("postgres"), events.FUNCTION_URL_HOST), env
    ) as web:
        assert web.invoke(events.function_url_event(path="/live/")).kind == "response"
        log = web.logs()
    assert "# code object from '" in log, "the verbose import log is there to read"
    return COMPILED_FROM_SOURCE.findall(log)


def test_a_cold_start_compiles_nothing(lambda_image: LambdaImage) -> None:
    """The base image ships the standard library without bytecode: the Dockerfile compiles
    it, and the dependencies' and the project's, so no cold start compiles anything."""
    assert compiled_by_a_cold_start(lambda_image) == []


def test_without_the_standard_librarys_bytecode_a_cold_start_compiles_it(
    lambda_image: LambdaImage,
) -> None:
    """The control: the same image with the standard library's bytecode deleted again, as
    the official base image ships it."""
    compiled = compiled_by_a_cold_start(without_stdlib_bytecode(lambda_image))

    assert len(compiled) > 100
    assert any(path.endswith("/json/decoder.py") for path in compiled)
