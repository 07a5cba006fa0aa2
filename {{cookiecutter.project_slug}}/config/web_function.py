"""The web function's handler: Django's WSGI application behind apig-wsgi, for the Function URL.

The image runs `python -m awslambdaric config.web_function.handler`. The runtime client imports
this module once per execution environment, in Lambda's init phase, so Django is set up before
the first request arrives and every invocation reuses it.
"""

import gc
import random
from collections.abc import Callable
from typing import Any

# Setting Django up allocates tens of thousands of objects that live as long as the process:
# the cyclic garbage collector would go over them some fifty times during a cold start and free
# nothing. It stays off until the handler is built, at the end of this module.
gc.disable()

from apig_wsgi import make_lambda_handler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connections  # noqa: E402
from snapshot_restore_py import register_after_restore, register_before_snapshot  # noqa: E402

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Any]


def with_latin_1_headers(application: WSGIApplication) -> WSGIApplication:
    """Header values as PEP 3333 has them: the UTF-8 bytes read as Latin-1.

    apig-wsgi copies the event's text as it is, and Django cannot read a character outside
    Latin-1: one cookie holding `€` would fail every request from that browser.
    """

    def latin_1_headers(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        for key, value in environ.items():
            if key.startswith("HTTP_") and not value.isascii():
                environ[key] = value.encode().decode("latin-1")
        return application(environ, start_response)

    return latin_1_headers


def make_handler(application: WSGIApplication) -> Handler:
    return make_lambda_handler(with_latin_1_headers(application))


handler = make_handler(get_wsgi_application())
# SnapStart (template.yaml's WebSnapStart) starts environments from a snapshot taken here: none
# may share a connection, nor random's sequence (secrets, uuid4 and CSRF tokens need nothing).
register_before_snapshot(connections.close_all)
register_after_restore(random.seed)
# What start-up made stays for good: frozen, later collections need not look at it again.
gc.freeze()
gc.enable()
