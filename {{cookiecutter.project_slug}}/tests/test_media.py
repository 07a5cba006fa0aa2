"""Uploads under the Lambda settings, in moto's S3 (real boto3 and django-storages; moto also
answers the `requests` calls a browser would make to the signed links)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import models
from moto import mock_aws

from config.media import presigned_upload
from tests.environment import LAMBDA_ENVIRONMENT
from tests.events import REGION

BUCKET = LAMBDA_ENVIRONMENT["DJANGO_MEDIA_BUCKET"]


@pytest.fixture
def bucket(lambda_settings) -> Iterator[None]:
    with mock_aws():
        # Outside us-east-1, S3 wants the bucket's region named.
        where = {} if REGION == "us-east-1" else {"LocationConstraint": REGION}
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, **({"CreateBucketConfiguration": where} if where else {})
        )
        yield


def stored(name: str) -> bytes:
    return boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=name)["Body"].read()


def upload(content: bytes, filename: str) -> models.fields.files.FieldFile:
    """What a model's FileField(upload_to="documents/") does with an uploaded file."""
    field = models.FileField(upload_to="documents/")
    field.set_attributes_from_name("document")
    instance = SimpleNamespace(document=None)
    field_file = field.attr_class(instance, field, None)
    field_file.save(filename, ContentFile(content), save=False)
    return field.attr_class(instance, field, instance.document)


def test_a_file_field_round_trip_goes_through_the_bucket(bucket) -> None:
    first = upload(b"first report", "report.txt")
    second = upload(b"second report", "report.txt")

    assert first.name == "documents/report.txt"
    assert second.name != first.name, "an upload never replaces another"
    assert stored(first.name) == b"first report"
    with second.open("rb") as opened:
        assert opened.read() == b"second report"


def test_links_are_signed_and_expire(bucket) -> None:
    name = default_storage.save("documents/private.pdf", ContentFile(b"%PDF"))

    url = urlsplit(default_storage.url(name))
    query = parse_qs(url.query)

    assert url.scheme == "https"
    assert url.hostname == f"{BUCKET}.s3.amazonaws.com"
    assert url.path == "/documents/private.pdf"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Signature"][0]


def test_a_presigned_post_limits_the_key_and_the_size(bucket) -> None:
    post = presigned_upload("uploads/videos", max_bytes=100 * 1024 * 1024)

    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    key = post["fields"]["key"]
    prefix = key.removesuffix("${filename}")
    assert post["url"] == f"https://{BUCKET}.s3.amazonaws.com/"
    assert prefix.startswith("uploads/videos/") and len(prefix) > len("uploads/videos/")
    assert ["starts-with", "$key", prefix] in policy["conditions"]
    assert ["content-length-range", 1, 100 * 1024 * 1024] in policy["conditions"]
    assert {"bucket": BUCKET} in policy["conditions"]
    assert presigned_upload("uploads/videos", max_bytes=1)["fields"]["key"] != key


@pytest.mark.parametrize("filename", ["page.html", "drawing.svg"])
def test_uploads_download_rather_than_display(bucket, filename: str) -> None:
    """Shown inline, an uploaded HTML or SVG file would run its scripts as a page."""
    name = default_storage.save(f"documents/{filename}", ContentFile(b"<script>alert(1)</script>"))

    response = requests.get(default_storage.url(name))

    assert response.content == b"<script>alert(1)</script>"
    assert response.headers["Content-Disposition"] == "attachment"


def test_a_presigned_post_upload_downloads_rather_than_displays(bucket) -> None:
    post = presigned_upload("uploads", max_bytes=1024)

    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    attachment = {"Content-Disposition": "attachment"}
    assert attachment.items() <= post["fields"].items()
    assert attachment in policy["conditions"], "S3 would take a form without the field"
    file = ("page.html", b"<script>alert(1)</script>", "text/html")
    assert requests.post(post["url"], data=post["fields"], files={"file": file}).status_code == 204
    key = post["fields"]["key"].replace("${filename}", "page.html")
    assert requests.get(default_storage.url(key)).headers["Content-Disposition"] == "attachment"


def test_a_presigned_post_needs_a_prefix(bucket) -> None:
    with pytest.raises(ValueError, match="needs a key prefix"):
        presigned_upload("/", max_bytes=1)


def test_no_bucket_is_an_error_not_the_local_filesystem(lambda_settings) -> None:
    lambda_settings.STORAGES = {
        **lambda_settings.STORAGES,
        "default": {
            **lambda_settings.STORAGES["default"],
            "OPTIONS": {**lambda_settings.STORAGES["default"]["OPTIONS"], "bucket_name": ""},
        },
    }

    with pytest.raises(ImproperlyConfigured, match="DJANGO_MEDIA_BUCKET is not set"):
        storages["default"]
