"""What the image holds: Lambda fetches an image's files lazily, so none it never reads."""

from __future__ import annotations

from tests.lambda_image import LambdaImage


def test_no_gettext_sources_or_test_suites_in_the_virtualenv(lambda_image: LambdaImage) -> None:
    (site_packages,) = (lambda_image.project / ".venv" / "lib").glob("python*/site-packages")

    assert not list(site_packages.rglob("*.po"))
    assert not [path for path in site_packages.rglob("tests") if path.is_dir()]
    # What Django does read stays: the compiled translations.
    assert (
        site_packages / "django" / "conf" / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    ).is_file()
