"""Request helpers shared by pages and API."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, for per-IP rate limits.

    ``X-Forwarded-For`` is written by the client unless a proxy we run rewrites it, so it
    is read only when ``QUANZI_TRUSTED_PROXY_COUNT`` (the number of our proxies in front
    of Django) is set: the address that many hops from the right is the one our outermost
    proxy saw. Otherwise ``REMOTE_ADDR``.
    """
    hops = settings.QUANZI_TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
