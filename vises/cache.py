"""Redis as a cache and never a dependency: when Redis fails, a read is a miss and a write is
dropped, with a logged warning, so that no page and no save fails because Redis is down.

Nothing the application needs to be right lives only in the cache (the report version is in
the database, reports/cache.py): a miss costs a computation, never a wrong answer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a failure, Redis is left alone for this many seconds: a page that reads the cache five
# times does not wait five times for a server that does not answer.
RETRY_AFTER_SECONDS = 5.0

# Errors of a Redis that is down, unreachable, restarting, full or refusing the command.
CACHE_ERRORS = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose calls degrade to a miss when Redis fails (a logged warning)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0

    def _guarded(self, operation: str, fallback: Any, call) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call()
        except CACHE_ERRORS as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning(
                "Redis cache unavailable (%s on %s: %s); working without it for %.0f s.",
                type(error).__name__, operation, error, RETRY_AFTER_SECONDS)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("add", False,
                             lambda: super(ResilientRedisCache, self).add(
                                 key, value, timeout, version))

    def get(self, key, default=None, version=None):
        return self._guarded("get", default,
                             lambda: super(ResilientRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded("set", None,
                      lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("touch", False,
                             lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._guarded("delete", False,
                             lambda: super(ResilientRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._guarded("get_many", {},
                             lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return self._guarded("has_key", False,
                             lambda: super(ResilientRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        # A key the cache cannot reach is a missing key: the caller's ValueError path.
        missing = object()
        value = self._guarded("incr", missing,
                              lambda: super(ResilientRedisCache, self).incr(key, delta, version))
        if value is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded("set_many", list(data),
                             lambda: super(ResilientRedisCache, self).set_many(
                                 data, timeout, version))

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self._guarded("delete_many", None,
                      lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._guarded("clear", False, lambda: super(ResilientRedisCache, self).clear())
