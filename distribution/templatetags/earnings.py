"""分享赚 on the mall's pages, without the mall importing the referral app.

    {% load earnings %}
    {% share_earning product %}     product page: "分享赚 ¥x.xx" for a signed-in reseller
    {% share_earning_shop shop %}   shop header: the highest 分享赚 among the shop's products
    {% earnings_card member %}      the reseller centre's earnings card (2 queries)

Both render nothing for visitors, shoppers and products that would earn nothing. Neither
adds a query per product: the product page asks about one product, the shop header about
the shop's products in one batch (see ``distribution.commission.preview``).
"""

from decimal import Decimal

from django import template
from django.http import HttpRequest

from distribution import labels
from distribution.commission.preview import share_earning_preview, share_earning_shop_max
from distribution.earnings.selectors import earnings_member, earnings_overview
from distribution.models import Member
from mall.models import Product, Shop

register = template.Library()

register.filter("tier_label", labels.tier_label)
register.filter("record_state_label", labels.record_state_label)
register.filter("withdrawal_state_label", labels.withdrawal_state_label)
register.filter("ledger_kind_label", labels.ledger_kind_label)

_MEMBER_ATTR = "_earnings_member"
PILL = "distribution/earnings/share_pill.html"


def _reseller(context: template.Context) -> Member | None:
    """The signed-in active reseller, looked up once per request."""
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return None
    if not hasattr(request, _MEMBER_ATTR):
        setattr(request, _MEMBER_ATTR, earnings_member(user=user))
    member = getattr(request, _MEMBER_ATTR)
    return member if member is not None and member.is_reseller and member.is_active else None


def _pill(amount: Decimal | None, *, kind: str) -> dict:
    return {"amount": amount if amount is not None and amount > 0 else None, "kind": kind}


@register.inclusion_tag(PILL, takes_context=True)
def share_earning(context: template.Context, product: Product) -> dict:
    member = _reseller(context)
    return _pill(share_earning_preview(member=member, product=product) if member else None, kind="product")


@register.inclusion_tag(PILL, takes_context=True)
def share_earning_shop(context: template.Context, shop: Shop) -> dict:
    member = _reseller(context)
    return _pill(share_earning_shop_max(member=member, shop=shop) if member else None, kind="shop")


@register.inclusion_tag("distribution/earnings/centre_card.html")
def earnings_card(member: Member) -> dict:
    return {"overview": earnings_overview(member=member)}


@register.filter
def percent(rate: Decimal | None) -> str:
    """``Decimal("0.1000")`` → ``"10%"``, ``Decimal("0.0055")`` → ``"0.55%"``."""
    if rate is None:
        return ""
    text = f"{(Decimal(rate) * 100).quantize(Decimal('0.01')):f}"
    return f"{text.rstrip('0').rstrip('.')}%"
