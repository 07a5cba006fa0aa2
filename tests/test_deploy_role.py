"""deploy-role.yaml: who may assume the deploy role, whether it may deploy its environment's
stack, and that it can reach nothing else: no other environment's or project's resources, no
role without the boundary, not itself.

What CloudFormation needs comes from the resource provider schemas that ship with cfn-lint
(each handler's `permissions`), for every resource type of template.yaml after SAM's transform;
which resources an action applies to comes from cfn-lint's IAM data. The names are the ones
template.yaml gives, else the rule CloudFormation follows when it names a resource itself.
Policies are evaluated as IAM does for what they use: actions and resources with wildcards,
the condition operators below, an explicit Deny (the bucket's policy) over any Allow.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tempfile
from collections.abc import Callable
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
import pytest
import yaml

from tests.helpers import (
    TEMPLATE_DIR,
    CloudFormationLoader,
    bake,
    load_sam_template,
    translate_sam_template,
)

CFN_LINT_DATA = Path(cfnlint.__file__).parent / "data"
SUB = "token.actions.githubusercontent.com:sub"
ACCOUNT = "123456789012"
# The optional features on: SAM leaves their conditions to CloudFormation, so the translated
# template holds their resources and properties whatever the values (the VPC's, a concurrency
# cap, SnapStart, the alarm email's subscription), and the role must allow them all.
SETTINGS = {
    "DjangoSecretKey": "s" * 50,
    "DatabaseUrl": "postgres://app:pw@db.example.com/app",
    "SubnetIds": "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
    "SecurityGroupIds": "sg-0123456789abcdef0",
    "WebReservedConcurrency": "20",
    "WebSnapStart": "PublishedVersions",
    "AlarmEmail": "ops@example.com",
}

# Permissions the schemas list for properties template.yaml does not set, or for services it
# does not use (test_unused_properties_stay_unset keeps this true): granting them would only
# widen the role.
NOT_NEEDED = {
    "elasticfilesystem:*": "FileSystemConfigs",
    "s3files:*": "FileSystemConfigs",
    "kms:*": "KmsKeyArn, KmsKeyId, KmsMasterKeyId: AWS-managed keys need no permission of the caller",
    "s3:GetObject": "code from S3: the functions are images",
    "s3:GetObjectVersion": "code from S3",
    "s3:PutObjectAcl": "objects: CloudFormation puts none in the bucket, which holds users' files",
    "s3:DeleteObject": "objects",
    "s3:DeleteBucket": "the bucket is retained: CloudFormation never deletes it",
    "s3:PutBucketAcl": "AccessControl (ACLs are off: BucketOwnerEnforced)",
    "s3:PutBucketAbac": "AbacStatus",
    "s3:PutAccelerateConfiguration": "AccelerateConfiguration",
    "s3:PutAnalyticsConfiguration": "AnalyticsConfigurations",
    "s3:PutIntelligentTieringConfiguration": "IntelligentTieringConfigurations",
    "s3:PutInventoryConfiguration": "InventoryConfigurations",
    "s3:PutBucketLogging": "LoggingConfiguration",
    "s3:PutMetricsConfiguration": "MetricsConfigurations",
    "s3:PutBucketNotification": "NotificationConfiguration",
    "s3:PutBucketObjectLockConfiguration": "ObjectLockConfiguration, ObjectLockEnabled",
    "s3:PutReplicationConfiguration": "ReplicationConfiguration",
    "s3:PutBucketVersioning": "VersioningConfiguration",
    "s3:PutBucketWebsite": "WebsiteConfiguration",
    "s3:CreateBucketMetadataTableConfiguration": "MetadataTableConfiguration",
    "s3:UpdateBucketMetadata*": "MetadataConfiguration",
    "s3tables:*": "MetadataTableConfiguration, MetadataConfiguration",
    "sns:PutDataProtectionPolicy": "DataProtectionPolicy",
    "firehose:*": "log delivery to Firehose",
    "lambda:GetLayerVersion": "Layers",
    "lambda:GetCodeSigningConfig": "CodeSigningConfigArn",
    "lambda:PassCapacityProvider": "CapacityProviderConfig",
    "logs:AssociateKmsKey": "KmsKeyId",
    "logs:DisassociateKmsKey": "KmsKeyId",
    "logs:CreateLogDelivery": "log delivery",
    "logs:PutDataProtectionPolicy": "DataProtectionPolicy",
    "logs:PutIndexPolicy": "FieldIndexPolicies",
    "logs:DeleteIndexPolicy": "FieldIndexPolicies (and it is account-wide)",
    "logs:PutResourcePolicy": "ResourcePolicyDocument (and it is account-wide)",
    "logs:DeleteResourcePolicy": "ResourcePolicyDocument (and it is account-wide)",
    "logs:PutBearerTokenAuthentication": "BearerTokenAuthenticationEnabled",
    "codedeploy:RegisterOnPremisesInstance": "EC2 and on-premises deployments",
    "iam:DeleteRolePermissionsBoundary": "the roles keep their boundary: that is its point",
}
UNUSED_PROPERTIES = {
    "AWS::Lambda::Function": {
        "FileSystemConfigs",
        "KmsKeyArn",
        "Layers",
        "CodeSigningConfigArn",
        "CapacityProviderConfig",
    },
    "AWS::Logs::LogGroup": {
        "KmsKeyId",
        "DataProtectionPolicy",
        "FieldIndexPolicies",
        "ResourcePolicyDocument",
        "BearerTokenAuthenticationEnabled",
    },
    "AWS::S3::Bucket": {
        "AccessControl",
        "AbacStatus",
        "AccelerateConfiguration",
        "AnalyticsConfigurations",
        "IntelligentTieringConfigurations",
        "InventoryConfigurations",
        "LoggingConfiguration",
        "MetricsConfigurations",
        "NotificationConfiguration",
        "ObjectLockConfiguration",
        "ObjectLockEnabled",
        "ReplicationConfiguration",
        "VersioningConfiguration",
        "WebsiteConfiguration",
        "MetadataTableConfiguration",
        "MetadataConfiguration",
    },
    "AWS::SNS::Topic": {"KmsMasterKeyId", "DataProtectionPolicy"},
    "AWS::Scheduler::Schedule": {"KmsKeyArn"},
}
# What SAM CLI, bin/deploy and bin/manage-remote do themselves, beyond CloudFormation's
# handlers: (action, the resource it acts on).
CLIENT_ACTIONS = [
    *(
        (f"cloudformation:{action}", "stack")
        for action in [
            "CreateChangeSet",
            "DescribeChangeSet",
            "ExecuteChangeSet",
            "DeleteChangeSet",
            "DescribeStacks",
            "DescribeStackEvents",
            "DescribeStackResource",
            "DescribeStackResources",
            "GetTemplate",
            "GetTemplateSummary",
            "ListStackResources",
        ]
    ),
    ("cloudformation:CreateChangeSet", "transform"),
    ("ecr:GetAuthorizationToken", "*"),
    *(
        (f"ecr:{action}", "repository")
        for action in [
            "DescribeRepositories",
            "CreateRepository",
            "PutLifecyclePolicy",
            "GetLifecyclePolicy",
            "DescribeImages",
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage",
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "GetRepositoryPolicy",
            "SetRepositoryPolicy",
        ]
    ),
    ("lambda:InvokeFunction", "function alias"),
    ("lambda:GetFunctionConfiguration", "function"),
    ("logs:FilterLogEvents", "log-group"),
    ("logs:GetLogEvents", "log-group"),
]

# What the stack's roles use of the AWS-managed policies template.yaml attaches (the rest of
# them is capped by the boundary): (action, the resource it acts on).
MANAGED_POLICIES_USE = {
    "AWSLambdaBasicExecutionRole": [
        ("logs:CreateLogStream", "log-stream"),
        ("logs:PutLogEvents", "log-stream"),
    ],
    "AWSLambdaVPCAccessExecutionRole": [
        ("logs:CreateLogStream", "log-stream"),
        ("logs:PutLogEvents", "log-stream"),
        *(
            (f"ec2:{action}", "*")
            for action in [
                "CreateNetworkInterface",
                "DescribeNetworkInterfaces",
                "DescribeSubnets",
                "DeleteNetworkInterface",
                "AssignPrivateIpAddresses",
                "UnassignPrivateIpAddresses",
            ]
        ),
    ],
    # CodeDeploy moves the web function's alias; the inline policy lets it invoke the hook.
    "AWSCodeDeployRoleForLambdaLimited": [
        ("lambda:GetAlias", "function alias"),
        ("lambda:UpdateAlias", "function alias"),
        ("lambda:GetProvisionedConcurrencyConfig", "function alias"),
    ],
}
# ARNs every environment shares by design: what IAM grants only on "*", SAM's transform, the
# AWS-defined deployment configurations.
SHARED = {"*", "transform", "deploymentconfig"}

# The longest names the pre-generation hook and template.yaml accept.
spec = importlib.util.spec_from_file_location("pre_gen", TEMPLATE_DIR / "hooks/pre_gen_project.py")
assert spec and spec.loader
pre_gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pre_gen)
SHORTEST_SLUG = "a"
LONGEST_SLUG = "a_very_long_project_slug_that_is_forty_c"


@cache
def provider_schema(region: str, resource_type: str) -> dict:
    index = json.loads((CFN_LINT_DATA / "schemas" / "providers" / f"{region}.json").read_text())
    path = CFN_LINT_DATA / "schemas" / "resources" / f"{index[resource_type]}.json"
    return json.loads(path.read_text())


@cache
def iam_actions() -> dict:
    return json.loads((CFN_LINT_DATA / "AdditionalSpecs" / "Policies.json").read_text())


def resources_of(action: str) -> list[str] | None:
    """The resource kinds IAM authorizes `action` on ([] = only "*"); None if no such action."""
    service, name = action.lower().split(":")
    known = iam_actions().get(service, {}).get("Actions", {}).get(name)
    return None if known is None else known.get("Resources", [])


def needed_by_cloudformation(region: str, resource_types: set[str]) -> set[str]:
    """Every permission a handler of these types lists, less the ones that are not needed."""
    needed = set()
    for resource_type in resource_types:
        for handler in provider_schema(region, resource_type)["handlers"].values():
            needed.update(handler.get("permissions", []))
    # A schema may list what is not an IAM action at all (s3:REST.PUT.OBJECT).
    return {
        action
        for action in needed
        if resources_of(action) is not None
        and not any(fnmatchcase(action, pattern) for pattern in NOT_NEEDED)
    }


def generated_name(stack: str, logical_id: str, limit: int) -> str:
    """The name CloudFormation gives a resource it names itself, with a made-up random part.

    <stack>-<logical id>-<12 random characters>, cut to the service's limit: past it, what is
    left after the random part goes half to the stack name (rounding up), half to the logical
    id. AWS does not document this; it is inferred from names CloudFormation produced.
    """
    tail = "-ABCDEFGHJK12"
    name = f"{stack}-{logical_id}"
    if len(name) + len(tail) <= limit:
        return name + tail
    room = limit - len(tail) - 1
    return f"{stack[: (room + 1) // 2]}-{logical_id[: room // 2]}{tail}"


def resolve(value: Any, refs: dict[str, str]) -> Any:
    """A translated template's Ref, Fn::GetAtt and Fn::Sub, given what each name stands for."""
    if isinstance(value, list):
        return [resolve(item, refs) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return refs[argument]
        if function == "Fn::GetAtt":
            return refs[".".join(argument)]
        if function == "Fn::Sub":
            text, names = (argument, {}) if isinstance(argument, str) else argument
            local = {name: resolve(item, refs) for name, item in names.items()}
            return re.sub(r"\$\{([^}]+)\}", lambda match: (refs | local)[match[1]], text)
    return {key: resolve(item, refs) for key, item in value.items()}


def deployed(template: dict, stack: str, region: str) -> tuple[dict[str, list[str]], dict]:
    """What an environment's stack holds: ARNs by the kinds IAM knows them as, and what each
    logical id's Ref and Fn::GetAtt give (for its own policies)."""
    prefix = f"arn:aws:{{}}:{region}:{ACCOUNT}"
    resources = template["Resources"]
    refs: dict[str, Any] = {
        "AWS::StackName": stack,
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "AWS::Partition": "aws",
    }
    for name, declared in template["Parameters"].items():
        refs[name] = SETTINGS.get(name, declared.get("Default", ""))
    arns: dict[str, list[str]] = {
        "*": ["*"],
        "stack": [f"{prefix.format('cloudformation')}:stack/{stack}/0f1e2d3c-aaaa-bbbb-cccc"],
        "transform": [
            f"{prefix.format('cloudformation').replace(ACCOUNT, 'aws')}"
            ":transform/Serverless-2016-10-31"
        ],
        "repository": [f"{prefix.format('ecr')}:repository/{stack}"],
    }

    def name(logical_id: str, given: str, limit: int, lower: bool = False) -> str:
        """Its name: the one template.yaml gives, else CloudFormation's."""
        if given in resources[logical_id]["Properties"]:
            return resolve(resources[logical_id]["Properties"][given], refs)
        if lower:
            return generated_name(stack.lower(), logical_id.lower(), limit)
        return generated_name(stack, logical_id, limit)

    def add(kind: str, logical_id: str, ref: str, arn: str) -> None:
        refs[logical_id], refs[f"{logical_id}.Arn"] = ref, arn
        arns.setdefault(kind, []).append(arn)

    by_type: dict[str, list[str]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource["Type"], []).append(logical_id)
    for logical_id in by_type["AWS::Lambda::Function"]:
        function = name(logical_id, "FunctionName", 64)
        add("function", logical_id, function, f"{prefix.format('lambda')}:function:{function}")
        arns.setdefault("function alias", []).append(refs[f"{logical_id}.Arn"] + ":live")
        arns.setdefault("function version", []).append(refs[f"{logical_id}.Arn"] + ":7")
    for logical_id in by_type["AWS::Lambda::Alias"]:
        properties = resources[logical_id]["Properties"]
        function = resolve(properties["FunctionName"], refs)
        refs[logical_id] = f"{prefix.format('lambda')}:function:{function}:{properties['Name']}"
    for logical_id in by_type["AWS::IAM::Role"]:
        properties = resources[logical_id]["Properties"]
        path = resolve(properties.get("Path", "/"), refs)
        role = f"arn:aws:iam::{ACCOUNT}:role{path}{generated_name(stack, logical_id, 64)}"
        add("role", logical_id, role.rsplit("/", 1)[1], role)
        refs[f"{logical_id}.PermissionsBoundary"] = resolve(
            properties.get("PermissionsBoundary"), refs
        )
    for logical_id in by_type["AWS::Logs::LogGroup"]:
        group = name(logical_id, "LogGroupName", 512)
        add("log-group", logical_id, group, f"{prefix.format('logs')}:log-group:{group}")
        arns.setdefault("log-stream", []).append(f"{refs[f'{logical_id}.Arn']}:log-stream:2026")
    for logical_id in by_type["AWS::CodeDeploy::Application"]:
        application = name(logical_id, "ApplicationName", 100)
        arn = f"{prefix.format('codedeploy')}:application:{application}"
        add("application", logical_id, application, arn)
    for logical_id in by_type["AWS::CodeDeploy::DeploymentGroup"]:
        properties = resources[logical_id]["Properties"]
        application = resolve(properties["ApplicationName"], refs)
        group = f"{application}/{name(logical_id, 'DeploymentGroupName', 100)}"
        add(
            "deploymentgroup",
            logical_id,
            group,
            f"{prefix.format('codedeploy')}:deploymentgroup:{group}",
        )
        config = properties["DeploymentConfigName"]["Fn::Sub"][1]["ConfigName"]
        arns["deploymentconfig"] = [
            f"{prefix.format('codedeploy')}:deploymentconfig:CodeDeployDefault.Lambda{config}"
        ]
    # Bucket names are lowercase, the stack's and the logical id's.
    for logical_id in by_type["AWS::S3::Bucket"]:
        bucket = name(logical_id, "BucketName", 63, lower=True)
        add("bucket", logical_id, bucket, f"arn:aws:s3:::{bucket}")
        arns.setdefault("object", []).append(f"arn:aws:s3:::{bucket}/media/a.png")
    for logical_id in by_type.get("AWS::Scheduler::ScheduleGroup", []):
        group = name(logical_id, "Name", 64)
        add(
            "schedule-group",
            logical_id,
            group,
            f"{prefix.format('scheduler')}:schedule-group/{group}",
        )
    for logical_id in by_type["AWS::Scheduler::Schedule"]:
        properties = resources[logical_id]["Properties"]
        group = resolve(properties.get("GroupName", "default"), refs)
        schedule = f"{group}/{name(logical_id, 'Name', 64)}"
        add("schedule", logical_id, schedule, f"{prefix.format('scheduler')}:schedule/{schedule}")
    for logical_id in by_type["AWS::CloudWatch::Alarm"]:
        alarm = name(logical_id, "AlarmName", 255)
        add("alarm", logical_id, alarm, f"{prefix.format('cloudwatch')}:alarm:{alarm}")
    for logical_id in by_type["AWS::SQS::Queue"]:
        queue = name(logical_id, "QueueName", 80)
        url = f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{queue}"
        add("queue", logical_id, url, f"{prefix.format('sqs')}:{queue}")
        refs[f"{logical_id}.QueueName"] = queue
    for logical_id in by_type["AWS::SNS::Topic"]:
        topic = f"{prefix.format('sns')}:{name(logical_id, 'TopicName', 256)}"
        add("topic", logical_id, topic, topic)
    # The boundary deploy-role.yaml makes for the environment, by the name template.yaml gives it.
    arns["policy"] = [f"arn:aws:iam::{ACCOUNT}:policy/{stack}-boundary"]
    return arns, refs


def stack_arns(template: dict, stack: str, region: str) -> dict[str, list[str]]:
    """The ARNs of what an environment's stack holds, by the kinds IAM knows them as."""
    return deployed(template, stack, region)[0]


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def load_deploy_role(project: Path) -> dict:
    return yaml.load((project / "deploy-role.yaml").read_text(), Loader=CloudFormationLoader)


NO_VALUE = object()


def evaluate(value: object, parameters: dict[str, str], conditions: dict | None = None) -> object:
    """The intrinsic functions deploy-role.yaml uses, given the stack's parameters (and its
    resources' Refs among them)."""
    if isinstance(value, list):
        items = [evaluate(item, parameters, conditions) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict) or len(value) != 1 or not next(iter(value)).startswith("!"):
        if isinstance(value, dict):
            return {key: evaluate(item, parameters, conditions) for key, item in value.items()}
        return value
    ((tag, argument),) = value.items()
    if tag == "!Ref":
        return NO_VALUE if argument == "AWS::NoValue" else parameters[argument]
    if tag == "!If":
        name, if_true, if_false = argument
        chosen = evaluate((conditions or {})[name], parameters, conditions)
        return evaluate(if_true if chosen else if_false, parameters, conditions)
    if tag == "!Not":
        return not evaluate(argument[0], parameters, conditions)
    if tag == "!Equals":
        left, right = (evaluate(side, parameters, conditions) for side in argument)
        return left == right
    if tag == "!Select":
        index, items = argument
        return evaluate(items, parameters, conditions)[index]
    if tag == "!Split":
        separator, text = argument
        return evaluate(text, parameters, conditions).split(separator)
    if tag == "!Sub":
        text, names = (argument, {}) if isinstance(argument, str) else argument
        values = parameters | {n: evaluate(v, parameters, conditions) for n, v in names.items()}
        return re.sub(r"\$\{([^}]+)\}", lambda match: values[match[1]], text)
    raise AssertionError(f"{tag} is not understood here")


def role_parameters(project: Path, region: str, environment: str) -> dict[str, str]:
    """The deploy-role stack's parameters, pseudo parameters and the boundary's Ref (its ARN)."""
    parameters = {
        "AWS::Partition": "aws",
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "Environment": environment,
        "GitHubRepository": "octo-org/octo-app",
    }
    boundary = load_deploy_role(project)["Resources"]["Boundary"]["Properties"]
    name = evaluate(boundary["ManagedPolicyName"], parameters)
    return parameters | {"Boundary": f"arn:aws:iam::{ACCOUNT}:policy/{name}"}


def statements(document: dict, value: Callable[[Any], Any]) -> list[dict]:
    """A policy's statements, as IAM sees them: `value` resolves the intrinsic functions."""
    return [
        {
            "effect": statement["Effect"],
            "actions": [action.lower() for action in as_list(statement["Action"])],
            "resources": as_list(value(statement["Resource"])),
            "condition": value(statement.get("Condition", {})),
        }
        for statement in document["Statement"]
    ]


def deploy_policy(project: Path, region: str, environment: str = "production") -> list[dict]:
    """The deploy role's policy statements, as IAM sees them in `region`, for `environment`."""
    role = load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]
    (policy,) = role["Policies"]
    parameters = role_parameters(project, region, environment)
    return statements(policy["PolicyDocument"], lambda value: evaluate(value, parameters))


