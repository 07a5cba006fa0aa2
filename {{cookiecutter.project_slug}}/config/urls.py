from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Log in, log out and password reset by email, with the admin's templates.
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("{{ cookiecutter.project_slug }}.urls")),
    # Uploads from MEDIA_ROOT, with DEBUG on only (runserver); on Lambda they live in S3.
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
