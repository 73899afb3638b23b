"""An atomic fixed-window rate limiter on the Django cache.

``cache.add`` + ``cache.incr`` are atomic on Redis (production) and on the
per-process local-memory cache (embedded mode), so two requests racing for the last
slot cannot both get it — unlike a read-then-write counter.
"""

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; return True while the caller is still within ``limit`` per window."""
    cache_key = f"rl:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def peek(key: str) -> int:
    return int(cache.get(f"rl:{key}", 0))


def reset(key: str) -> None:
    cache.delete(f"rl:{key}")
