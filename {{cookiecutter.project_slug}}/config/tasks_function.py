"""The tasks function: runs one task per invocation, as config/tasks.py enqueued it.

Its event is {"id", "task", "args", "kwargs"}. The task runs under Django's own immediate
backend, which logs it as Django does and catches what it raises; a failed task fails the
invocation, so Lambda retries it twice, then moves the event to TasksDeadLetterQueue
(template.yaml), which raises TaskFailuresAlarm. A retry runs the whole task again: make each
task safe to run twice (docs/tasks.md).
"""

from typing import Any

import django
from django.db import close_old_connections, connection
from django.tasks import Task, TaskResultStatus
from django.tasks.backends.immediate import ImmediateBackend
from django.utils.module_loading import import_string

import config.database  # noqa: F401  (its receiver sets each connection's statement_timeout)

django.setup()
# 840 s of the function's 900: a statement stuck on a lock ends with its error, not the timeout.
connection.settings_dict["STATEMENT_TIMEOUT"] = "840s"
# Whatever queue the task names, it runs here.
runner = ImmediateBackend("tasks_function", {"QUEUES": []})


class TaskFailed(Exception):
    """The task raised; the message is its traceback."""


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    # As in the manage function: no request signals here to close a connection that died
    # while the execution environment was frozen.
    close_old_connections()
    try:
        task = import_string(event["task"])
        if not isinstance(task, Task):  # only what @task made may run, whoever invokes this
            raise TypeError(f"{event['task']} is not a task: decorate it with @task.")
        result = runner.enqueue(task, event["args"], event["kwargs"])
    finally:
        close_old_connections()
    if result.status == TaskResultStatus.FAILED:
        raise TaskFailed(result.errors[-1].traceback)
    return {"id": event["id"], "task": event["task"], "return_value": result.return_value}
