"""Share links: ``/s/<code>`` lands on the inviter's shop and remembers the invite for
sign-up and attribution; ``/s/<code>/qr.png`` is the same link as a QR code."""

from io import BytesIO

import qrcode
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from common.http import client_ip
from distribution.models import Member
from distribution.services.binding import invite_lookup_allowed
from distribution.services.invite_codes import invite_code_normalize
from mall.models import Shop
from mall.services.shops import platform_shop_get


def _inviter(request: HttpRequest, raw_code: str) -> Member | None:
    code = invite_code_normalize(raw_code)
    if code is None or not invite_lookup_allowed(ip=client_ip(request)):
        return None
    return Member.objects.filter(invite_code=code).first()


def _shop_url(shop: Shop) -> str:
    try:
        return reverse("mall:shop", args=[shop.pk])
    except NoReverseMatch:  # the storefront pages are not mounted (API-only setups)
        return reverse("mall:home")


def _remember_shop(request: HttpRequest, shop: Shop) -> None:
    try:
        from mall.context import remember_shop
    except ImportError:
        request.session["shop_id"] = shop.pk
    else:
        remember_shop(request, shop)


@require_GET
def share(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Unknown or rate-limited codes land on the platform shop and change nothing."""
    inviter = _inviter(request, code)
    if inviter is None:
        return redirect(_shop_url(platform_shop_get()))
    shop = None
    if inviter.is_reseller:
        shop = Shop.objects.filter(owner_id=inviter.user_id, is_active=True).first()
    shop = shop or platform_shop_get()
    request.session["invite_code"] = inviter.invite_code
    # Read by the sign-up page as the binding's source: the QR code links here with ?src=qr.
    request.session["invite_source"] = "qr" if request.GET.get("src") == "qr" else "link"
    _remember_shop(request, shop)
    return redirect(_shop_url(shop))


@require_GET
def share_qr(request: HttpRequest, code: str) -> HttpResponse:
    normalized = invite_code_normalize(code)
    if normalized is None:
        raise Http404
    if not invite_lookup_allowed(ip=client_ip(request)):
        return HttpResponse(status=429)
    if not Member.objects.filter(invite_code=normalized).exists():
        raise Http404
    url = request.build_absolute_uri(reverse("distribution:share", args=[normalized]) + "?src=qr")
    buffer = BytesIO()
    qrcode.make(url, box_size=8, border=2).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"  # staff may regenerate the code
    return response
