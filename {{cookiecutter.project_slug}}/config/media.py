"""Uploads in S3: the Lambda settings' storage, presigned POSTs. Imported on first use (boto3)."""

from typing import Any
from uuid import uuid4

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaStorage(S3Storage):
    """template.yaml's bucket; without one, an error, never Lambda's short-lived local disk."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        if not self.bucket_name:
            raise ImproperlyConfigured(
                "Uploads are not set up: DJANGO_MEDIA_BUCKET is not set. template.yaml sets it "
                "to the stack's MediaBucket; elsewhere give a bucket name, e.g. my-app-media."
            )


def presigned_upload(prefix: str, max_bytes: int, expires_in: int = 600) -> dict[str, Any]:
    """A form a browser can POST one file of at most `max_bytes` with, straight to the bucket.

    Lambda refuses request bodies over 6 MB, so large files skip the function: the browser
    sends the returned `fields`, then a `file` field, to the returned `url`. S3 takes only a key
    under `prefix`/<random>/, a size in range and `Content-Disposition: attachment` (a download,
    never a page), for `expires_in` seconds. The file's key is `fields["key"]` with
    `${filename}` replaced by its name: store that in a FileField once the upload succeeded.
    """
    if not prefix.strip("/"):
        raise ValueError("presigned_upload needs a key prefix, e.g. 'uploads/videos'.")
    folder = f"{default_storage.location}/{prefix.strip('/')}/{uuid4().hex}"
    key_prefix = clean_name(folder).lstrip("/")
    return default_storage.bucket.meta.client.generate_presigned_post(
        Bucket=default_storage.bucket_name,
        Key=key_prefix + "/${filename}",
        Fields={"Content-Disposition": "attachment"},
        Conditions=[
            ["starts-with", "$key", key_prefix + "/"],
            ["content-length-range", 1, max_bytes],
            {"Content-Disposition": "attachment"},
        ],
        ExpiresIn=expires_in,
    )
