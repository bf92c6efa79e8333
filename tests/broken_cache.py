"""A cache backend that is always down, as Redis is when its server stops answering."""

from django.core.cache.backends.base import BaseCache


class BrokenCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    add = get = set = touch = delete = get_many = set_many = delete_many = _down
    incr = decr = has_key = clear = _down


BROKEN_CACHES = {"default": {"BACKEND": "tests.broken_cache.BrokenCache"}}
