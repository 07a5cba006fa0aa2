"""A task enqueued in a view runs in the tasks function, as Lambda runs both: the web function
and the tasks function in the image under the emulator, on a real Postgres. The view is the
admin's add-user form; its task, the welcome email, goes through SES to moto's server. Lambda's
asynchronous Invoke between them is a stand-in (tests/lambda_peers.py): no AWS here, and its
queue, retries and dead-letter queue are template.yaml's configuration
(tests/test_operations_template.py)."""

from __future__ import annotations

import email

import boto3
from moto.ses.models import ses_backends

from tests.aws_endpoint import ACCOUNT, REGION, AwsEndpoint
from tests.helpers import STACK_NAME
from tests.lambda_container import (
    LambdaImage,
    csrf_token,
    generated_events,
    migrate_with_admin,
    parameters,
    set_cookies,
)
from tests.lambda_peers import CREDENTIALS, serving
from tests.postgres import fresh_database

PASSWORD = "correct horse battery staple"
SENDER = "noreply@example.com"


def test_a_user_added_in_the_admin_is_welcomed_by_the_tasks_function(
    lambda_image: LambdaImage, aws_endpoint: AwsEndpoint
) -> None:
    events = generated_events(lambda_image.project)
    ses_client = boto3.client(
        "ses",
        region_name=REGION,
        endpoint_url=aws_endpoint.url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    ses_client.verify_email_identity(EmailAddress=SENDER)
    sent = ses_backends[ACCOUNT][REGION].sent_messages
    sent.clear()
    tasks_function = f"{STACK_NAME}_tasks:live"  # the web function's TASKS_FUNCTION
    with fresh_database() as url:
        migrate_with_admin(lambda_image, url, PASSWORD)
        settings = parameters(url, events.FUNCTION_URL_HOST) | {"DjangoDefaultFromEmail": SENDER}
        ses = {"AWS_ENDPOINT_URL": aws_endpoint.url, **CREDENTIALS}
        with (
            lambda_image.start("TasksFunction", settings, ses) as tasks,
            serving({tasks_function: tasks.url}) as lambda_api,
            lambda_image.start(
                "WebFunction", settings, {"AWS_ENDPOINT_URL_LAMBDA": lambda_api.url, **CREDENTIALS}
            ) as web,
        ):
            login = web.invoke(events.function_url_event(path="/admin/login/")).body
            fields = {"csrfmiddlewaretoken": csrf_token(login), "username": "admin"}
            post = events.form_post(
                path="/admin/login/",
                fields=fields | {"password": PASSWORD},
                csrf_cookie=set_cookies(login)["csrftoken"],
            )
            session = set_cookies(web.invoke(post).body)  # logging in rotates the CSRF token too
            jar = [f"{name}={value}" for name, value in session.items()]
            page = web.invoke(events.function_url_event(path="/admin/users/user/add/", cookies=jar))
            form = {
                "csrfmiddlewaretoken": csrf_token(page.body),
                "username": "ada",
                "email": "ada@example.org",
                "usable_password": "false",
            }
            add = events.form_post(
                path="/admin/users/user/add/", fields=form, csrf_cookie=session["csrftoken"]
            )
            add["cookies"].append(f"sessionid={session['sessionid']}")
            added = web.invoke(add).body
            (answer,) = lambda_api.wait_for_answers(1)
            log = tasks.logs()

    assert added["statusCode"] == 302, added
    assert answer["task"] == "users.tasks.send_welcome_email", log
    (message,) = sent
    assert (message.source, set(message.destinations)) == (SENDER, {"ada@example.org"})
    body = email.message_from_string(message.raw_data).get_payload(decode=True).decode()
    assert f"https://{events.FUNCTION_URL_HOST}/accounts/login/" in body
