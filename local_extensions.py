"""Jinja filters for this template (cookiecutter loads them through `_extensions`)."""

from __future__ import annotations

import json

from cookiecutter.utils import simple_filter


@simple_filter
def literal(value: object) -> str:
    """Quote a user's answer as a double-quoted string literal.

    The result is valid as it stands in Python, TOML, YAML and JSON, so quotes, backslashes,
    newlines and `{{ }}` in an answer stay data. Unlike Jinja's `tojson` it keeps non-ASCII
    characters and `&`, `<`, `>` readable, so generated files look hand-written.
    """
    return json.dumps(str(value), ensure_ascii=False)
