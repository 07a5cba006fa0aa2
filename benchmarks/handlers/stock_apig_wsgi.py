"""The reference: `django-admin startproject` settings, apig-wsgi's handler, nothing else."""

from apig_wsgi import make_lambda_handler
from django.core.wsgi import get_wsgi_application

handler = make_lambda_handler(get_wsgi_application())
