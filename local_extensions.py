"""Jinja filters that quote a user's answer for the file it lands in.

cookiecutter loads them through `_extensions` in cookiecutter.json. The pre-generation hook
has already refused line breaks and control characters, so quoting is all that is left:
quotes, backslashes and `{{ }}` in an answer stay data. Unlike Jinja's `tojson`, both keep
non-ASCII characters, `&`, `<` and `>` as typed, so generated files look hand-written.
"""

from __future__ import annotations

import json

from cookiecutter.utils import simple_filter


@simple_filter
def json_string(value: object) -> str:
    """A double-quoted string, valid as it stands in JSON, TOML and YAML."""
    return json.dumps(str(value), ensure_ascii=False)


@simple_filter
def python_string(value: object) -> str:
    """A Python string literal quoted the way `ruff format` quotes it."""
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"