def boundary_policy(project: Path, region: str, environment: str = "production") -> list[dict]:
    """The boundary on every role of the environment's stack, as IAM sees it."""
    boundary = load_deploy_role(project)["Resources"]["Boundary"]["Properties"]
    parameters = role_parameters(project, region, environment)
    return statements(boundary["PolicyDocument"], lambda value: evaluate(value, parameters))


def holds(condition: dict, context: dict[str, str] | None) -> bool:
    """Whether a statement's Condition holds for the request's keys (None: for any request)."""
    if context is None:
        return True
    context = {key.lower(): value for key, value in context.items()}
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            given, wanted = context.get(key.lower()), [str(w) for w in as_list(wanted)]
            if operator in ("StringEquals", "ArnEquals"):
                met = given in wanted
            elif operator in ("StringLike", "ArnLike"):
                met = given is not None and any(fnmatchcase(given, w) for w in wanted)
            elif operator == "StringNotEquals":
                met = given not in wanted
            elif operator == "ArnNotLike":
                met = given is None or not any(fnmatchcase(given, w) for w in wanted)
            elif operator == "Null":
                met = (given is None) == (wanted == ["true"])
            elif operator == "Bool":
                met = given is not None and given.lower() in wanted
            else:
                raise AssertionError(f"{operator} is not understood here")
            if not met:
                return False
    return True


