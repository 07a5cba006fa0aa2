import logging

from django.apps import apps
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "{{ cookiecutter.project_slug }}/home.html",
        {"app": apps.get_app_config("{{ cookiecutter.project_slug }}")},
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when Django is up and the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
