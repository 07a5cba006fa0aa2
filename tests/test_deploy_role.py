"""deploy-role.yaml: who may assume the deploy role, and whether it may deploy the app's stack.

What CloudFormation needs comes from the resource provider schemas that ship with cfn-lint
(each handler's `permissions`), for every resource type of template.yaml after SAM's transform;
which resources an action applies to comes from cfn-lint's IAM data. The names come from the
rule CloudFormation follows when it names a resource itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

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
# cap, the alarm email's subscription), and the role must allow them all.
SETTINGS = {
    "DjangoSecretKey": "s" * 50,
    "DatabaseUrl": "postgres://app:pw@db.example.com/app",
    "SubnetIds": "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
    "SecurityGroupIds": "sg-0123456789abcdef0",
    "WebReservedConcurrency": "20",
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

# The longest names the pre-generation hook and template.yaml accept.
spec = importlib.util.spec_from_file_location("pre_gen", TEMPLATE_DIR / "hooks/pre_gen_project.py")
assert spec and spec.loader
pre_gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pre_gen)
SHORTEST_SLUG = "a"
LONGEST_SLUG = "a_very_long_project_slug_that_is_forty_c"
LONGEST_ENVIRONMENT = "environment-name-20c"


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


def stack_arns(template: dict, stack: str, region: str) -> dict[str, list[str]]:
    """The ARNs of what an environment's stack holds, by the kinds IAM knows them as."""
    prefix = f"arn:aws:{{}}:{region}:{ACCOUNT}"
    resources = template["Resources"]
    by_type: dict[str, list[str]] = {}
    for logical_id, resource in resources.items():
        by_type.setdefault(resource["Type"], []).append(logical_id)
    functions = [generated_name(stack, f, 64) for f in by_type["AWS::Lambda::Function"]]
    lambda_arn = prefix.format("lambda") + ":function:"
    codedeploy_arn = prefix.format("codedeploy")
    (application,) = [
        generated_name(stack, logical_id, 100)
        for logical_id in by_type["AWS::CodeDeploy::Application"]
    ]

    def named(resource_type: str, arn: str, limit: int) -> list[str]:
        return [
            arn + generated_name(stack, logical_id, limit) for logical_id in by_type[resource_type]
        ]

    return {
        "*": ["*"],
        "stack": [f"{prefix.format('cloudformation')}:stack/{stack}/0f1e2d3c-aaaa-bbbb-cccc"],
        "transform": [
            f"{prefix.format('cloudformation').replace(ACCOUNT, 'aws')}"
            ":transform/Serverless-2016-10-31"
        ],
        "repository": [f"{prefix.format('ecr')}:repository/{stack}"],
        "function": [lambda_arn + name for name in functions],
        "function alias": [lambda_arn + name + ":live" for name in functions],
        "function version": [lambda_arn + name + ":7" for name in functions],
        "role": [
            f"arn:aws:iam::{ACCOUNT}:role/{generated_name(stack, logical_id, 64)}"
            for logical_id in by_type["AWS::IAM::Role"]
        ],
        "log-group": [
            f"{prefix.format('logs')}:log-group:{generated_name(stack, logical_id, 512)}"
            for logical_id in by_type["AWS::Logs::LogGroup"]
        ],
        "application": [f"{codedeploy_arn}:application:{application}"],
        "deploymentgroup": [
            f"{codedeploy_arn}:deploymentgroup:{application}/{generated_name(stack, group, 100)}"
            for group in by_type["AWS::CodeDeploy::DeploymentGroup"]
        ],
        # Bucket names are lowercase, the stack's and the logical id's.
        "bucket": [
            f"arn:aws:s3:::{generated_name(stack.lower(), logical_id.lower(), 63)}"
            for logical_id in by_type["AWS::S3::Bucket"]
        ],
        "schedule": named(
            "AWS::Scheduler::Schedule", f"{prefix.format('scheduler')}:schedule/default/", 64
        ),
        "alarm": named("AWS::CloudWatch::Alarm", f"{prefix.format('cloudwatch')}:alarm:", 255),
        "topic": named("AWS::SNS::Topic", f"{prefix.format('sns')}:", 256),
        "deploymentconfig": [
            f"{codedeploy_arn}:deploymentconfig:CodeDeployDefault.Lambda"
            + template["Resources"]["WebFunctionDeploymentGroup"]["Properties"][
                "DeploymentConfigName"
            ]["Fn::Sub"][1]["ConfigName"]
        ],
    }


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def load_deploy_role(project: Path) -> dict:
    return yaml.load((project / "deploy-role.yaml").read_text(), Loader=CloudFormationLoader)


