"""Postgres's statement_timeout: set on each connection, and a 503 for a request it cuts short."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.web_function import Handler
from tests.events import function_url_event

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="Postgres only")


def count_groups(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(Group.objects.count()))


urlpatterns = [path("groups/", count_groups)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "shown"),
    [("20s", "20s"), ("540s", "9min"), ("840s", "14min")],
    ids=["web", "manage", "tasks"],
)
def test_each_new_connection_gets_its_functions_statement_timeout(limit: str, shown: str) -> None:
    """20 s for the web function (its settings); the manage and tasks functions set theirs,
    540 s of 600 and 840 s of 900, when imported."""
    other = connection.copy()
    other.settings_dict["STATEMENT_TIMEOUT"] = limit
    with other.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()
    other.close()

    assert timeout == shown


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_request_whose_statement_is_canceled_gets_a_503(lambda_handler: Handler) -> None:
    """As when it waited for a lock past statement_timeout, rather than until Lambda's timeout."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '100ms'")
    holder = connection.copy()
    holder.ensure_connection()
    try:
        with holder.connection.transaction():
            holder.connection.execute("LOCK TABLE auth_group")
            response = lambda_handler(function_url_event(path="/groups/"), None)
    finally:
        holder.close()

    assert response["statusCode"] == 503
    assert response["body"] == "The database is busy: try again.\n"
