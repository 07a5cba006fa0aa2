"""Tasks: enqueued by the Lambda settings' backend once their transaction commits, run by the
tasks function; locally, Django's immediate backend runs them at once."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.tasks.exceptions import InvalidTask

from config.tasks_function import TaskFailed, handler
from tests.environment import LAMBDA_ENVIRONMENT
from tests.events import REGION
from users.models import User
from users.tasks import send_welcome_email

LOGIN_URL = "https://app.example.com/accounts/login/"


@pytest.fixture
def lambda_client(lambda_settings, monkeypatch: pytest.MonkeyPatch) -> Stubber:
    """The backend's Lambda client, stubbed: no Lambda here to invoke."""
    client = boto3.client("lambda", region_name=REGION)
    monkeypatch.setattr(boto3, "client", lambda service: client)
    return Stubber(client)


def task_event(task: str, *args: object) -> dict[str, object]:
    return {"id": "t1", "task": task, "args": list(args), "kwargs": {}}


@pytest.mark.django_db
def test_a_task_is_sent_to_the_tasks_function_once_its_transaction_commits(
    lambda_client: Stubber, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as on_commit:
        result = send_welcome_email.enqueue(7, LOGIN_URL)
    event = task_event("users.tasks.send_welcome_email", 7, LOGIN_URL) | {"id": result.id}
    sent = {
        "FunctionName": LAMBDA_ENVIRONMENT["TASKS_FUNCTION"],
        "InvocationType": "Event",
        "Payload": json.dumps(event).encode(),
    }
    lambda_client.add_response("invoke", {"StatusCode": 202}, sent)

    with lambda_client:  # nothing is sent before the commit: the stub would take it
        for callback in on_commit:
            callback()
    lambda_client.assert_no_pending_responses()


@pytest.mark.django_db
def test_a_rolled_back_task_is_never_sent(
    lambda_client: Stubber, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks() as on_commit,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        send_welcome_email.enqueue(7, LOGIN_URL)
        1 / 0  # noqa: B018

    assert on_commit == []


def test_arguments_past_lambdas_limit_are_refused_when_enqueued(lambda_client: Stubber) -> None:
    with pytest.raises(InvalidTask, match="must fit in 1 MB of JSON"):
        send_welcome_email.enqueue(7, "x" * 1_048_576)


def test_no_tasks_function_is_an_error_naming_the_variable(
    lambda_settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    lambda_settings.TASKS = {
        "default": {"BACKEND": "config.tasks.LambdaTaskBackend", "OPTIONS": {"FUNCTION": ""}}
    }
    with pytest.raises(ImproperlyConfigured, match="TASKS_FUNCTION is not set"):
        send_welcome_email.enqueue(7, LOGIN_URL)


@pytest.mark.django_db
def test_the_tasks_function_runs_the_task(keep_test_connection, mailoutbox) -> None:
    user = User.objects.create_user("ada", email="ada@example.org")

    answer = handler(task_event("users.tasks.send_welcome_email", user.pk, LOGIN_URL), None)

    assert answer == {"id": "t1", "task": "users.tasks.send_welcome_email", "return_value": None}
    (message,) = mailoutbox
    assert message.to == ["ada@example.org"]
    assert LOGIN_URL in message.body


@pytest.mark.django_db
def test_a_failed_task_fails_the_invocation_with_its_traceback(keep_test_connection) -> None:
    with pytest.raises(TaskFailed, match="User.DoesNotExist: User matching query does not exist"):
        handler(task_event("users.tasks.send_welcome_email", 404, LOGIN_URL), None)


def test_only_a_task_runs(keep_test_connection) -> None:
    with pytest.raises(TypeError, match="os.system is not a task"):
        handler(task_event("os.system", "true"), None)


@pytest.mark.django_db
def test_a_user_added_in_the_admin_is_welcomed(admin_client, mailoutbox) -> None:
    form = {"username": "ada", "email": "ada@example.org", "usable_password": "false"}
    response = admin_client.post("/admin/users/user/add/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    (message,) = mailoutbox
    assert message.to == ["ada@example.org"]
    assert "http://testserver/accounts/login/" in message.body
