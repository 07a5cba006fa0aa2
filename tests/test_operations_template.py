"""template.yaml's schedules, alarms and database guardrails as CloudFormation gets them:
SAM's own transform, then the stack's Conditions and Fn::If resolved for the parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bake, translate_sam_template

REQUIRED = {"DjangoSecretKey": "k" * 50, "DatabaseUrl": "postgres://app:secret@db:5432/app"}
NO_VALUE = {"Ref": "AWS::NoValue"}


def evaluate(node: Any, parameters: dict[str, Any]) -> Any:
    """A condition's value; only the functions template.yaml's Conditions use."""
    if isinstance(node, list):
        return [evaluate(item, parameters) for item in node]
    if not isinstance(node, dict):
        return node
    ((function, argument),) = node.items()
    if function == "Ref":
        return parameters[argument]
    if function == "Fn::Not":
        return not evaluate(argument[0], parameters)
    if function == "Fn::Equals":
        left, right = evaluate(argument, parameters)
        return str(left) == str(right)
    if function == "Fn::Join":
        separator, items = argument
        return separator.join(evaluate(items, parameters))
    raise AssertionError(f"{function} is not understood here")


def resolve(node: Any, conditions: dict[str, bool]) -> Any:
    """`node` with each Fn::If decided and AWS::NoValue dropped."""
    if isinstance(node, list):
        return [resolve(item, conditions) for item in node]
    if not isinstance(node, dict):
        return node
    if node.keys() == {"Fn::If"}:
        condition, if_true, if_false = node["Fn::If"]
        return resolve(if_true if conditions[condition] else if_false, conditions)
    resolved = {key: resolve(value, conditions) for key, value in node.items()}
    return {key: value for key, value in resolved.items() if value != NO_VALUE}


def stack_resources(project: Path, **given: str) -> dict[str, dict[str, Any]]:
    """The resources CloudFormation would create for these parameters."""
    template = translate_sam_template(project, {**REQUIRED, **given})
    parameters: dict[str, Any] = {}
    for name, declared in template["Parameters"].items():
        value = given.get(name, REQUIRED.get(name, declared.get("Default")))
        is_list = declared["Type"] == "CommaDelimitedList"
        parameters[name] = value.split(",") if is_list else value
    conditions = {
        name: evaluate(condition, parameters)
        for name, condition in template.get("Conditions", {}).items()
    }
    return {
        name: resolve(resource, conditions)
        for name, resource in template["Resources"].items()
        if conditions.get(resource.get("Condition"), True)
    }


def of_type(resources: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("operations"))


def test_schedules_send_their_command_to_the_manage_function(project: Path) -> None:
    resources = stack_resources(project)
    schedules = of_type(resources, "AWS::Scheduler::Schedule")

    assert schedules, "the template ships an example schedule"
    for schedule in schedules.values():
        properties = schedule["Properties"]
        target = properties["Target"]
        command = json.loads(target["Input"])
        assert command.keys() == {"manage"}
        assert command["manage"] and all(isinstance(part, str) for part in command["manage"])
        assert target["Arn"] == {"Ref": "ManageFunctionAliaslive"}
        assert "Name" not in properties, "CloudFormation names it: environments never clash"
        role = resources[target["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
        principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        assert principal == {"Service": ["scheduler.amazonaws.com"]}
        statements = [
            statement
            for policy in role["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        assert statements == [
            {
                "Action": "lambda:InvokeFunction",
                "Effect": "Allow",
                "Resource": {"Ref": "ManageFunctionAliaslive"},
            }
        ]
    (invoke_config,) = [
        config
        for config in of_type(resources, "AWS::Lambda::EventInvokeConfig").values()
        if config["Properties"]["FunctionName"] == {"Ref": "ManageFunction"}
    ]
    assert invoke_config["Properties"]["Qualifier"] == "live"
    assert invoke_config["Properties"]["MaximumRetryAttempts"] == 0, "a failure is not rerun"


def test_alarms_watch_the_functions_and_failed_tasks_and_notify_one_topic(project: Path) -> None:
    quiet = stack_resources(project)
    subscribed = stack_resources(project, AlarmEmail="ops@example.com")

    alarms = of_type(quiet, "AWS::CloudWatch::Alarm").values()
    watched = set()
    for alarm in alarms:
        properties = alarm["Properties"]
        ((dimension),) = properties["Dimensions"]
        watched.add((properties["Namespace"], dimension["Name"], json.dumps(dimension["Value"])))
        watched.add((properties["Namespace"], properties["MetricName"], properties["Statistic"]))
        assert properties["AlarmActions"] == properties["OKActions"] == [{"Ref": "AlarmTopic"}]
        assert properties["Threshold"] == 1
        assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert properties["TreatMissingData"] == "notBreaching", "no traffic is not an alarm"
    assert watched == {
        ("AWS/Lambda", "FunctionName", '{"Ref": "WebFunction"}'),
        ("AWS/Lambda", "FunctionName", '{"Ref": "ManageFunction"}'),
        ("AWS/Lambda", "Errors", "Sum"),
        ("AWS/Lambda", "Throttles", "Sum"),
        ("AWS/SQS", "QueueName", '{"Fn::GetAtt": ["TasksDeadLetterQueue", "QueueName"]}'),
        # The failed tasks waiting in the queue, which Lambda's own retries never send back.
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum"),
    }
    assert list(of_type(quiet, "AWS::SNS::Topic")) == ["AlarmTopic"]
    assert of_type(quiet, "AWS::SNS::Subscription") == {}
    (subscription,) = of_type(subscribed, "AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }


def test_database_guardrails_are_off_until_given(project: Path) -> None:
    default = stack_resources(project)
    guarded = stack_resources(
        project,
        WebReservedConcurrency="5",
        SubnetIds="subnet-0a,subnet-0b",
        SecurityGroupIds="sg-0c",
    )
    functions = of_type(default, "AWS::Lambda::Function")

    for properties in (function["Properties"] for function in functions.values()):
        assert "ReservedConcurrentExecutions" not in properties
        assert "VpcConfig" not in properties
    web, migrations = (
        guarded["WebFunction"]["Properties"],
        guarded["ManageFunction"]["Properties"],
    )
    assert web["ReservedConcurrentExecutions"] == {"Ref": "WebReservedConcurrency"}
    assert "ReservedConcurrentExecutions" not in migrations
    vpc = {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": {"Ref": "SecurityGroupIds"}}
    assert web["VpcConfig"] == migrations["VpcConfig"] == vpc
    in_vpc = {
        name
        for name, function in of_type(guarded, "AWS::Lambda::Function").items()
        if "VpcConfig" in function["Properties"]
    }
    assert in_vpc == {"WebFunction", "ManageFunction", "TasksFunction"}, (
        "those that use the database"
    )


def test_every_django_function_may_enqueue_and_a_failed_task_goes_to_the_queue(
    project: Path,
) -> None:
    resources = stack_resources(project)
    tasks_function = {"Fn::Sub": "${AWS::StackName}_tasks"}
    invoke = {
        "Action": ["lambda:InvokeFunction"],
        "Effect": "Allow",
        "Resource": {
            "Fn::Sub": [
                "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*",
                {"functionName": tasks_function},
            ]
        },
    }
    for function in ["WebFunction", "ManageFunction", "TasksFunction"]:
        environment = resources[function]["Properties"]["Environment"]["Variables"]
        assert environment["TASKS_FUNCTION"] == {"Fn::Sub": "${AWS::StackName}_tasks:live"}
        statements = [
            statement
            for policy in resources[f"{function}Role"]["Properties"]["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        assert invoke in statements
    queue = {"Fn::GetAtt": ["TasksDeadLetterQueue", "Arn"]}
    assert resources["TasksFunctionEventInvokeConfig"]["Properties"] == {
        "DestinationConfig": {"OnFailure": {"Destination": queue}},
        "FunctionName": {"Ref": "TasksFunction"},
        "MaximumRetryAttempts": 2,
        "Qualifier": "live",
    }
    sends = {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": queue}
    policies = resources["TasksFunctionRole"]["Properties"]["Policies"]
    assert [sends] in [policy["PolicyDocument"]["Statement"] for policy in policies]
