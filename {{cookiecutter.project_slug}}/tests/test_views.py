import re

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils.html import escape

APP = "{{ cookiecutter.project_slug }}"


def test_home_page(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == f"{APP}/home.html"
    name = escape(response.context["app"].verbose_name)
    assert f"<h1>{name}</h1>" in response.content.decode()


def test_home_page_refuses_post(client: Client) -> None:
    assert client.post("/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/live/", "/health/"])
def test_head_is_answered_where_get_is(client: Client, path: str) -> None:
    assert client.head(path).status_code == 200


@pytest.mark.django_db
def test_health(client: Client) -> None:
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_without_database(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unavailable)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_admin_login_page(client: Client) -> None:
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_admin_pages_allow_their_own_inline_code_by_nonce(client: Client) -> None:
    response = client.get("/admin/login/")

    nonces = set(re.findall(r' nonce="([^"]+)"', response.content.decode()))
    assert len(nonces) == 1, nonces
    nonce = f"'nonce-{nonces.pop()}'"
    assert response["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' {nonce}; style-src 'self' {nonce}"
    )


def test_static_css(client: Client) -> None:
    response = client.get(f"/static/{APP}/css/site.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"font-family" in b"".join(response.streaming_content)
