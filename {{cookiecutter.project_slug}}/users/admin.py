from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse

from .models import User
from .tasks import send_welcome_email


@admin.register(User)
class SiteUserAdmin(UserAdmin):
    add_fieldsets = (
        (None, {"fields": ("username", "email", "usable_password", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change and obj.email:
            # Runs once the new user is committed: on Lambda in the tasks function, not here.
            send_welcome_email.enqueue(obj.pk, request.build_absolute_uri(reverse("login")))
