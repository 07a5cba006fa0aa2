"""The Lambda settings' email backend: Amazon SES through django-anymail.

Imported when the first message is sent, not at start-up: anymail's SES backend imports boto3.
"""

from typing import Any

from anymail.backends.amazon_ses import EmailBackend as AmazonSESBackend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class EmailBackend(AmazonSESBackend):
    """SES, refusing to start without a sender: the function's role may send only from it."""

    def __init__(self, **kwargs: Any) -> None:
        if not settings.DEFAULT_FROM_EMAIL:
            raise ImproperlyConfigured(
                "Email is not set up: set the DjangoDefaultFromEmail parameter "
                "(DJANGO_DEFAULT_FROM_EMAIL) to an address SES verified, e.g. noreply@example.com."
            )
        super().__init__(**kwargs)