NO_VALUE = object()


def evaluate(value: object, parameters: dict[str, str], conditions: dict | None = None) -> object:
    """The intrinsic functions deploy-role.yaml uses, given the stack's parameters."""
    if isinstance(value, list):
        items = [evaluate(item, parameters, conditions) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict) or len(value) != 1 or not next(iter(value)).startswith("!"):
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


def deploy_policy(project: Path, region: str) -> list[dict]:
    """The deploy role's policy statements, as IAM sees them in `region`."""
    role = load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]
    (policy,) = role["Policies"]
    pseudo = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": ACCOUNT}

    return [
        {
            "actions": [action.lower() for action in as_list(statement["Action"])],
            "resources": [evaluate(arn, pseudo) for arn in as_list(statement["Resource"])],
            "condition": statement.get("Condition"),
        }
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]


def allows(policy: list[dict], action: str, arn: str) -> bool:
    return any(
        any(fnmatchcase(action.lower(), pattern) for pattern in statement["actions"])
        and any(fnmatchcase(arn, pattern) for pattern in statement["resources"])
        for statement in policy
    )


@pytest.fixture(scope="module", params=[SHORTEST_SLUG, LONGEST_SLUG])
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(project, its translated template, the deploy policy, the region) for one slug."""
    region = "ap-southeast-2"
    project = bake(tmp_path_factory.mktemp("role"), project_slug=request.param, aws_region=region)
    template = translate_sam_template(project, SETTINGS, region=region)
    return project, template, deploy_policy(project, region), region


def stack_name(project: Path, environment: str) -> str:
    return f"{project.name.replace('_', '-')}-{environment}"


def test_the_extreme_names_are_the_accepted_ones(baked) -> None:
    project, *_ = baked
    assert len(LONGEST_SLUG) == pre_gen.MAX_SLUG_LENGTH
    assert pre_gen.check_slug(LONGEST_SLUG) is None
    assert pre_gen.check_slug(LONGEST_SLUG + "x") is not None
    assert pre_gen.check_slug(SHORTEST_SLUG) is None
    environment = load_sam_template(project)["Parameters"]["EnvironmentName"]["AllowedPattern"]
    assert re.fullmatch(environment, LONGEST_ENVIRONMENT)
    assert not re.fullmatch(environment, LONGEST_ENVIRONMENT + "x")


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
    "AWS::Scheduler::Schedule": {"Name", "GroupName"},
    "AWS::CloudWatch::Alarm": {"AlarmName"},
    "AWS::SNS::Topic": {"TopicName"},
}


def test_cloudformation_names_the_resources(baked) -> None:
    _, template, *_ = baked
    for logical_id, resource in template["Resources"].items():
        assert not NAME_PROPERTIES.get(resource["Type"], set()) & resource["Properties"].keys(), (
            logical_id
        )


def test_the_optional_features_are_covered(baked) -> None:
    """Their resources and properties are in the template the policy is checked against."""
    _, template, *_ = baked
    resources = template["Resources"]
    assert {"VpcConfig", "ReservedConcurrentExecutions"} <= resources["WebFunction"][
        "Properties"
    ].keys()
    assert "VpcConfig" in resources["ManageFunction"]["Properties"]
    assert resources["AlarmEmailSubscription"]["Type"] == "AWS::SNS::Subscription"


def missing(policy: list[dict], arns: dict[str, list[str]], wanted) -> list[str]:
    """`wanted` (action, resource kind) pairs the policy does not allow, with the ARN."""
    refused = []
    for action, kind in wanted:
        if kind not in arns:
            refused.append(f"{action} on {kind!r}: no ARN of that kind in the stack")
        for arn in arns.get(kind, []):
            if not allows(policy, action, arn):
                refused.append(f"{action} on {arn}")
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


@pytest.mark.parametrize("environment", ["a", "production", LONGEST_ENVIRONMENT])
def test_cloudformation_may_create_update_and_delete_the_stack(baked, environment: str) -> None:
    project, template, policy, region = baked
    arns = stack_arns(template, stack_name(project, environment), region)

    assert missing(policy, arns, cloudformation_wants(template, region, arns)) == []


@pytest.mark.parametrize("environment", ["a", LONGEST_ENVIRONMENT])
def test_sam_cli_and_the_scripts_may_do_their_part(baked, environment: str) -> None:
    project, template, policy, region = baked
    arns = stack_arns(template, stack_name(project, environment), region)

    assert missing(policy, arns, CLIENT_ACTIONS) == []


def test_the_role_may_do_nothing_else(baked) -> None:
    project, template, policy, region = baked
    arns = stack_arns(template, stack_name(project, "production"), region)
    wanted = {action.lower() for action, _ in cloudformation_wants(template, region, arns)}
    wanted |= {action.lower() for action, _ in CLIENT_ACTIONS}

    granted = {action for statement in policy for action in statement["actions"]}
    assert granted - wanted == set()


def test_roles_are_passed_only_to_the_services_the_stacks_roles_trust(baked) -> None:
    _, template, policy, _ = baked
    trusted = {
        service
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Role"
        for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for service in as_list(statement["Principal"]["Service"])
    }
    (statement,) = [s for s in policy if "iam:passrole" in s["actions"]]
    assert set(statement["condition"]["StringEquals"]["iam:PassedToService"]) == trusted


def test_the_policy_fits_in_a_role(baked) -> None:
    """IAM refuses a role whose inline policies exceed 10,240 characters, whitespace aside."""
    project, _, _, region = baked
    role = load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]
    (policy,) = role["Policies"]
    pseudo = {"AWS::Partition": "aws-us-gov", "AWS::Region": region, "AWS::AccountId": ACCOUNT}

    def resolved(value: object) -> object:
        if isinstance(value, dict) and "!Sub" in value:
            return evaluate(value, pseudo)
        if isinstance(value, dict):
            return {key: resolved(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolved(item) for item in value]
        return value

    document = json.dumps(resolved(policy["PolicyDocument"]), separators=(",", ":"))
    assert len(document) <= 10_240


def test_only_the_stacks_managed_policies_can_be_attached(baked) -> None:
    _, template, policy, region = baked
    attached = {
        arn["Fn::Sub"].replace("${AWS::Partition}", "aws") if isinstance(arn, dict) else arn
        for resource in template["Resources"].values()
        for arn in resource["Properties"].get("ManagedPolicyArns", [])
    }
    (statement,) = [s for s in policy if "iam:attachrolepolicy" in s["actions"]]
    allowed = statement["condition"]["ArnEquals"]["iam:PolicyARN"]
    assert attached == {arn["!Sub"].replace("${AWS::Partition}", "aws") for arn in allowed}


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


def test_the_role_cannot_change_itself(baked) -> None:
    project, template, policy, region = baked
    role_stack = f"github-deploy-{stack_name(project, LONGEST_ENVIRONMENT)}"
    role = generated_name(role_stack, "DeployRole", 64)
    stack = f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{role_stack}/0f1e2d3c-aaaa-bbbb"
    assert "RoleName" not in load_deploy_role(project)["Resources"]["DeployRole"]["Properties"]

    assert not allows(policy, "iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/{role}")
    assert not allows(policy, "cloudformation:ExecuteChangeSet", stack)
