"""H5 pages of cross-merchant partners: the partner staff's own pages (dashboard, voucher
verification, monthly statements), members' vouchers, and a partner's coupon link."""

import io
from datetime import date

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError
from common.exports import XLSX_CONTENT_TYPE
from promotions.errors import PartnerForbidden
from promotions.labels import rule_text
from promotions.models import CouponTemplate, Partner, PartnerOffer, PartnerVoucher, VoucherState
from promotions.services.issue import coupon_claim_by_link
from promotions.services.partner_reports import statement_csv, statement_entries, statement_xlsx
from promotions.services.vouchers import partner_for_staff, partner_voucher_claim, partner_voucher_verify


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request, "promotions/partner_forbidden.html", {"message": PartnerForbidden().message}, status=403
    )


def _partner(request: HttpRequest, partner_id: int | None = None) -> Partner | None:
    try:
        return partner_for_staff(user=request.user, partner_id=partner_id)
    except PartnerForbidden:
        return None


@login_required
@require_GET
def partner_home(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    return redirect("promotions:partner", partner.pk) if partner else _forbidden(request)


@login_required
@require_GET
def partner_dashboard(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden(request)
    month = timezone.localdate().replace(day=1)
    verified = (
        PartnerVoucher.objects.filter(offer__partner=partner, state=VoucherState.VERIFIED)
        .select_related("offer")
        .order_by("-verified_at")[:20]
    )
    return render(
        request,
        "promotions/partner_dashboard.html",
        {
            "partner": partner,
            "verified": verified,
            "month": month,
            "entries": statement_entries(partner=partner, month=month)[:50],
            "funded": partner.funded_templates.all(),
            "offers": partner.offers.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_verify(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden(request)
    verified, error = None, ""
    if request.method == "POST":
        try:
            verified = partner_voucher_verify(
                code=request.POST.get("code", ""), partner=partner, actor=request.user
            )
        except DomainError as exc:
            error = str(exc.message)
    return render(
        request,
        "promotions/partner_verify.html",
        {"partner": partner, "verified": verified, "error": error},
        status=409 if error else 200,
    )


@login_required
@require_GET
def partner_statement(request: HttpRequest, partner_id: int, year: int, month: int, fmt: str) -> HttpResponse:
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden(request)
    try:
        first = date(year, month, 1)
    except ValueError:
        raise Http404 from None
    if fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"partner-{partner.pk}-{first:%Y-%m}"
    if fmt == "xlsx":
        response = HttpResponse(
            statement_xlsx(partner=partner, month=first),
            content_type=XLSX_CONTENT_TYPE,
        )
    else:
        response = HttpResponse(
            statement_csv(partner=partner, month=first), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    live = (
        PartnerOffer.objects.filter(is_active=True, valid_until__gt=now, partner__is_active=True)
        .select_related("partner")
        .order_by("-pk")
    )
    return render(request, "promotions/offers.html", {"offers": live})


@login_required
@require_POST
def offer_claim(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        partner_voucher_claim(offer_id=offer_id, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("promotions:offers")
    messages.success(request, _("Claimed. Show the code at the partner's counter."))
    return redirect("promotions:my_vouchers")


@login_required
@require_GET
def my_vouchers(request: HttpRequest) -> HttpResponse:
    vouchers = PartnerVoucher.objects.filter(user=request.user).select_related("offer__partner")
    return render(request, "promotions/my_vouchers.html", {"vouchers": vouchers})


@login_required
@require_GET
def voucher_qr(request: HttpRequest, code: str) -> HttpResponse:
    voucher = get_object_or_404(PartnerVoucher, code=code, user=request.user)
    buffer = io.BytesIO()
    qrcode.make(voucher.code, box_size=8, border=2).save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/png")


@require_http_methods(["GET", "POST"])
def partner_link(request: HttpRequest, token: str) -> HttpResponse:
    """A partner hands this link to its own customers: the partner-funded coupon to claim."""
    template = get_object_or_404(
        CouponTemplate.objects.select_related("partner"), link_token=token, partner__isnull=False
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('mall:signin')}?next={request.path}")
        try:
            coupon_claim_by_link(token=token, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Claimed. Find it in My coupons."))
            return redirect("promotions:mine")
    return render(
        request, "promotions/partner_link.html", {"template": template, "rule": rule_text(template)}
    )
