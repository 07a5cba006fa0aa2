"""Email under the Lambda settings, through anymail's SES backend into moto's SES."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from email.utils import parseaddr

import boto3
import pytest
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from tests.environment import LAMBDA_ENVIRONMENT
from tests.events import REGION
from users.models import User

FROM = LAMBDA_ENVIRONMENT["DJANGO_DEFAULT_FROM_EMAIL"]


@pytest.fixture
def ses(lambda_settings) -> Iterator[list]:
    """moto's SES, with the sender verified; the messages it accepted."""
    with mock_aws():
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=FROM)
        yield ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages


@pytest.mark.django_db
def test_a_password_reset_email_reaches_ses(ses: list) -> None:
    User.objects.create_user("ada", email="ada@example.org", password="x" * 20)

    form = PasswordResetForm(data={"email": "ada@example.org"})
    assert form.is_valid()
    form.save(domain_override="app.example.com", use_https=True)

    (message,) = ses
    assert message.source == FROM
    assert set(message.destinations) == {"ada@example.org"}
    assert "https://app.example.com/accounts/reset/" in message.raw_data.replace("=\r\n", "")


def test_errors_are_mailed_to_admins(ses: list, lambda_settings) -> None:
    lambda_settings.ADMINS = ["Ops <ops@example.org>"]

    logging.getLogger("django.request").error("Internal Server Error: /boom/")

    (message,) = ses
    assert message.source == FROM
    assert {parseaddr(address)[1] for address in message.destinations} == {"ops@example.org"}
    assert "To: Ops <ops@example.org>" in message.raw_data
    assert "Internal Server Error: /boom/" in message.raw_data


def test_no_sender_is_an_error_naming_the_setting(ses: list, lambda_settings) -> None:
    lambda_settings.DEFAULT_FROM_EMAIL = ""

    with pytest.raises(ImproperlyConfigured, match="set the DjangoDefaultFromEmail parameter"):
        send_mail("Hello", "Body", None, ["ada@example.org"])
    assert ses == []
