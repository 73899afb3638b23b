"""Share links and the reseller centre (分销中心) H5 pages.

- ``/s/<code>`` lands on the inviter's shop and ``/s/<code>/p/<product>`` on a product in
  it (both through ``_land``), remembering the invite for sign-up and attribution;
  ``/s/<code>/qr.png`` is the shop link as a QR code. Both resolve the code
  through ``invite_code_resolve``, within the invite-lookup limits.
- ``/distribution/…``: the signed-in member's own centre, team, application and poster.
  Views only orchestrate: selectors read, services write, domain errors become messages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import qrcode
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.db_routing import replica_reads
from common.errors import DomainError
from common.http import client_ip
from distribution.funnel.recording import share_visit_record
from distribution.funnel.team import TeamQuery, member_team_list, team_query
from distribution.models import BindSource, Member, ResellerProgram
from distribution.referral import selectors as referral_selectors
from distribution.referral.errors import InviteCodeMalformed, InviteCodeUnknown, InviteRateLimited
from distribution.referral.poster import (
    PosterTexts,
    poster_draw,
    poster_products,
    poster_spec,
    poster_versioned_url,
    read_file,
)
from distribution.referral.services.binding import member_bind
from distribution.referral.services.invite_lookup import invite_code_resolve
from distribution.referral.services.members import member_get_or_create_for_user
from distribution.reseller import selectors as reseller_selectors
from distribution.reseller.services.resellers import (
    reseller_application_withdraw,
    reseller_apply,
    reseller_join,
    reseller_program_get,
)
from mall.errors import ProductNotFound
from mall.models import Product, Shop
from mall.services.shops import platform_shop_get
from mall.views import too_many_attempts


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


# Session keys a landing writes. "invite_code" / "invite_source" are read by sign-up (the
# binding and its source); "invite_name" by the invite banner on the mall's pages.
SHARE_SOURCES = {"link": "link", "qr": "qr", "poster": "qr"}  # src → binding source


@dataclass(frozen=True)
class Landing:
    inviter: Member
    shop: Shop
    src: str  # "link", "qr" or "poster"
    product_id: int | None


def _land(request: HttpRequest, code: str, *, product_id: int | None,
          fallback: Callable[[], str]) -> Landing | HttpResponse:
    """Every share link lands here: resolve the invite code (within the lookup limits),
    keep the inviter's shop as the visit's context and the invite for sign-up. Unknown codes
    go to ``fallback()``; over the limit, a 429 page. Neither changes anything.

    The one place a share visit (inviter, ``src``, product) is known: record visits here."""
    try:
        inviter = invite_code_resolve(invite_code=code, ip=client_ip(request))
    except InviteRateLimited as exc:
        return too_many_attempts(request, exc.message)
    except (InviteCodeMalformed, InviteCodeUnknown):
        return redirect(fallback())
    shop = None
    if inviter.is_reseller:
        shop = Shop.objects.filter(owner_id=inviter.user_id, is_active=True).first()
    shop = shop or platform_shop_get()
    src = request.GET.get("src", "link")
    src = src if src in SHARE_SOURCES else "link"
    request.session["invite_code"] = inviter.invite_code
    request.session["invite_source"] = SHARE_SOURCES[src]
    request.session["invite_name"] = inviter.user.display_name
    _remember_shop(request, shop)
    share_visit_record(request, reseller=inviter, channel=src, product_id=product_id)  # the share funnel
    return Landing(inviter=inviter, shop=shop, src=src, product_id=product_id)


@require_GET
def share(request: HttpRequest, code: str) -> HttpResponse:
    """``/s/<code>/?src=…``: the inviter's shop."""
    landing = _land(request, code, product_id=None, fallback=lambda: _shop_url(platform_shop_get()))
    if isinstance(landing, HttpResponse):
        return landing
    return redirect(_shop_url(landing.shop))


@require_GET
def share_product(request: HttpRequest, code: str, product_id: str) -> HttpResponse:
    """``/s/<code>/p/<product id>/?src=…``: the product, bought in the inviter's shop. A
    product no longer on sale lands on the inviter's shop, with a note."""
    product_url = reverse("mall:product", args=[int(product_id)])
    landing = _land(request, code, product_id=int(product_id), fallback=lambda: product_url)
    if isinstance(landing, HttpResponse):
        return landing
    if not Product.objects.filter(pk=landing.product_id, status=Product.Status.ON_SHELF).exists():
        messages.info(request, str(ProductNotFound.default_message))
        return redirect(_shop_url(landing.shop))
    return redirect(product_url)


@require_GET
def share_qr(request: HttpRequest, code: str) -> HttpResponse:
    try:
        inviter = invite_code_resolve(invite_code=code, ip=client_ip(request))
    except InviteRateLimited as exc:
        return HttpResponse(str(exc.message), status=429, content_type="text/plain; charset=utf-8")
    except (InviteCodeMalformed, InviteCodeUnknown):
        raise Http404 from None
    url = request.build_absolute_uri(reverse("distribution:share", args=[inviter.invite_code]) + "?src=qr")
    buffer = BytesIO()
    qrcode.make(url, box_size=8, border=2).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"  # staff may regenerate the code
    return response


# --- the reseller centre (分销中心) -----------------------------------------------------------
# Every page is "mine": no member id in any URL, so a member only ever sees their own team.

PAGE_SIZE = 20
POSTER_CACHE_SECONDS = 24 * 3600


