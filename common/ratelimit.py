"""An atomic fixed-window rate limiter on the Django cache.

A counter lives ``window_seconds`` from its first hit. Two requests racing for the last
slot cannot both get it:

- On Redis (production, CI) one Lua script increments the counter and gives it its
  expiry together. Django's own ``incr`` is EXISTS + INCRBY: a counter expiring between
  the two would be re-created without an expiry and refuse its owner forever.
- On the per-process local-memory cache (embedded mode) ``add`` + ``incr`` run under the
  cache's lock.

``release`` gives one hit back. Callers reserve a slot before an attempt and give it back
when the attempt turns out to be legitimate (an invite code that exists, a right
password): only failures use up an allowance, and the check stays atomic.
"""

import contextlib
import ipaddress

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache

_PREFIX = "rl:"

# Returns the new count; gives the key its expiry when it has none (a new key, or one
# left without a TTL by anything else), so no counter can outlive its window.
_COUNT_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# Never below zero, never creates a key, keeps the expiry.
_RELEASE_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _cache() -> BaseCache:
    # The backend itself: ``django.core.cache.cache`` is a proxy that isinstance() cannot see through.
    return caches["default"]


def _redis_eval(cache: RedisCache, script: str, key: str, *args: int) -> int:
    full_key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(full_key, write=True)
    return int(client.register_script(script)(keys=[full_key], args=list(args)))


def count(key: str, *, window_seconds: int) -> int:
    """Count one hit and return the count in the current window (1 for the first)."""
    cache, cache_key = _cache(), _PREFIX + key
    if isinstance(cache, RedisCache):
        return _redis_eval(cache, _COUNT_SCRIPT, cache_key, window_seconds * 1000)
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return 1


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; return True while the caller is still within ``limit`` per window."""
    return count(key, window_seconds=window_seconds) <= limit


def release(key: str) -> None:
    """Give back one hit counted by ``hit`` or ``count`` (no-op once the window is over)."""
    cache, cache_key = _cache(), _PREFIX + key
    if isinstance(cache, RedisCache):
        _redis_eval(cache, _RELEASE_SCRIPT, cache_key)
        return
    if peek(key) > 0:
        with contextlib.suppress(ValueError):  # the window is over
            cache.decr(cache_key)


def peek(key: str) -> int:
    return int(_cache().get(_PREFIX + key, 0))


def reset(key: str) -> None:
    _cache().delete(_PREFIX + key)


def address_key(ip: str) -> str:
    """The bucket a client address is counted in.

    An IPv4 address is its own bucket; an IPv6 address counts as its /64 network, because
    a subscriber usually gets a whole /64 and could otherwise rotate through 2^64
    addresses, each with a fresh allowance.
    """
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip()[:64] or "-"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
