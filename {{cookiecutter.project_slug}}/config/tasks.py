"""The Lambda settings' task backend: each task an asynchronous invocation of the tasks function."""

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import InvalidTask
from django.tasks.signals import task_enqueued
from django.utils.crypto import get_random_string

PAYLOAD_LIMIT = 1_048_576  # Lambda's largest asynchronous invocation, in bytes


class LambdaTaskBackend(BaseTaskBackend):
    """Sends each task to the tasks function (config/tasks_function.py) once the transaction
    that enqueued it commits, so the task never sees data that was rolled back, or misses any.

    Lambda keeps the invocation in its own queue (nothing runs, or costs, while there is none),
    retries a failed task twice, then moves it to the stack's TasksDeadLetterQueue.
    """

    supports_async_task = True  # the tasks function runs a coroutine to its end

    def enqueue(self, task: Task, args: list[Any], kwargs: dict[str, Any]) -> TaskResult:
        # Checked here, not when the backend is made: every @task makes it, at import.
        if not self.options.get("FUNCTION"):
            raise ImproperlyConfigured(
                "Tasks are not set up: TASKS_FUNCTION is not set. template.yaml sets it to the "
                "stack's tasks function, e.g. my-app-production_tasks:live."
            )
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        event = {"id": result.id, "task": task.module_path, "args": result.args}
        payload = json.dumps(event | {"kwargs": result.kwargs}).encode()
        if len(payload) > PAYLOAD_LIMIT:  # refused here, in the view, not after the commit
            raise InvalidTask(f"A task's arguments must fit in 1 MB of JSON, not {len(payload)}.")
        transaction.on_commit(lambda: self.invoke(result, payload))
        return result

    def invoke(self, result: TaskResult, payload: bytes) -> None:
        import boto3  # here, not at start-up

        client = boto3.client("lambda")
        function = self.options["FUNCTION"]
        client.invoke(FunctionName=function, InvocationType="Event", Payload=payload)
        task_enqueued.send(type(self), task_result=result)
