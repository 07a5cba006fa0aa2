"""The project's URLs plus a view that reports what Django received, for the handler tests."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def echo(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "method": request.method,
            "path": request.path,
            "query": {key: request.GET.getlist(key) for key in request.GET},
            "cookie_header": request.META.get("HTTP_COOKIE", ""),
            "cookies": request.COOKIES,
            "host": request.get_host(),
            "is_secure": request.is_secure(),
            "remote_addr": request.META["REMOTE_ADDR"],
            "body": request.body.decode(),
        }
    )


urlpatterns = [path("echo/", echo), *project_urlpatterns]
