"""A local AWS endpoint for the real AWS and SAM CLIs: moto's server on 127.0.0.1.

moto follows STS, ECR, S3, IAM, CloudWatch Logs and CloudFormation's change sets as they are.
What nothing offline follows is filled in here, and only that:

- The `AWS::Serverless-2016-10-31` transform runs inside CloudFormation: here a change set
  declaring it is translated with aws-sam-translator (the library that transform is) before
  moto reads it. moto's CloudFormation then creates the functions, versions, roles and log
  groups; it lacks Lambda aliases and URLs, made here in moto's Lambda, and the `Version`
  attribute. It keeps a stack's first parameters and outputs; they follow each change set.
- Resources moto's CloudFormation lacks and no script reads (alarms, the schedule, the email
  subscription, the bucket policy, invoke configs) are accepted and make nothing.
- CodeDeploy (the deployment that runs the PreTraffic hook) is not followed: its resources do
  nothing, as if every hook succeeded, unless a test makes the next update fail as a failed
  hook does (`fail_pre_traffic_hook`).
- Invoking an image function needs Docker (moto runs functions in containers): the
  invocation reaches moto's Lambda, which checks the function and alias exist, and answers
  what the test queued (`answer`), with FunctionError if asked. What it received is recorded.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto import settings
from moto.awslambda.exceptions import UnknownAliasException
from moto.awslambda.models import LambdaBackend, LambdaVersion, lambda_backends
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, cloudformation_backends
from moto.cloudformation.parsing import get_model_map
from moto.core.common_models import CloudFormationModel
from moto.iam.models import iam_backends
from moto.logs.models import logs_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from samtranslator.translator.transform import transform

from tests.helpers import free_port

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
PARTITION = "aws"


@dataclass
class Invocation:
    function: str
    qualifier: str | None
    payload: Any


class Alias(CloudFormationModel):
    """AWS::Lambda::Alias, which moto's CloudFormation lacks: an alias in moto's Lambda."""

    def __init__(self, arn: str) -> None:
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Alias"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ) -> Alias:
        properties = cloudformation_json["Properties"]
        backend = lambda_backends[account_id][region_name]
        name, function = properties["Name"], properties["FunctionName"]
        version = str(properties["FunctionVersion"])
        try:
            alias = backend.update_alias(name, function, version, "", None)
        except UnknownAliasException:
            alias = backend.create_alias(name, function, version, "", None)
        return cls(alias.arn)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ) -> Alias:
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )


class FunctionUrl(CloudFormationModel):
    """AWS::Lambda::Url, which moto's CloudFormation lacks: moto's URL config of the function."""

    def __init__(self, url: str) -> None:
        self.url = url

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Url"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "FunctionUrl"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.url

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ) -> FunctionUrl:
        properties = cloudformation_json["Properties"]
        function = properties["TargetFunctionArn"].split(":")[6]
        backend = lambda_backends[account_id][region_name]
        url_config = backend.get_function(function).url_config or (
            backend.create_function_url_config(function, {"AuthType": properties["AuthType"]})
        )
        return cls(url_config.url)

    update_from_cloudformation_json = Alias.update_from_cloudformation_json


class CodeDeployApplication(CloudFormationModel):
    """CodeDeploy's part (the deployment that runs the PreTraffic hook) is not followed here:
    its resources are accepted and do nothing, as if every hook succeeded."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodeDeploy::Application"

    @classmethod
    def create_from_cloudformation_json(cls, *args, **kwargs) -> CodeDeployApplication:
        return cls()

    @classmethod
    def update_from_cloudformation_json(cls, *args, **kwargs) -> CodeDeployApplication:
        return cls()