def matches(
    effect: str, policy: list[dict], action: str, arn: str, context: dict[str, str] | None
) -> bool:
    return any(
        statement["effect"] == effect
        and any(fnmatchcase(action.lower(), pattern) for pattern in statement["actions"])
        and any(fnmatchcase(arn, pattern) for pattern in statement["resources"])
        and holds(statement["condition"], context)
        for statement in policy
    )


def allows(
    policy: list[dict], action: str, arn: str, context: dict[str, str] | None = None
) -> bool:
    """Whether an Allow of `policy` covers the request; `context` None ignores conditions."""
    return matches("Allow", policy, action, arn, context)


def denies(policy: list[dict], action: str, arn: str, context: dict[str, str]) -> bool:
    """Whether a Deny of `policy` (a resource's: Principal "*") refuses the request."""
    return matches("Deny", policy, action, arn, context)


def bucket_policy(template: dict, stack: str, region: str) -> list[dict]:
    """The media bucket's own policy in an environment's stack."""
    _, refs = deployed(template, stack, region)
    document = template["Resources"]["MediaBucketPolicy"]["Properties"]["PolicyDocument"]
    return statements(document, lambda value: resolve(value, refs))


def deploy_role_arn(project: Path, environment: str) -> str:
    """The deploy role's own ARN: CloudFormation names it after its stack, under the path /."""
    role_stack = f"github-deploy-{stack_name(project, environment)}"
    return f"arn:aws:iam::{ACCOUNT}:role/{generated_name(role_stack, 'DeployRole', 64)}"


