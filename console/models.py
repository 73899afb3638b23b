"""The console's daily pre-aggregated tables (kept by ``services.rollup``) and its permissions.

Each table holds figures of one local day (Asia/Shanghai). A day is always rewritten whole:
its rows are deleted and inserted again in one transaction, so a rollup can run twice, be
killed halfway or be re-run for any past day and the table ends as one run leaves it.
Amounts are ``MoneyField`` (integer fen), so sums over them are exact on every database.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField


class DayRow(models.Model):
    """A row of one day's figures."""

    day = models.DateField(_("day"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.day)


class ConsoleAccess(models.Model):
    """No table: the named permissions of the console (given to groups by staff)."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("console access")
        permissions = [
            ("view_dashboard", _("Can see the dashboard figures and to-dos")),
            ("view_reports", _("Can see the reports")),
            ("export_reports", _("Can export report tables (CSV, Excel)")),
            ("export_finance", _("Can export finance data (orders, items, commission, ledger, withdrawals)")),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class DailySales(DayRow):
    """Per day and shop: orders paid that day (GMV) and refunds that succeeded that day."""

    shop = models.ForeignKey("mall.Shop", on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("shop"))
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    gmv = MoneyField(_("GMV"), default=0)
    refunds = models.PositiveIntegerField(_("refunds"), default=0)
    refund_amount = MoneyField(_("refund amount"), default=0)

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "shop"], name="console_daily_sales_once")]


class DailyProductSales(DayRow):
    """Per day, shop and product: units and paid amount of the items of orders paid that day."""

    shop = models.ForeignKey("mall.Shop", on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("shop"))
    product = models.ForeignKey("mall.Product", on_delete=models.CASCADE, related_name="+",
                                db_index=False, verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("units"), default=0)
    amount = MoneyField(_("paid amount"), default=0)

    class Meta:
        verbose_name = _("daily product sales")
        verbose_name_plural = _("daily product sales")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "shop", "product"],
                                               name="console_daily_product_once")]


class DailyBuyerSales(DayRow):
    """Per day, buyer and shop: paid orders and net paid. The cohort figures (retention,
    repurchase, LTV) read this instead of the order tables."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             db_index=False, verbose_name=_("member"))
    shop = models.ForeignKey("mall.Shop", on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("shop"))
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    paid_amount = MoneyField(_("paid amount"), default=0)
    refund_amount = MoneyField(_("refund amount"), default=0)

    class Meta:
        verbose_name = _("daily buyer sales")
        verbose_name_plural = _("daily buyer sales")
        default_permissions = ()
        indexes = [models.Index(fields=["user", "day"], name="console_buyer_user_day")]
        constraints = [models.UniqueConstraint(fields=["day", "user", "shop"],
                                               name="console_daily_buyer_once")]


class DailyNewMembers(DayRow):
    """Per day, inviter and bind source: members who signed up, members who became resellers."""

    inviter = models.ForeignKey("distribution.Member", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", db_index=False, verbose_name=_("inviter"))
    source = models.CharField(_("source"), max_length=10, blank=True)
    new_members = models.PositiveIntegerField(_("members joined"), default=0)
    new_resellers = models.PositiveIntegerField(_("new resellers"), default=0)

    class Meta:
        verbose_name = _("daily new members")
        verbose_name_plural = _("daily new members")
        default_permissions = ()
        indexes = [models.Index(fields=["day", "source"], name="console_members_day_source")]


class DailyLiability(DayRow):
    """What the platform owed resellers at the end of the day (see ``services.rollup``)."""

    day = models.DateField(_("day"), unique=True)
    pending = MoneyField(_("pending commission"), default=0)
    available = MoneyField(_("available balances"), default=0)
    held = MoneyField(_("held for withdrawals"), default=0)
    debt = MoneyField(_("owed back by resellers"), default=0)

    class Meta:
        verbose_name = _("daily commission liability")
        verbose_name_plural = _("daily commission liability")
        default_permissions = ()


class RollupRun(DayRow):
    """When each day was last rolled up: the dashboard says how fresh its figures are."""

    day = models.DateField(_("day"), unique=True)
    finished_at = models.DateTimeField(_("finished at"))
    orders = models.PositiveIntegerField(_("paid orders"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        default_permissions = ()
