"""Staff's view of the share funnel (read-only): every share link with its 7- and 30-day
figures from the roll-up (filter by channel, search by reseller or product: per reseller
and per product), and the roll-up rows day by day. Members are shown masked (PIPL)."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.fields import money_sum
from distribution.admin_common import ReadOnlyAdmin, member_label
from distribution.models import ShareDaily, ShareLink

_FIGURES = ("visitors", "signups", "orders", "amount", "commission")


def _window(days: int) -> dict:
    since = timezone.localdate() - timedelta(days=days - 1)
    recent = Q(daily__day__gte=since)
    return {f"{name}_{days}": (money_sum(f"daily__{name}", filter=recent) if name in ("amount", "commission")
                               else Sum(f"daily__{name}", filter=recent, default=0)) for name in _FIGURES}


def _column(name: str, days: int, label: str) -> object:
    def column(obj: ShareLink) -> object:
        return getattr(obj, f"{name}_{days}")

    column.short_description = label
    column.admin_order_field = f"{name}_{days}"
    column.__name__ = f"{name}_{days}"
    return column


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnlyAdmin):
    list_display = ("reseller_label", "product_label", "channel",
                    _column("visitors", 7, _("visits, 7 days")), _column("signups", 7, _("sign-ups, 7 days")),
                    _column("orders", 7, _("orders, 7 days")), _column("amount", 7, _("sales, 7 days")),
                    _column("visitors", 30, _("visits, 30 days")),
                    _column("signups", 30, _("sign-ups, 30 days")),
                    _column("orders", 30, _("orders, 30 days")), _column("amount", 30, _("sales, 30 days")),
                    _column("commission", 30, _("est. commission, 30 days")))
    list_filter = ("channel",)
    search_fields = ("reseller__user__nickname", "reseller__user__phone", "product__title")
    list_select_related = ("reseller__user", "product")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShareLink]:
        figures = super().get_queryset(request).annotate(**_window(7), **_window(30))
        return figures.order_by("-amount_30", "-id")

    @admin.display(description=_("reseller"), ordering="reseller_id")
    def reseller_label(self, obj: ShareLink) -> str:
        return member_label(obj.reseller)

    @admin.display(description=_("product"), ordering="product_id")
    def product_label(self, obj: ShareLink) -> str:
        return obj.product.title if obj.product else str(_("the reseller's shop"))


@admin.register(ShareDaily)
class ShareDailyAdmin(ReadOnlyAdmin):
    list_display = ("day", "reseller_label", "link", "visitors", "signups", "orders", "amount", "commission")
    list_filter = ("link__channel",)
    date_hierarchy = "day"
    search_fields = ("link__reseller__user__nickname", "link__reseller__user__phone", "link__product__title")
    list_select_related = ("link__reseller__user", "link__product")

    @admin.display(description=_("reseller"))
    def reseller_label(self, obj: ShareDaily) -> str:
        return member_label(obj.link.reseller)
