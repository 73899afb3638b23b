"""我的小店 and sharing on the mall's pages, without the mall importing the distribution app.

    {% load myshop %}
    {% reseller_product_bar product %}   product page: 加入我的小店 / 已在小店 and the share sheet
                                         (a signed-in reseller with a shop; nothing for others)
    {% invite_banner %}                  "小雨邀请你" and a sign-up prompt, for a visitor who came
                                         through a share link (from the session: no query)
"""

from django import template
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse

from distribution.earnings.selectors import earnings_member
from distribution.models import Member
from distribution.myshop.links import share_url
from mall.models import Product, Shop, ShopProduct

register = template.Library()

# The member the 分享赚 pill looked up on this request (``earnings._reseller``), reused.
_EARNINGS_MEMBER = "_earnings_member"


def _reseller_and_shop(request: HttpRequest, product: Product) -> tuple[Member | None, Shop | None]:
    """The signed-in active reseller and their shop, annotated with ``in_shop`` for ``product``:
    one query (two when the pill did not run first)."""
    member = getattr(request, _EARNINGS_MEMBER, None)
    if member is None:
        member = earnings_member(user=request.user)
    if member is None or not (member.is_reseller and member.is_active):
        return None, None
    shop = (Shop.objects.filter(owner_id=request.user.pk)
            .annotate(in_shop=Exists(ShopProduct.objects.filter(shop=OuterRef("pk"), product_id=product.pk)))
            .first())
    return (member, shop) if shop is not None else (None, None)


@register.inclusion_tag("distribution/myshop/product_bar.html", takes_context=True)
def reseller_product_bar(context: template.Context, product: Product) -> dict:
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    member, shop = _reseller_and_shop(request, product)
    if member is None or shop is None:
        return {"show": False}
    return {
        "show": True, "product": product, "shop": shop, "request": request,
        "csrf_token": context.get("csrf_token"),
        "in_shop": shop.in_shop,
        "link": share_url(request, invite_code=member.invite_code, product_id=product.pk),
        "poster_url": reverse("myshop:poster", args=[product.pk]),
        "materials_url": reverse("myshop:materials", args=[product.pk]),
    }


@register.inclusion_tag("distribution/myshop/invite_banner.html", takes_context=True)
def invite_banner(context: template.Context) -> dict:
    request: HttpRequest | None = context.get("request")
    if request is None or request.user.is_authenticated:
        return {"name": ""}
    name = request.session.get("invite_name", "") if request.session.get("invite_code") else ""
    return {"name": name, "next": request.get_full_path()}
