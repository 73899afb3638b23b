"""Template helpers of the shopper's order pages (and the order shortcuts on "我的")."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html

from common.money import to_fen
from common.phone import mask_phone
from orders import labels
from orders.models import Order

register = template.Library()

register.filter("order_state_label", labels.order_state_label)
register.filter("order_state_hint", labels.order_state_hint)
register.filter("order_state_muted", labels.order_state_muted)
register.filter("order_amount_label", labels.order_amount_label)
register.filter("aftersale_state_label", labels.aftersale_state_label)


@register.filter
def seconds_until(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return max(0, int((moment - timezone.now()).total_seconds()))


@register.simple_tag
def countdown(deadline: datetime | None) -> str:
    """``<span …>12:34</span>``: the time left to pay, counted down by orders.js."""
    seconds = seconds_until(deadline)
    return format_html(
        '<span class="countdown" data-countdown data-seconds="{}" data-testid="countdown">{}</span>',
        seconds,
        mmss(seconds),
    )


@register.filter
def mmss(seconds: int) -> str:
    """``754`` → ``12:34`` (minutes may pass 59: ``75:00``)."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@register.filter
def first_image_url(order_item: object) -> str:
    """URL of the product's first image, from the prefetched ``product.images`` (no query)."""
    product = getattr(order_item, "product", None)
    images = list(product.images.all()) if product is not None else []
    return images[0].image.url if images and images[0].image else ""


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return (mapping or {}).get(key)


@register.filter
def fen(amount: Decimal) -> int:
    """``Decimal('12.34')`` → ``1234``: amounts the page script adds up exactly."""
    return to_fen(amount)


@register.filter
def item_count(order: Order) -> int:
    """Units in the order, from the prefetched items."""
    return sum(item.quantity for item in order.items.all())


@register.filter
def masked_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234`` (PIPL: phone numbers on screen are masked)."""
    return mask_phone(phone or "")
