"""The fixed-window limiter (common/ratelimit.py) on the cache the run uses: Redis under
``make test`` when it is reachable (always in CI), else the local-memory cache."""

import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from common import ratelimit

ON_REDIS = isinstance(caches["default"], RedisCache)


def test_ci_runs_the_limiter_on_redis():
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        pytest.skip("outside CI the cache may be local memory")
    assert ON_REDIS


def test_count_hit_peek_and_reset():
    counts = [ratelimit.count("t:a", window_seconds=60) for _ in range(3)]
    allowed = [ratelimit.hit("t:a", limit=4, window_seconds=60) for _ in range(2)]

    assert counts == [1, 2, 3]
    assert allowed == [True, False]
    assert ratelimit.peek("t:a") == 5
    ratelimit.reset("t:a")
    assert ratelimit.peek("t:a") == 0


def test_release_gives_one_hit_back_never_below_zero_and_never_creates_a_counter():
    ratelimit.hit("t:b", limit=1, window_seconds=60)
    ratelimit.release("t:b")
    ratelimit.release("t:b")
    ratelimit.release("t:never")

    assert ratelimit.peek("t:b") == 0
    assert ratelimit.hit("t:b", limit=1, window_seconds=60) is True
    assert ratelimit.peek("t:never") == 0


@pytest.mark.skipif(not ON_REDIS, reason="Redis only: expiry of the raw key")
def test_on_redis_a_counter_always_has_its_window_as_expiry():
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    key = cache.make_and_validate_key("rl:t:c")
    client.set(key, 7)  # a counter left without an expiry by anything else

    ratelimit.count("t:c", window_seconds=30)
    ratelimit.release("t:c")

    assert ratelimit.peek("t:c") == 7
    assert 0 < client.pttl(key) <= 30_000


@pytest.mark.parametrize(("ip", "bucket"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
    ("", "-"),
    ("not an address", "not an address"),
])
def test_address_key_buckets_ipv6_by_64(ip, bucket):
    assert ratelimit.address_key(ip) == bucket
