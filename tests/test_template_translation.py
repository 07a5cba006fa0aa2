"""template.yaml through SAM's transform, as CloudFormation runs it on each deploy."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.helpers import bake, translate_sam_template

SETTINGS = {
    "DjangoSecretKey": "s" * 50,
    "DatabaseUrl": "postgres://app:password@db.example.com:5432/app",
    "DjangoAllowedHosts": "",
    "DjangoLogLevel": "INFO",
    "ResetDatabase": "",
}
CHANGED = {
    "DjangoSecretKey": "t" * 50,
    "DatabaseUrl": "postgres://app:rotated@db.example.com:5432/app",
    "DjangoAllowedHosts": "www.example.com",
    "DjangoLogLevel": "DEBUG",
    "ResetDatabase": "app",
    "WebSnapStart": "PublishedVersions",  # SnapStart snapshots only versions published after
}
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-django-app-production:webfunction-1"
# The functions whose "live" alias serves the new settings.
PUBLISHED = ["WebFunction", "ManageFunction"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bake(tmp_path_factory.mktemp("translation"))


def settings_hash(settings: dict[str, str], image: str) -> str:
    """What bin/deploy passes as VersionHash: a digest of the image and every setting."""
    return hashlib.sha256(json.dumps([image, settings], sort_keys=True).encode()).hexdigest()


def deploy(project: Path, settings: dict[str, str], image: str = IMAGE) -> dict:
    parameters = settings | {"VersionHash": settings_hash(settings, image)}
    return translate_sam_template(project, parameters, image_uri=image)


def versions(template: dict) -> dict[str, str]:
    """Each function's published version resource, by function."""
    resources = template["Resources"]
    return {
        resource["Properties"]["FunctionName"]["Ref"]: logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Version"
    }


def test_a_deploy_that_changes_nothing_publishes_nothing(project: Path) -> None:
    assert deploy(project, SETTINGS) == deploy(project, SETTINGS)


@pytest.mark.parametrize("setting", sorted(CHANGED))
def test_a_changed_setting_publishes_new_versions(project: Path, setting: str) -> None:
    before = deploy(project, SETTINGS)
    after = deploy(project, SETTINGS | {setting: CHANGED[setting]})

    for function in PUBLISHED:
        assert versions(after)[function] != versions(before)[function], function
        # The alias moves to the new version, through the PreTraffic hook for the web function.
        alias = after["Resources"][f"{function}Aliaslive"]["Properties"]["FunctionVersion"]
        assert alias == {"Fn::GetAtt": [versions(after)[function], "Version"]}
        # Lambda publishes a version only if the function changed: the hash in its
        # description makes sure it did, even when no variable of this function changed.
        description = after["Resources"][function]["Properties"]["Description"]
        assert description.endswith(settings_hash(SETTINGS | {setting: CHANGED[setting]}, IMAGE))
    hook = after["Resources"]["WebFunctionAliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert hook["BeforeAllowTrafficHook"] == {"Ref": "PreTrafficHook"}


def test_the_hash_alone_names_the_version(project: Path) -> None:
    """Why bin/deploy must hash the image too: the transform ignores the image URI then."""
    parameters = SETTINGS | {"VersionHash": "0" * 64}
    one = translate_sam_template(project, parameters, image_uri=IMAGE)
    other = translate_sam_template(project, parameters, image_uri=IMAGE.replace("-1", "-2"))

    for function in PUBLISHED:
        assert versions(one)[function] == versions(other)[function]


def test_the_hook_gets_the_reset(project: Path) -> None:
    template = translate_sam_template(project, SETTINGS | {"ResetDatabase": "app"})
    hook = template["Resources"]["PreTrafficHook"]["Properties"]

    assert hook["Environment"]["Variables"]["RESET_DATABASE"] == {"Ref": "ResetDatabase"}
    assert hook["PackageType"] == "Image"
    assert hook["ImageConfig"] == {"Command": ["config.pre_traffic_hook.handler"]}
    assert hook["LoggingConfig"]["LogGroup"] == {"Ref": "PreTrafficHookLogGroup"}
    assert template["Resources"]["PreTrafficHookLogGroup"]["Properties"]["RetentionInDays"] == 30
    # CodeDeploy invokes the hook's $LATEST; no retry may run a reset twice.
    retries = template["Resources"]["PreTrafficHookInvokeConfig"]["Properties"]
    assert retries["FunctionName"] == {"Ref": "PreTrafficHook"}
    assert (retries["Qualifier"], retries["MaximumRetryAttempts"]) == ("$LATEST", 0)


def test_snapstart_is_the_web_functions_and_its_old_versions_go(project: Path) -> None:
    """A replaced version is deleted: SAM keeps them by default, and with SnapStart each one's
    snapshot is billed for as long as it exists."""
    template = deploy(project, SETTINGS | {"WebSnapStart": "PublishedVersions"})
    resources = template["Resources"]

    assert resources["WebFunction"]["Properties"]["SnapStart"] == {
        "ApplyOn": {"Ref": "WebSnapStart"}
    }
    assert resources[versions(template)["WebFunction"]]["DeletionPolicy"] == "Delete"
    assert "SnapStart" not in resources["ManageFunction"]["Properties"]
