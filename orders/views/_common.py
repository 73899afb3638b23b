"""Helpers shared by the orders app's H5 pages."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from common.errors import NotFound


def not_found(request: HttpRequest, message: object) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


def domain_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a selector's or service's ``NotFound`` (someone else's order, an unknown
    address…) as the styled 404 page with the error's own message (I7)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found(request, exc.message)

    return wrapper


def safe_next(request: HttpRequest, default: str) -> str:
    """``next`` from the form or the query, if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def safe_referer(request: HttpRequest, default: str) -> str:
    """Where the shopper came from (to go back after "add to cart"), if it is this site."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return default