class CodeDeployDeploymentGroup(CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodeDeploy::DeploymentGroup"

    create_from_cloudformation_json = CodeDeployApplication.create_from_cloudformation_json
    update_from_cloudformation_json = CodeDeployApplication.update_from_cloudformation_json


def accepted_as_is(resource_type: str) -> type[CloudFormationModel]:
    """A resource moto's CloudFormation lacks and no script here reads: accepted, nothing
    made (the schedule, alarms, email subscription, bucket policy, invoke configs)."""
    return type(
        resource_type.replace("::", ""),
        (CloudFormationModel,),
        {
            "cloudformation_type": staticmethod(lambda: resource_type),
            "create_from_cloudformation_json": CodeDeployApplication.create_from_cloudformation_json,
            "update_from_cloudformation_json": CodeDeployApplication.update_from_cloudformation_json,
        },
    )


# Kept referenced: moto finds models among CloudFormationModel's (weakly held) subclasses.
ACCEPTED_AS_IS = [
    accepted_as_is(resource_type)
    for resource_type in [
        "AWS::CloudWatch::Alarm",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::S3::BucketPolicy",
        "AWS::SNS::Subscription",
        "AWS::Scheduler::Schedule",
    ]
]


def version_attribute(version: LambdaVersion, attribute: str) -> str:
    """AWS::Lambda::Version's `Version` attribute (the number), which moto lacks."""
    assert attribute == "Version", attribute
    return version.version


class ManagedPolicies:
    """The translator's lookup of AWS managed policies by name, without calling IAM."""

    def load(self) -> dict[str, str]:
        return {}

    def get(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"


def parse_template_transformed(change_set: ChangeSet) -> None:
    original_parse(change_set)
    if change_set.template_dict.get("Transform") == "AWS::Serverless-2016-10-31":
        change_set.template_dict = transform(
            change_set.template_dict, change_set.parameters, ManagedPolicies()
        )


def describe_stack_resources_made(
    backend: CloudFormationBackend, stack_name: str, logical_resource_id: str | None
) -> Any:
    """moto keeps a resource whose Condition is false as None, and then fails on it."""
    stack = backend.get_stack(stack_name)
    made = [resource for resource in stack.stack_resources if resource is not None]
    if logical_resource_id is not None:
        made = [r for r in made if r.logical_resource_id == logical_resource_id]
    return stack, made


original_parse = ChangeSet._parse_template
original_describe_resources = CloudFormationBackend.describe_stack_resources
original_execute = CloudFormationBackend.execute_change_set
original_invoke = LambdaBackend.invoke


class AwsEndpoint:
    """moto in this process, served on 127.0.0.1; what the clients did, read back from it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.invocations: list[Invocation] = []
        self._answers: list[tuple[str, str | None]] = []
        self._failing_hook: tuple[str, list[str]] | None = None
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port)

    def start(self) -> None:
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # the translator's region
        ChangeSet._parse_template = parse_template_transformed
        CloudFormationBackend.describe_stack_resources = describe_stack_resources_made
        LambdaVersion.get_cfn_attribute = version_attribute
        get_model_map.cache_clear()  # it lists CloudFormationModel's subclasses, ours too
        LambdaBackend.invoke = lambda backend, *args: self._invoke(backend, *args)
        CloudFormationBackend.execute_change_set = lambda backend, *args, **kwargs: self._execute(
            backend, *args, **kwargs
        )
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
        ChangeSet._parse_template = original_parse
        CloudFormationBackend.describe_stack_resources = original_describe_resources
        CloudFormationBackend.execute_change_set = original_execute
        LambdaBackend.invoke = original_invoke

    def reset(self) -> None:
        """Forget every resource, then what `forget_invocations` forgets."""
        moto_api_backend.reset()
        self.forget_invocations()

    def forget_invocations(self) -> None:
        """Forget the invocations, the queued answers and a queued hook failure."""
        self.invocations.clear()
        self._answers.clear()
        self._failing_hook = None

    def answer(self, payload: Any, function_error: str | None = None) -> None:
        """Queue what the next invocation answers (FunctionError set when function_error)."""
        self._answers.append((json.dumps(payload), function_error))

    def queued_answers(self) -> int:
        return len(self._answers)

    def _invoke(self, backend, function_name, qualifier, body, headers, response_headers):
        if qualifier is None and ":" in function_name:  # "name:alias", as the CLI sends it
            function_name, qualifier = function_name.split(":")
        backend.get_function(function_name, qualifier)  # raises if either does not exist
        self.invocations.append(Invocation(function_name, qualifier, json.loads(body or "null")))
        payload, function_error = self._answers.pop(0)
        if function_error:
            response_headers["x-amz-function-error"] = function_error
        return payload.encode()

    def fail_pre_traffic_hook(self, log_group_resource: str, *log_lines: str) -> None:
        """Make the next stack update fail as a failed PreTraffic hook does: CodeDeploy rolls
        the update back (the functions and their aliases stay as they were), and the
        resource's log group holds `log_lines`, as the manage function wrote them."""
        self._failing_hook = (log_group_resource, list(log_lines))

    def _execute(self, backend, change_set_name, stack_name=None):
        change_set = backend.describe_change_set(change_set_name)
        stack = backend.stacks[change_set.stack_id]
        if self._failing_hook and change_set.change_set_type == "UPDATE":
            resource, lines = self._failing_hook
            self._failing_hook = None
            group = stack.resource_map[resource].physical_resource_id
            now = int(time.time() * 1000)
            logs = logs_backends[ACCOUNT][REGION]
            logs.create_log_stream(group, f"hook-{now}")
            logs.put_log_events(
                group, f"hook-{now}", [{"timestamp": now, "message": line} for line in lines]
            )
            stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", "PreTraffic hook failed")
            stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
            stack.status = "UPDATE_ROLLBACK_COMPLETE"
            change_set.execution_status = "EXECUTE_FAILED"
            return
        original_execute(backend, change_set_name, stack_name)
        # moto keeps the parameters and outputs the stack was created with (no outputs, for a
        # stack a change set creates): take those of the change set now applied.
        stack.parameters = change_set.parameters
        stack.template_dict = change_set.template_dict
        stack.output_map = stack._create_output_map()

    @contextmanager
    def denying(self, action: str) -> Iterator[dict[str, str]]:
        """Keys of a user allowed everything but `action`, for as long as IAM is enforced."""
        iam = iam_backends[ACCOUNT][PARTITION]
        user = iam.create_user(REGION, f"denied-{action.replace(':', '-')}")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": action, "Resource": "*"},
            ],
        }
        iam.put_user_policy(user.name, "deny", json.dumps(policy))
        key = iam.create_access_key(user.name)
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        try:
            yield {
                "AWS_ACCESS_KEY_ID": key.access_key_id,
                "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
            }
        finally:
            settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")

    def functions(self, prefix: str) -> list[str]:
        """The names of the functions whose names start with `prefix`."""
        names = [function.function_name for function in self._lambda.list_functions()]
        return [name for name in names if name.startswith(prefix)]

    def function_url(self, prefix: str) -> str:
        """The Function URL of the one function whose name starts with `prefix`."""
        (name,) = self.functions(prefix)
        return self._lambda.get_function(name).url_config.url

    def delete_alias(self, function: str, alias: str) -> None:
        self._lambda.delete_alias(alias, function)

    @property
    def _lambda(self) -> LambdaBackend:
        return lambda_backends[ACCOUNT][REGION]

    def stack(self, name: str):
        (stack,) = [
            stack
            for stack in cloudformation_backends[ACCOUNT][REGION].stacks.values()
            if stack.name == name
        ]
        return stack
