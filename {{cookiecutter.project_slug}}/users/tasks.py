from django.core.mail import send_mail
from django.tasks import task

from .models import User


@task
def send_welcome_email(user_id: int, login_url: str) -> None:
    """Mails a new user where to log in. Enqueued by the admin's add form (users/admin.py)."""
    user = User.objects.get(pk=user_id)
    send_mail(
        "Your account is ready",
        f"Hello {user.get_username()},\n\nlog in at {login_url}\n",
        None,
        [user.email],
    )
