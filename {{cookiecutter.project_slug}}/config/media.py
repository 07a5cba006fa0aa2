"""Uploads in S3: the Lambda settings' media storage, and presigned POSTs for large files.

Imported on the first use of default_storage (or of presigned_upload), not at start-up:
django-storages' S3 backend imports boto3.
"""

from typing import Any, TypedDict
from uuid import uuid4

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaStorage(S3Storage):
    """The bucket template.yaml creates; refuses to work without one rather than fall back to
    the local filesystem, which Lambda empties with every new execution environment."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        if not self.bucket_name:
            raise ImproperlyConfigured(
                "Uploads are not set up: DJANGO_MEDIA_BUCKET is not set. template.yaml sets it "
                "to the stack's MediaBucket; elsewhere give a bucket name, e.g. my-app-media."
            )


class PresignedPost(TypedDict):
    url: str
    fields: dict[str, str]


def presigned_upload(prefix: str, max_bytes: int, expires_in: int = 600) -> PresignedPost:
    """A form a browser can POST one file of at most `max_bytes` with, straight to the bucket.

    Lambda refuses request bodies over 6 MB, so large files skip the function: the browser
    sends the returned `fields` plus a `file` field to `url`. S3 accepts only a key under
    `prefix`/<random>/ and a size within the range; the signature expires after `expires_in`
    seconds. The file's key is `fields["key"]` with `${filename}` replaced by the file's name:
    store that in a FileField once the upload succeeded.
    """
    if not prefix.strip("/"):
        raise ValueError("presigned_upload needs a key prefix, e.g. 'uploads/videos'.")
    folder = f"{default_storage.location}/{prefix.strip('/')}/{uuid4().hex}"
    key_prefix = clean_name(folder).lstrip("/")
    return default_storage.bucket.meta.client.generate_presigned_post(
        Bucket=default_storage.bucket_name,
        Key=key_prefix + "/${filename}",
        Conditions=[
            ["starts-with", "$key", key_prefix + "/"],
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=expires_in,
    )
