"""Logging in: the pages under /accounts/, and the lock on repeated failed logins (django-axes)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.utils.timezone import now

from users.models import User

PASSWORD = "correct horse battery staple"
ADDRESS = "198.51.100.7"  # REMOTE_ADDR: on Lambda, the Function URL's sourceIp


@pytest.fixture
def ada(django_user_model: type[User]) -> User:
    """A user who is not staff: the admin's own login form would turn her away."""
    return django_user_model.objects.create_user("ada", password=PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/not-a-token/",
        "/accounts/reset/done/",
    ],
)
def test_the_account_pages_answer(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_password_reset_pages_link_to_a_login_page_that_works(client: Client) -> None:
    page = client.get("/accounts/reset/done/").content.decode()

    login_url = re.search(r'<a href="([^"]+)">Log in</a>', page)[1]
    assert client.get(login_url).status_code == 200


@pytest.mark.django_db
def test_a_login_required_page_sends_a_user_to_log_in_and_back(client: Client, ada: User) -> None:
    response = client.get("/accounts/password_change/", follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/accounts/password_change/", 302)]
    assert b'name="csrfmiddlewaretoken"' in response.content
    credentials = {"username": "ada", "password": PASSWORD}
    response = client.post(response.redirect_chain[-1][0], credentials, follow=True)
    assert response.redirect_chain == [("/accounts/password_change/", 302)]
    assert response.status_code == 200
    assert response.context["user"] == ada


@pytest.mark.django_db
def test_logging_in_without_a_next_page_lands_on_the_home_page(client: Client, ada: User) -> None:
    credentials = {"username": "ada", "password": PASSWORD}

    response = client.post("/accounts/login/", credentials, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert response.status_code == 200


def log_in(password: str, address: str = ADDRESS, forwarded_for: str = ADDRESS) -> int:
    """The status of one admin login from a browser with no cookies yet."""
    client = Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for)
    return client.post("/admin/login/", {"username": "admin", "password": password}).status_code


@pytest.mark.django_db
def test_five_failed_logins_lock_the_address_out_without_checking_passwords(
    admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [log_in("wrong") for _ in range(4)] == [200] * 4  # the form again, with an error
    assert log_in("wrong") == 429

    def password_checked(*args: object, **kwargs: object) -> None:
        raise AssertionError("a locked-out login had its password checked")

    monkeypatch.setattr(ModelBackend, "authenticate", password_checked)
    assert log_in("password") == 429, "the right password does not unlock the address"
    # A client-supplied X-Forwarded-For does not change the address the lock counts.
    assert log_in("password", forwarded_for="203.0.113.9") == 429
    monkeypatch.undo()
    assert log_in("password", address="203.0.113.9") == 302, "another address logs in"


@pytest.mark.django_db
def test_the_lock_lifts_an_hour_after_the_last_failure(admin_user: User) -> None:
    for _ in range(5):
        log_in("wrong")

    AccessAttempt.objects.update(attempt_time=now() - timedelta(minutes=59))
    assert log_in("password") == 429  # a try while locked out counts as a failure
    AccessAttempt.objects.update(attempt_time=now() - timedelta(minutes=61))
    assert log_in("password") == 302
