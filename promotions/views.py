"""H5 pages: 领券中心 (claim centre), claiming, 我的优惠券 (my coupons)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import DomainError
from promotions import selectors
from promotions.services.issue import coupon_claim


@require_GET
def claim_centre(request: HttpRequest) -> HttpResponse:
    templates = list(selectors.claimable_templates())
    counts = selectors.claimed_counts(user=request.user, template_ids=[t.pk for t in templates])
    cards = [
        {
            "template": t,
            "claimed": counts.get(t.pk, 0),
            "can_claim": t.remaining > 0 and counts.get(t.pk, 0) < t.per_member_limit,
        }
        for t in templates
    ]
    return render(request, "promotions/centre.html", {"cards": cards})


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "promotions:centre"


@login_required
@require_POST
def claim(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        coupon_claim(template_id=template_id, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Claimed. Find it in My coupons."))
    return redirect(_back(request))


@login_required
@require_GET
def my_coupons(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "unused")
    tab = tab if tab in selectors.TABS else "unused"
    counts = selectors.coupon_counts(user=request.user)
    labels = {"unused": _("Unused"), "used": _("Used"), "expired": _("Expired")}
    tabs = [{"key": key, "label": labels[key], "count": counts[key]} for key in selectors.TABS]
    coupons = list(selectors.coupons_for_user(user=request.user, tab=tab)[:200])
    return render(request, "promotions/mine.html", {"tab": tab, "tabs": tabs, "coupons": coupons})
