import logging

from django.apps import apps
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "{{ cookiecutter.project_slug }}/home.html",
        {"app": apps.get_app_config("{{ cookiecutter.project_slug }}")},
    )


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    """200 while Django answers. Never touches the database, so an uptime pinger does not
    keep a database that scales to zero awake."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when Django is up and the database answers, 503 when it does not (or does not
    connect within the database's connect timeout)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
