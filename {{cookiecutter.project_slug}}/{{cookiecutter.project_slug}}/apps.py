from django.apps import AppConfig
from django.contrib import admin


class {{ cookiecutter.project_slug|replace('_', ' ')|title|replace(' ', '') }}Config(AppConfig):
    name = "{{ cookiecutter.project_slug }}"
    verbose_name = {{ cookiecutter.project_name|python_string }}
    description = {{ cookiecutter.description|python_string }}

    def ready(self) -> None:
        admin.site.site_header = admin.site.site_title = self.verbose_name
