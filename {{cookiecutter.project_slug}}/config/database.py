"""Each connection's statement_timeout (connected once the middleware or the manage function
imports this module), and a 503 for a request whose statement it canceled."""

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin
from psycopg.errors import QueryCanceled


@receiver(connection_created)
def set_statement_timeout(connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """DATABASES' STATEMENT_TIMEOUT, by a SET: PgBouncer and Neon's pooler refuse it as a
    startup option, in session mode too."""
    timeout = connection.settings_dict.get("STATEMENT_TIMEOUT")
    if timeout and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [timeout])


class StatementTimeoutMiddleware(MiddlewareMixin):
    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        if isinstance(error, OperationalError) and isinstance(error.__cause__, QueryCanceled):
            return HttpResponse("The database is busy: try again.\n", status=503)
        return None