def deploy_role_session(project: Path, environment: str) -> dict[str, str]:
    """What a request made with the deploy role's credentials carries: its ARN and tags."""
    role = load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]
    parameters = {"Environment": environment}
    tags = {tag["Key"]: evaluate(tag["Value"], parameters) for tag in role.get("Tags", [])}
    context = {"aws:PrincipalArn": deploy_role_arn(project, environment)}
    return context | {f"aws:PrincipalTag/{key}": value for key, value in tags.items()}


@pytest.fixture(scope="module", params=[SHORTEST_SLUG, LONGEST_SLUG])
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(project, its translated template, the production deploy policy, the region)."""
    region = "ap-southeast-2"
    project = bake(tmp_path_factory.mktemp("role"), project_slug=request.param, aws_region=region)
    template = translate_sam_template(project, SETTINGS, region=region)
    return project, template, deploy_policy(project, region), region


@cache
def baked_slug(slug: str, region: str = "ap-southeast-2") -> tuple[Path, dict]:
    """Another project, for what one project's deploy role must not reach of another's."""
    project = bake(Path(tempfile.mkdtemp(prefix="role-")), project_slug=slug, aws_region=region)
    return project, translate_sam_template(project, SETTINGS, region=region)


def stack_name(project: Path, environment: str) -> str:
    return f"{project.name.replace('_', '-')}-{environment}"


def longest_environment(project: Path) -> str:
    """The longest environment name template.yaml accepts for this project."""
    pattern = load_sam_template(project)["Parameters"]["EnvironmentName"]["AllowedPattern"]
    (most,) = re.findall(r"\{0,(\d+)\}", pattern)
    return "environment-name-20c"[: int(most) + 1]


def named_environment(project: Path, environment: str) -> str:
    """`environment`, or for "longest" the longest name template.yaml accepts."""
    return longest_environment(project) if environment == "longest" else environment


def test_the_extreme_names_are_the_accepted_ones(baked) -> None:
    project, *_ = baked
    assert len(LONGEST_SLUG) == pre_gen.MAX_SLUG_LENGTH
    assert pre_gen.check_slug(LONGEST_SLUG) is None
    assert pre_gen.check_slug(LONGEST_SLUG + "x") is not None
    assert pre_gen.check_slug(SHORTEST_SLUG) is None
    environment = load_sam_template(project)["Parameters"]["EnvironmentName"]["AllowedPattern"]
    longest = longest_environment(project)
    assert re.fullmatch(environment, longest)
    assert not re.fullmatch(environment, longest + "x")
    # Up to 20 characters, fewer only where the stack name would pass 55 (template.yaml).
    assert len(stack_name(project, longest)) <= 55
    assert len(longest) == 20 or len(stack_name(project, longest)) == 55
    role_environment = load_deploy_role(project)["Parameters"]["Environment"]["AllowedPattern"]
    assert role_environment == environment


def test_generated_names_follow_what_cloudformation_did() -> None:
    # Names CloudFormation gave an IAM role (64 characters at most) and an S3 bucket (63).
    role = generated_name("ChineseboostAnalyticsStack", "RainlyticsSummariesJobFunctionRole", 64)
    assert role.startswith("ChineseboostAnalyticsStac-RainlyticsSummariesJobFun-")
    assert len(role) == 64
    bucket = generated_name("chineseboostanalyticsstack", "rainlyticslogsbucket8df4e2a1", 63)
    assert bucket.startswith("chineseboostanalyticsstac-rainlyticslogsbucket8df4-")
    assert generated_name("app-production", "WebFunction", 64).startswith("app-production-WebFun")


def test_unused_properties_stay_unset(baked) -> None:
    _, template, *_ = baked
    for logical_id, resource in template["Resources"].items():
        unused = UNUSED_PROPERTIES.get(resource["Type"], set())
        assert not unused & resource["Properties"].keys(), (logical_id, NOT_NEEDED)
        if resource["Type"] == "AWS::Lambda::Function":
            assert list(resource["Properties"]["Code"]) == ["ImageUri"], logical_id
        if resource["Type"] == "AWS::S3::Bucket":
            assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


# The properties that would name a resource: unset, CloudFormation names it (stack_arns).
NAME_PROPERTIES = {
    "AWS::Lambda::Function": {"FunctionName"},
    "AWS::IAM::Role": {"RoleName"},
    "AWS::Logs::LogGroup": {"LogGroupName"},
    "AWS::CodeDeploy::Application": {"ApplicationName"},
    "AWS::CodeDeploy::DeploymentGroup": {"DeploymentGroupName"},
    "AWS::S3::Bucket": {"BucketName", "BucketNamePrefix"},
    "AWS::Scheduler::Schedule": {"Name"},
    "AWS::Scheduler::ScheduleGroup": {"Name"},
    "AWS::CloudWatch::Alarm": {"AlarmName"},
    "AWS::SNS::Topic": {"TopicName"},
    "AWS::SQS::Queue": {"QueueName"},
}
# The exceptions, which the deploy role must match by name and CloudFormation would cut: each
# <stack>_<what> (or the stack's own name), fixed, since a replacement of a named resource
# fails (two cannot have one name at once).
NAMED = {
    "WebFunction": "_web",
    "ManageFunction": "_manage",
    "PreTrafficHook": "_hook",
    "TasksFunction": "_tasks",
    "WebLogGroup": "_web",
    "ManageLogGroup": "_manage",
    "TasksLogGroup": "_tasks",
    "TasksDeadLetterQueue": "_failed_tasks",
    "PreTrafficHookLogGroup": "_hook",
    "ScheduleGroup": "",
}


def test_cloudformation_names_the_resources(baked) -> None:
    project, template, _, region = baked
    stack = stack_name(project, longest_environment(project))
    refs = {"AWS::StackName": stack}
    for logical_id, resource in template["Resources"].items():
        given = NAME_PROPERTIES.get(resource["Type"], set()) & resource["Properties"].keys()
        if logical_id in NAMED:
            (name,) = given
            assert resolve(resource["Properties"][name], refs) == stack + NAMED[logical_id]
            # A function's or schedule group's most; a queue's is 80.
            assert len(stack + NAMED[logical_id]) <= (80 if "SQS" in resource["Type"] else 64)
        else:
            assert not given, logical_id
        if resource["Type"] == "AWS::Scheduler::Schedule":
            assert resource["Properties"]["GroupName"] == {"Ref": "ScheduleGroup"}


def test_the_optional_features_are_covered(baked) -> None:
    """Their resources and properties are in the template the policy is checked against."""
    _, template, *_ = baked
    resources = template["Resources"]
    web = resources["WebFunction"]["Properties"]
    assert {"VpcConfig", "ReservedConcurrentExecutions", "SnapStart"} <= web.keys()
    assert "VpcConfig" in resources["ManageFunction"]["Properties"]
    assert resources["AlarmEmailSubscription"]["Type"] == "AWS::SNS::Subscription"


def request_contexts(template: dict, action: str, boundary: str | None) -> list[dict[str, str]]:
    """The condition keys of the requests CloudFormation makes for `action` on a role with
    `boundary` (as template.yaml gives it), passed to the service that trusts it, given the
    managed policies template.yaml attaches."""
    context = {} if boundary is None else {"iam:PermissionsBoundary": boundary}
    if action.lower() == "iam:passrole":
        return [context | {"iam:PassedToService": service} for service in trusted(template)]
    if action.lower() in ("iam:attachrolepolicy", "iam:detachrolepolicy"):
        return [context | {"iam:PolicyARN": arn} for arn in attached(template)]
    return [context]


def trusted(template: dict) -> set[str]:
    return {
        service
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Role"
        for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for service in as_list(statement["Principal"]["Service"])
    }


def attached(template: dict) -> set[str]:
    return {
        arn["Fn::Sub"].replace("${AWS::Partition}", "aws") if isinstance(arn, dict) else arn
        for resource in template["Resources"].values()
        for arn in resource["Properties"].get("ManagedPolicyArns", [])
    }


def missing(policy: list[dict], stack: tuple[dict, dict], wanted, template: dict) -> list[str]:
    """`wanted` (action, resource kind) pairs the policy does not allow, with the ARN."""
    arns, refs = stack
    boundaries = {
        refs[f"{r}.Arn"]: refs[f"{r}.PermissionsBoundary"]
        for r in template["Resources"]
        if f"{r}.PermissionsBoundary" in refs
    }
    refused = []
    for action, kind in wanted:
        if kind not in arns:
            refused.append(f"{action} on {kind!r}: no ARN of that kind in the stack")
        for arn in arns.get(kind, []):
            for context in request_contexts(template, action, boundaries.get(arn)):
                if not allows(policy, action, arn, context):
                    refused.append(f"{action} on {arn} with {context}")
    return refused


def cloudformation_wants(template: dict, region: str, arns: dict[str, list[str]]):
    """(action, resource kind) for each permission a handler of the stack's types lists.

    An action IAM authorizes on several kinds (lambda:TagResource: functions, layers, ...)
    is wanted on the kinds the stack holds.
    """
    types = {resource["Type"] for resource in template["Resources"].values()}
    for action in sorted(needed_by_cloudformation(region, types)):
        kinds = resources_of(action) or ["*"]
        for kind in [kind for kind in kinds if kind in arns] or kinds:
            yield action, kind


@pytest.mark.parametrize("environment", ["a", "production", "longest"])
def test_cloudformation_may_create_update_and_delete_the_stack(baked, environment: str) -> None:
    project, template, _, region = baked
    environment = named_environment(project, environment)
    policy = deploy_policy(project, region, environment)
    stack = deployed(template, stack_name(project, environment), region)
    wanted = cloudformation_wants(template, region, stack[0])

    assert missing(policy, stack, wanted, template) == []


@pytest.mark.parametrize("environment", ["a", "longest"])
def test_sam_cli_and_the_scripts_may_do_their_part(baked, environment: str) -> None:
    project, template, _, region = baked
    environment = named_environment(project, environment)
    policy = deploy_policy(project, region, environment)
    stack = deployed(template, stack_name(project, environment), region)

    assert missing(policy, stack, CLIENT_ACTIONS, template) == []


def test_the_role_may_do_nothing_else(baked) -> None:
    project, template, policy, region = baked
    arns = stack_arns(template, stack_name(project, "production"), region)
    wanted = {action.lower() for action, _ in cloudformation_wants(template, region, arns)}
    wanted |= {action.lower() for action, _ in CLIENT_ACTIONS}

    granted = {action for statement in policy for action in statement["actions"]}
    assert granted - wanted == set()
    assert all(statement["effect"] == "Allow" for statement in policy)


def test_roles_are_passed_only_to_the_services_the_stacks_roles_trust(baked) -> None:
    _, template, policy, _ = baked
    (statement,) = [s for s in policy if "iam:passrole" in s["actions"]]
    assert set(statement["condition"]["StringEquals"]["iam:PassedToService"]) == trusted(template)


def test_the_policies_fit(baked) -> None:
    """IAM refuses a role whose inline policies exceed 10,240 characters, and a managed policy
    (the boundary) past 6,144, whitespace aside."""
    project, _, _, region = baked
    parameters = role_parameters(project, region, longest_environment(project))
    parameters["AWS::Partition"] = "aws-us-gov"
    resources = load_deploy_role(project)["Resources"]
    (policy,) = resources["DeployRole"]["Properties"]["Policies"]

    def size(document: dict) -> int:
        return len(json.dumps(evaluate(document, parameters), separators=(",", ":")))

    assert size(policy["PolicyDocument"]) <= 10_240
    assert size(resources["Boundary"]["Properties"]["PolicyDocument"]) <= 6_144


def test_only_the_stacks_managed_policies_can_be_attached(baked) -> None:
    _, template, policy, _ = baked
    (statement,) = [s for s in policy if "iam:attachrolepolicy" in s["actions"]]
    assert set(statement["condition"]["ArnEquals"]["iam:PolicyARN"]) == attached(template)


def test_only_its_environment_may_assume_it(baked) -> None:
    project, *_ = baked
    template = load_deploy_role(project)
    parameters = {"GitHubRepository": "octo-org/octo-app", "Environment": "staging"}
    (statement,) = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    claims = statement["Condition"]["StringEquals"]

    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert claims["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    subject = evaluate(claims[SUB], parameters, template.get("Conditions", {}))
    assert subject == "repo:octo-org/octo-app:environment:staging"


def test_the_oidc_provider_is_created_or_taken(baked) -> None:
    project, *_ = baked
    template = load_deploy_role(project)
    provider = template["Resources"]["GitHubOidcProvider"]
    principal = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ][0]["Principal"]

    assert provider["Condition"] == "CreateOidcProvider"
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert template["Conditions"]["CreateOidcProvider"] == {
        "!Equals": [{"!Ref": "GitHubOidcProviderArn"}, ""]
    }
    assert principal["Federated"] == {
        "!If": [
            "CreateOidcProvider",
            {"!Ref": "GitHubOidcProvider"},
            {"!Ref": "GitHubOidcProviderArn"},
        ]
    }
    assert template["Outputs"]["DeployRoleArn"]["Value"] == {"!GetAtt": "DeployRole.Arn"}


def test_sam_cli_needs_no_bucket(baked) -> None:
    """Why the role has no S3 permission: SAM CLI uploads to S3 only code that is not an image,
    or a template larger than 51,200 bytes (samcli/commands/deploy/deploy_context.py)."""
    project, *_ = baked
    functions = [
        resource["Properties"]
        for resource in load_sam_template(project)["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]
    assert all(function["PackageType"] == "Image" for function in functions)
    assert not any({"CodeUri", "InlineCode"} & function.keys() for function in functions)
    # sam deploy sends template.yaml with each function's ImageUri added.
    assert len((project / "template.yaml").read_bytes()) + 200 * len(functions) < 51_200


# --- The boundary (issue #17, 1): the deploy role makes no role that can do more than the app.

ROLE_CHANGES = [
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
]


@pytest.mark.parametrize("environment", ["production", "longest"])
def test_every_role_of_the_stack_has_the_boundary(baked, environment: str) -> None:
    project, template, _, region = baked
    environment = named_environment(project, environment)
    stack = stack_name(project, environment)
    arns, refs = deployed(template, stack, region)
    boundary = role_parameters(project, region, environment)["Boundary"]

    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == len(arns["role"]) >= 6  # 4 functions', CodeDeploy's, the scheduler's
    for role in roles:
        assert resolve(role["Properties"].get("PermissionsBoundary"), refs) == boundary
    assert arns["policy"] == [boundary]


def test_roles_are_created_and_changed_only_with_the_boundary(baked) -> None:
    project, template, policy, region = baked
    arns = stack_arns(template, stack_name(project, "production"), region)
    boundary = role_parameters(project, region, "production")["Boundary"]
    other = role_parameters(project, region, "staging")["Boundary"]
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    managed = sorted(attached(template))[0]

    for role in arns["role"]:
        for action in ROLE_CHANGES:
            keys = {"iam:PassedToService": "lambda.amazonaws.com", "iam:PolicyARN": managed}
            assert allows(policy, action, role, keys | {"iam:PermissionsBoundary": boundary})
            for wrong in (None, other, admin):
                context = keys if wrong is None else keys | {"iam:PermissionsBoundary": wrong}
                assert not allows(policy, action, role, context), (action, wrong)
        assert not allows(policy, "iam:DeleteRolePermissionsBoundary", role)


def test_the_issues_escalation_is_refused(baked) -> None:
    """#17: create a role named <project>-x, give it Action * on *, pass it to a new function,
    invoke it. Every step but the last is refused, whatever the request carries; a role the
    deploy role may make can do no more than the boundary."""
    project, template, policy, region = baked
    project_name = project.name.replace("_", "-")
    boundary = role_parameters(project, region, "production")["Boundary"]
    for role in (f"{project_name}-x", f"{project_name}-production-x", "x"):
        arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
        for action in [*ROLE_CHANGES, "iam:PassRole", "iam:UpdateAssumeRolePolicy"]:
            assert not allows(policy, action, arn), (action, arn)
    function = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{project_name}-x"
    assert not allows(policy, "lambda:CreateFunction", function)

    # Inside its path, with the boundary, the role is capped: no IAM, nothing of anything else.
    capped = boundary_policy(project, region)
    for action in [
        "iam:PutRolePolicy",
        "iam:CreateRole",
        "sts:AssumeRole",
        "lambda:CreateFunction",
        "s3:PutBucketPolicy",
        "cloudformation:ExecuteChangeSet",
        "ssm:GetParameter",
    ]:
        assert not allows(capped, action, "*"), action
    assert boundary.endswith(f":policy/{stack_name(project, 'production')}-boundary")


def test_the_boundary_is_out_of_reach(baked) -> None:
    """The deploy role cannot change the boundary, delete it or attach it elsewhere."""
    project, _, policy, region = baked
    boundary = role_parameters(project, region, "production")["Boundary"]
    on_policies = [
        a
        for a, spec in iam_actions()["iam"]["Actions"].items()
        if "policy" in spec.get("Resources", [])
    ]

    assert on_policies  # CreatePolicyVersion, DeletePolicy, SetDefaultPolicyVersion...
    for action in on_policies:
        assert not allows(policy, f"iam:{action}", boundary), action
    assert not allows(policy, "iam:AttachRolePolicy", "*", {"iam:PolicyARN": boundary})


def roles_use(template: dict, stack: str, region: str) -> list[tuple[str, str]]:
    """(action, ARN) for every use the stack's roles make of their permissions: their inline
    policies (a wildcard stands for one name) and what they use of the managed ones."""
    arns, refs = deployed(template, stack, region)
    used = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        properties = resource["Properties"]
        for policy in properties.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                for resource_arn in as_list(resolve(statement["Resource"], refs)):
                    for action in as_list(statement["Action"]):
                        used.append((action, resource_arn.replace("*", "x")))
        for managed in properties.get("ManagedPolicyArns", []):
            name = (managed if isinstance(managed, str) else managed["Fn::Sub"]).rsplit("/", 1)[1]
            for action, kind in MANAGED_POLICIES_USE[name]:
                used.extend((action, arn) for arn in arns[kind])
    return used


@pytest.mark.parametrize("environment", ["production", "longest"])
def test_the_boundary_allows_what_the_stacks_roles_use(baked, environment: str) -> None:
    project, template, _, region = baked
    environment = named_environment(project, environment)
    boundary = boundary_policy(project, region, environment)
    used = roles_use(template, stack_name(project, environment), region)

    assert [(action, arn) for action, arn in used if not allows(boundary, action, arn, {})] == []


def test_the_boundary_allows_nothing_else(baked) -> None:
    project, template, _, region = baked
    stack = stack_name(project, "production")
    used = {action.lower() for action, _ in roles_use(template, stack, region)}

    granted = {
        action for statement in boundary_policy(project, region) for action in statement["actions"]
    }
    assert granted - used == set()
    assert all(not statement["condition"] for statement in boundary_policy(project, region))


# --- Scope (issue #17, 2 and 3): one environment's deploy role and roles reach nothing of
# another environment or project, and the deploy role nothing of itself.


def reached(
    project: Path,
    environment: str,
    region: str,
    other: dict[str, list[str]],
    other_bucket_policy: list[dict],
    own_template: dict,
) -> list[str]:
    """What `environment`'s deploy role, or a role it can make, may do to `other`'s ARNs:
    every action either policy grants, on every ARN of a kind it applies to, whatever the
    request's condition keys (the bucket's own policy decides last)."""
    deploy = deploy_policy(project, region, environment)
    capped = boundary_policy(project, region, environment)
    own_roles = stack_arns(own_template, stack_name(project, environment), region)["role"]
    principals = [
        (deploy, deploy_role_session(project, environment)),
        *((capped, {"aws:PrincipalArn": role}) for role in own_roles),
    ]
    found = []
    for policy, principal in principals:
        for action in {action for statement in policy for action in statement["actions"]}:
            for kind in resources_of(action) or []:
                if kind in SHARED:
                    continue
                for arn in other.get(kind, []):
                    if not allows(policy, action, arn):
                        continue
                    if kind in ("bucket", "object") and denies(
                        other_bucket_policy, action, arn, principal
                    ):
                        continue
                    found.append(f"{principal['aws:PrincipalArn']}: {action} on {arn}")
    return found


@pytest.mark.parametrize(
    ("environment", "other"),
    [("prod", "prod-eu"), ("prod-eu", "prod"), ("a", "ab"), ("longest", "shorter")],
)
def test_no_environment_reaches_another(baked, environment: str, other: str) -> None:
    project, template, _, region = baked
    environment = named_environment(project, environment)
    other = longest_environment(project)[:-1] if other == "shorter" else other
    other_stack = stack_name(project, other)
    arns = stack_arns(template, other_stack, region)

    found = reached(
        project, environment, region, arns, bucket_policy(template, other_stack, region), template
    )
    assert found == []
    assert arns["role"] and arns["function"] and arns["bucket"]


@pytest.mark.parametrize(
    ("slug", "other_slug", "environment", "other"),
    [
        ("shop", "shop_api", "prod", "prod"),
        ("shop_api", "shop", "prod", "prod"),
        ("shop", "shop_api", "api", "prod"),
        ("github", "github_deploy", "deploy", "deploy"),
        (LONGEST_SLUG[:-1], LONGEST_SLUG, "production", "production"),
    ],
)
def test_no_project_reaches_another(
    slug: str, other_slug: str, environment: str, other: str
) -> None:
    region = "ap-southeast-2"
    project, template = baked_slug(slug)
    other_project, other_template = baked_slug(other_slug)
    other_stack = stack_name(other_project, other)
    arns = stack_arns(other_template, other_stack, region)
    policy = bucket_policy(other_template, other_stack, region)

    assert reached(project, environment, region, arns, policy, template) == []


@pytest.mark.parametrize("slug", [SHORTEST_SLUG, "github", "github_deploy", LONGEST_SLUG])
@pytest.mark.parametrize("environment", ["a", "deploy", "production", "longest"])
def test_the_role_cannot_change_itself(slug: str, environment: str) -> None:
    region = "ap-southeast-2"
    project, template = baked_slug(slug)
    environment = named_environment(project, environment)
    assert "RoleName" not in load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]
    role_stack = f"github-deploy-{stack_name(project, environment)}"
    itself = {
        "role": [deploy_role_arn(project, environment)],
        "stack": [f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{role_stack}/0f1e2d3c-aaaa"],
        "policy": stack_arns(template, stack_name(project, environment), region)["policy"],
        "oidc-provider": [
            f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
        ],
    }

    assert reached(project, environment, region, itself, [], template) == []


def test_the_bucket_admits_its_own_stack_and_people(baked) -> None:
    """The bucket's policy keeps other stacks' roles out, not its own, nor administrators."""
    project, template, _, region = baked
    stack = stack_name(project, "production")
    arns = stack_arns(template, stack, region)
    policy = bucket_policy(template, stack, region)
    admin = {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/Admin",
        "aws:SecureTransport": "true",
    }
    own = [
        *({"aws:PrincipalArn": role, "aws:SecureTransport": "true"} for role in arns["role"]),
        deploy_role_session(project, "production") | {"aws:SecureTransport": "true"},
        admin,
    ]
    for context in own:
        for arn in arns["bucket"] + arns["object"]:
            assert not denies(policy, "s3:GetObject", arn, context), context
    other = deploy_role_session(project, "staging") | {"aws:SecureTransport": "true"}
    assert denies(policy, "s3:PutBucketPolicy", arns["bucket"][0], other)
