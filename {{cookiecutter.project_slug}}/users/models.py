from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The site's user: Django's, under a name this project owns.

    Swapping the user model after the first migration means rewriting migrations by hand, so
    the project starts with its own. Add fields here as the site needs them, with a migration.
    """
