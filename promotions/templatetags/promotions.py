"""Promotions on pages other apps own (they load this library, as the product page loads
distribution's ``earnings``):

    {% coupon_chips product %}     product page: the claimable coupons that cover it
    {% signup_gift_banner as gift %}  home banner: the 新人礼 for visitors and new members
"""

from django import template
from django.http import HttpRequest

from mall.models import Product
from promotions import selectors
from promotions.labels import headline, rule_text
from promotions.models import CouponTemplate

register = template.Library()


@register.inclusion_tag("promotions/includes/chips.html", takes_context=True)
def coupon_chips(context: template.Context, product: Product) -> dict:
    request: HttpRequest | None = context.get("request")
    templates = selectors.templates_for_product(product=product)
    return {"chips": [{"template": t, "rule": rule_text(t)} for t in templates], "request": request}


@register.simple_tag(takes_context=True)
def signup_gift_banner(context: template.Context) -> selectors.SignupGiftBanner | None:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return None
    return selectors.signup_gift_banner(user=request.user)


@register.filter
def coupon_rule(template_: CouponTemplate) -> str:
    return rule_text(template_)


@register.filter
def coupon_headline(template_: CouponTemplate) -> str:
    return headline(template_)
