"""Mangum around the generated project's ASGI application."""

from django.core.asgi import get_asgi_application
from mangum import Mangum

handler = Mangum(get_asgi_application(), lifespan="off")
