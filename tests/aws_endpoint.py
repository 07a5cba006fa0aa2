"""A local AWS endpoint for the real SAM CLI and the deploy script: moto's server on 127.0.0.1.

moto follows STS, ECR, S3, IAM, CloudWatch Logs and CloudFormation's change sets as they are.
What nothing offline follows is filled in here, and only that:

- The `AWS::Serverless-2016-10-31` transform runs inside CloudFormation: here a change set
  declaring it is translated with aws-sam-translator (the library that transform is) before
  moto reads it. moto's CloudFormation then creates the functions, versions, roles and log
  groups; it lacks Lambda aliases and URLs, made here in moto's Lambda, and the versions'
  `Version` attribute. It keeps a stack's first parameters and outputs; they follow each change
  set. Those two, the transform and the change sets' results, are the moto internals patched.
- Resources moto's CloudFormation lacks and no script reads (alarms, the schedule, the email
  subscription, the bucket policy, invoke configs) are accepted and make nothing.
- CodeDeploy (the deployment that runs the PreTraffic hook) is not followed: its resources do
  nothing, as if every hook succeeded.
- Invoking an image function needs Docker: moto's Docker-less Lambda answers instead, with
  what a test queued (`answer`), through moto's own API for that.
"""

from __future__ import annotations

import json
import os
from typing import Any

from moto.awslambda.exceptions import UnknownAliasException
from moto.awslambda.models import lambda_backends
from moto.awslambda_simple.models import lambda_simple_backends
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, cloudformation_backends
from moto.cloudformation.parsing import get_model_map
from moto.core.common_models import CloudFormationModel
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from samtranslator.translator.transform import transform

from tests.helpers import free_port

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"


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


class OneAttribute:
    """A model of `resource_type` whose one attribute, `attribute`, it was made with."""

    resource_type = attribute = ""

    def __init__(self, value: str) -> None:
        self.value = value

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.resource_type

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == cls.attribute

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.value


class FunctionUrl(OneAttribute, CloudFormationModel):
    """AWS::Lambda::Url, which moto's CloudFormation lacks: moto's URL config of the function."""

    resource_type, attribute = "AWS::Lambda::Url", "FunctionUrl"

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
    made (the schedule and its group, alarms, email subscription, bucket policy, invoke
    configs)."""
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
        "AWS::Scheduler::ScheduleGroup",
    ]
]


class Version(OneAttribute, CloudFormationModel):
    """AWS::Lambda::Version with its `Version` attribute (the number), which moto's lacks; it
    takes the place of moto's, being found after it among CloudFormationModel's subclasses."""

    resource_type, attribute = "AWS::Lambda::Version", "Version"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ) -> Version:
        function = cloudformation_json["Properties"]["FunctionName"]
        return cls(lambda_backends[account_id][region_name].publish_version(function).version)


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


original_parse = ChangeSet._parse_template
original_execute = CloudFormationBackend.execute_change_set


def execute_change_set_applied(
    backend: CloudFormationBackend, change_set_name: str, stack_name: str | None = None
) -> None:
    """moto keeps the parameters and outputs a stack was created with (none, for a stack a
    change set creates): it takes those of the change set it applies."""
    original_execute(backend, change_set_name, stack_name)
    change_set = backend.describe_change_set(change_set_name)
    stack = backend.stacks[change_set.stack_id]
    stack.parameters = change_set.parameters
    stack.template_dict = change_set.template_dict
    stack.output_map = stack._create_output_map()


class AwsEndpoint:
    """moto in this process, served on 127.0.0.1; what the clients did, read back from it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port)

    def start(self) -> None:
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # the translator's region
        ChangeSet._parse_template = parse_template_transformed
        CloudFormationBackend.execute_change_set = execute_change_set_applied
        get_model_map.cache_clear()  # it lists CloudFormationModel's subclasses, ours too
        moto_api_backend.set_config({"lambda": {"use_docker": False}})
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
        ChangeSet._parse_template = original_parse
        CloudFormationBackend.execute_change_set = original_execute
        moto_api_backend.set_config({"lambda": {"use_docker": True}})

    def reset(self) -> None:
        """Forget every resource and every queued answer."""
        moto_api_backend.reset()

    def forget_answers(self) -> None:
        lambda_simple_backends[ACCOUNT][REGION].lambda_simple_results_queue.clear()

    def answer(self, payload: Any) -> None:
        """Queue what the next invocation answers."""
        moto_api_backend.set_lambda_simple_result(json.dumps(payload), ACCOUNT, REGION)

    def function_url(self, prefix: str) -> str:
        """The Function URL of the one function whose name starts with `prefix`."""
        functions = lambda_backends[ACCOUNT][REGION].list_functions()
        (url,) = [f.url_config.url for f in functions if f.function_name.startswith(prefix)]
        return url

    def stack(self, name: str) -> Any:
        (stack,) = [
            stack
            for stack in cloudformation_backends[ACCOUNT][REGION].stacks.values()
            if stack.name == name
        ]
        return stack
