"""Uploads and email in template.yaml, through SAM's transform: a private bucket that outlives
the stack, and functions that may touch only its objects and send only as DjangoDefaultFromEmail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import bake, load_sam_template, translate_sam_template

PARAMETERS = {
    "DjangoSecretKey": "s" * 50,
    "DatabaseUrl": "postgres://app:password@db.example.com:5432/app",
    "DjangoDefaultFromEmail": "noreply@example.com",
}
FUNCTIONS = ["WebFunction", "ManageFunction"]
BUCKET_ARN = {"Fn::GetAtt": ["MediaBucket", "Arn"]}
OBJECTS_ARN = {"Fn::Sub": "${MediaBucket.Arn}/*"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("app-resources"))


@pytest.fixture(scope="module")
def resources(project: Path) -> dict:
    return translate_sam_template(project, PARAMETERS)["Resources"]


def statements(resources: dict, function: str) -> list[dict]:
    role = resources[f"{function}Role"]["Properties"]
    return [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_the_bucket_is_private_encrypted_and_kept(resources: dict) -> None:
    bucket = resources["MediaBucket"]
    properties = bucket["Properties"]

    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_the_bucket_refuses_plain_http(resources: dict) -> None:
    policy = resources["MediaBucketPolicy"]["Properties"]
    # (Its other statements keep other stacks' roles out: tests/test_deploy_role.py.)
    (statement,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "TLSOnly"]

    assert policy["Bucket"] == {"Ref": "MediaBucket"}
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Resource"] == [BUCKET_ARN, OBJECTS_ARN]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_get_the_bucket_from_their_environment(resources: dict, function: str) -> None:
    variables = resources[function]["Properties"]["Environment"]["Variables"]

    assert variables["DJANGO_MEDIA_BUCKET"] == {"Ref": "MediaBucket"}
    assert variables["DJANGO_DEFAULT_FROM_EMAIL"] == {"Ref": "DjangoDefaultFromEmail"}
    assert variables["DJANGO_ADMINS"] == {"Ref": "DjangoAdmins"}
    assert not any("AWS_ACCESS_KEY" in name or "AWS_SECRET" in name for name in variables)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_touch_only_the_buckets_objects(resources: dict, function: str) -> None:
    s3 = [s for s in statements(resources, function) if "s3:" in str(s["Action"])]

    assert s3 == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": OBJECTS_ARN,
        },
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET_ARN},
    ]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_functions_send_only_as_the_configured_sender(resources: dict, function: str) -> None:
    ses = [s for s in statements(resources, function) if "ses:" in str(s["Action"])]

    assert ses == [
        {
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"
            },
            "Condition": {"StringEquals": {"ses:FromAddress": {"Ref": "DjangoDefaultFromEmail"}}},
        }
    ]


@pytest.mark.parametrize(
    ("parameter", "value", "allowed"),
    [
        ("DjangoDefaultFromEmail", "", True),
        ("DjangoDefaultFromEmail", "noreply@example.com", True),
        ("DjangoDefaultFromEmail", "Site <noreply@example.com>", False),
        ("DjangoDefaultFromEmail", "a@example.com,b@example.com", False),
        ("DjangoDefaultFromEmail", "noreply", False),
        ("DjangoAdmins", "", True),
        ("DjangoAdmins", "ops@example.com", True),
        ("DjangoAdmins", "Ops Team <ops@example.com>, dev@example.com", True),
        ("DjangoAdmins", "ops@example.com dev@example.com", False),
        ("DjangoAdmins", "Ops Team", False),
        ("DjangoAllowedHosts", "", True),
        ("DjangoAllowedHosts", "www.example.com, .example.org", True),
        ("DjangoAllowedHosts", "https://www.example.com", False),
        ("DjangoAllowedHosts", "www.example.com:443", False),
        ("DjangoAllowedHosts", "*", False),
        ("DjangoSecretKey", "s" * 50, True),
        ("DjangoSecretKey", "$" + "s" * 49, False),
    ],
)
def test_addresses_and_hosts_are_refused_before_deploying(
    project: Path, parameter: str, value: str, allowed: bool
) -> None:
    """CloudFormation matches AllowedPattern against the whole value, before changing anything."""
    declared = load_sam_template(project)["Parameters"][parameter]

    assert bool(re.fullmatch(declared["AllowedPattern"], value)) is allowed
