"""Static files are indexed on the first request for one, not when the handler starts.

config/static_files.py relies on WhiteNoise indexing its directories through `add_files`:
the first test fails the day a WhiteNoise upgrade indexes some other way.
"""

from __future__ import annotations

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from whitenoise.base import WhiteNoise

from config.web_function import Handler
from tests.events import function_url_event


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The directories WhiteNoise indexes from now on, in order."""
    roots: list[str] = []
    add_files = WhiteNoise.add_files

    def spy(self: WhiteNoise, root: str, prefix: str | None = None) -> None:
        roots.append(str(root))
        add_files(self, root, prefix)

    monkeypatch.setattr(WhiteNoise, "add_files", spy)
    return roots


def test_files_are_indexed_on_the_first_static_request(
    indexed: list[str], lambda_handler: Handler, lambda_settings
) -> None:
    assert indexed == [], "the handler indexed the static files at start-up"

    page = lambda_handler(function_url_event(path="/admin/login/"), None)
    assert page["statusCode"] == 200
    assert indexed == []

    css = staticfiles_storage.stored_name("admin/css/base.css")
    response = lambda_handler(function_url_event(path=f"/static/{css}"), None)
    assert response["statusCode"] == 200
    assert response["headers"]["cache-control"] == "max-age=315360000, public, immutable"
    assert indexed == [str(lambda_settings.STATIC_ROOT)]

    lambda_handler(function_url_event(path=f"/static/{css}"), None)
    assert indexed == [str(lambda_settings.STATIC_ROOT)], "indexed twice"


def test_unhashed_admin_icons_are_served(lambda_handler: Handler) -> None:
    # The admin's date and time widgets build these URLs in JavaScript, without the hash.
    event = function_url_event(path="/static/admin/img/icon-calendar.svg")

    response = lambda_handler(event, None)

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "image/svg+xml"
