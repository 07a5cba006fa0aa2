"""WhiteNoise's middleware, indexing the static files when the first one is asked for.

WhiteNoise builds its index of STATIC_ROOT (a stat, the compressed variants and the response
headers of every file, admin included) when Django loads the middleware: about 20 ms of every
cold start, although the first request of a Lambda execution environment is nearly always a
page. This subclass records the directories WhiteNoise asks to index and indexes them, through
WhiteNoise's own `add_files`, on the first request under one of their URL prefixes.
tests/test_static_files.py fails if a WhiteNoise upgrade indexes some other way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.string_utils import ensure_leading_trailing_slash


class LazyWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase], **kwargs: Any):
        self.deferred: list[tuple[str, str | None]] = []
        self.indexed = False
        self.index_lock = threading.Lock()
        super().__init__(get_response, **kwargs)

    def add_files(self, root: str, prefix: str | None = None) -> None:
        self.deferred.append((root, prefix))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.indexed and request.path_info.startswith(self.deferred_prefixes()):
            with self.index_lock:  # a threaded server may send two first requests at once
                if not self.indexed:
                    for root, prefix in self.deferred:
                        super().add_files(root, prefix)
                    self.indexed = True
        return super().__call__(request)

    def deferred_prefixes(self) -> tuple[str, ...]:
        return tuple(ensure_leading_trailing_slash(prefix) for _, prefix in self.deferred)
