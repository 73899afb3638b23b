"""``{{ price|cny }}`` → ``¥12.30``: the one way pages print money."""

from decimal import Decimal, InvalidOperation

from django import template

from common.money import format_cny

register = template.Library()


@register.filter
def cny(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_cny(Decimal(str(value)))
    except InvalidOperation:
        return ""