class ApplyForm(forms.Form):
    """Shape only (present, not too long); the rules live in ``services.resellers``."""

    real_name = forms.CharField(label=_("Real name"), max_length=40, widget=forms.TextInput(
        attrs={"autocomplete": "name", "placeholder": _("As on your ID card")}))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": _("11-digit mobile number")}))
    reason = forms.CharField(label=_("Why do you want to join?"), max_length=600, required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Optional")}))

    _FIELDS = {"real_name_invalid": "real_name", "contact_phone_invalid": "contact_phone",
               "application_reason_too_long": "reason"}

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(self._FIELDS.get(error.code), str(error.message))


def _my_member(request: HttpRequest) -> Member:
    """The signed-in user's member node, fresh (tree columns current), with user and level."""
    member = member_get_or_create_for_user(user=request.user)
    return Member.objects.select_related("user", "level", "parent__user").get(pk=member.pk)


def _share_urls(request: HttpRequest, member: Member) -> dict[str, str]:
    return {
        "share_url": request.build_absolute_uri(reverse("distribution:share", args=[member.invite_code])),
        "qr_url": reverse("distribution:share_qr", args=[member.invite_code]),
    }


DEFAULT_BENEFITS = (
    _("Your own shop: pick products from the platform's catalogue and share them."),
    _("Commission on what your shop and your team sell, after the after-sales window closes."),
    _("No fee and no purchase needed to join."),
)


def _benefits(program: ResellerProgram) -> list[str]:
    lines = [line.strip() for line in program.benefits.splitlines() if line.strip()]
    return lines or [str(text) for text in DEFAULT_BENEFITS]


@login_required
@require_GET
def center(request: HttpRequest) -> HttpResponse:
    return render(request, "distribution/center.html", _center_context(request, _my_member(request)))


def _center_context(request: HttpRequest, member: Member) -> dict[str, object]:
    program = reseller_program_get()
    context = {
        "member": member, "program": program, "tab": "me", "benefits": _benefits(program),
        "application": reseller_selectors.reseller_application_latest(member=member),
        "can_bind": referral_selectors.member_can_bind(member=member), **_share_urls(request, member),
    }
    if member.is_reseller:
        figures = reseller_selectors.member_sales_figures(member=member)
        context |= {"summary": reseller_selectors.team_summary(member=member), "figures": figures,
                    "progress": reseller_selectors.level_progress(member=member, figures=figures),
                    "poster_url": poster_versioned_url(poster_spec(request=request, member=member))}
    return context


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> HttpResponseRedirect:
    """Run a service from a POST; its domain error becomes an error toast."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect("distribution:center")


@login_required
@require_POST
def join(request: HttpRequest) -> HttpResponseRedirect:
    member = _my_member(request)
    return _run(request, lambda: reseller_join(member=member), _("Welcome aboard! You are now a reseller."))


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    member = _my_member(request)
    form = ApplyForm(request.POST or None, initial={"contact_phone": member.user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            reseller_apply(member=member, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Application sent. We will review it soon."))
            return redirect("distribution:center")
    return render(request, "distribution/apply.html", {
        "form": form, "program": reseller_program_get(), "member": member, "tab": "me",
        "application": reseller_selectors.reseller_application_latest(member=member)})


@login_required
@require_POST
def apply_withdraw(request: HttpRequest) -> HttpResponseRedirect:
    member = _my_member(request)
    application = reseller_selectors.reseller_application_latest(member=member)
    if application is None:
        raise Http404
    return _run(request, lambda: reseller_application_withdraw(application=application, member=member),
                _("Your application was withdrawn."))


@login_required
@require_POST
def bind(request: HttpRequest) -> HttpResponse:
    member = _my_member(request)
    code = request.POST.get("invite_code", "")[:32]
    try:
        member_bind(member=member, invite_code=code, source=BindSource.CODE, ip=client_ip(request))
    except InviteRateLimited as exc:
        # Not a redirect: the page itself answers 429, with the message as its toast.
        messages.error(request, str(exc.message))
        return render(request, "distribution/center.html", _center_context(request, _my_member(request)),
                      status=exc.status)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You are now bound to your inviter."))
    return redirect("distribution:center")


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """Tier 1 / tier 2, searched and sorted (``funnel.team``); a bad option shows a message
    and the default list."""
    member = _my_member(request)
    try:
        query = team_query(tier=request.GET.get("tier"), q=request.GET.get("q"), sort=request.GET.get("sort"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        query = TeamQuery()
    with replica_reads():  # figures only: may read the replica (common/db_routing.py)
        team = member_team_list(member=member, query=query)
        page = Paginator(team, PAGE_SIZE).get_page(request.GET.get("page"))
        summary = reseller_selectors.team_summary(member=member)
        return render(request, "distribution/team.html",
                      {"member": member, "page": page, "summary": summary, "query": query, "tab": "me"})


@login_required
@require_GET
def poster(request: HttpRequest) -> HttpResponse:
    """My share poster (resellers with a shop), drawn once per member, invite code, shop
    update, products shown and language, then served from the cache."""
    member = _my_member(request)
    spec = poster_spec(request=request, member=member)
    if spec is None:
        raise Http404
    etag = f'"{spec.version}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    png = cache.get(spec.key)
    if png is None:
        shop = spec.shop
        png = poster_draw(
            shop_name=shop.name, avatar=read_file(shop.avatar) if shop.avatar else None,
            products=poster_products(shop), share_url=spec.share_url, invite_code=member.invite_code,
            texts=PosterTexts(tagline=str(_("Good things I picked for you")),
                              scan_hint=str(_("Scan the QR code to visit my shop")),
                              invite_label=str(_("Invite code")), footer=str(settings.PLATFORM_NAME),
                              empty=str(_("New products are on the way"))))
        cache.set(spec.key, png, POSTER_CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    versioned = request.GET.get("v") == spec.version
    response["Cache-Control"] = "private, max-age=86400" if versioned else "private, no-cache"
    response["ETag"] = etag
    return response
