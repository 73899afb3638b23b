"""Every table of the reports page as an ``ExportTable``: the page and the exports show the
same rows, because both are built here from the same selectors."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from console.exports.writers import ExportTable
from console.selectors.cohorts import LTV_DAYS, REPURCHASE_DAYS, RETENTION_DAYS, repurchase, sign_up_cohorts
from console.selectors.figures import (
    liability_by_day,
    new_members_by_day,
    new_members_by_inviter,
    new_members_by_source,
    sales_by_day,
    top_products,
    top_resellers,
)
from console.selectors.filters import ReportFilter
from console.templatetags.console import percent_value, source_label


def sales_table(f: ReportFilter) -> ExportTable:
    rows = [(day, s.gmv, s.paid_orders, s.aov, s.refunds, s.refund_amount, percent_value(s.refund_rate))
            for day, s in sales_by_day(f)]
    return ExportTable("sales", [_("day"), _("GMV"), _("paid orders"), _("average order value"),
                                 _("refund count"), _("refund amount"), _("refund rate (%)")], rows)


def members_by_source_table(f: ReportFilter) -> ExportTable:
    rows = [(source_label(source), n) for source, n in new_members_by_source(f).items()]
    return ExportTable("new-members-by-source", [_("source"), _("members joined")], rows)


def members_by_day_table(f: ReportFilter) -> ExportTable:
    return ExportTable("new-members-by-day", [_("day"), _("members joined"), _("new resellers")],
                       new_members_by_day(f))


def members_by_inviter_table(f: ReportFilter) -> ExportTable:
    rows = [(r["member"].pk, r["member"].invite_code, str(r["member"].user.nickname or ""),
             str(r["member"].level or ""), r["new_members"], r["new_resellers"])
            for r in new_members_by_inviter(f, limit=1000)]
    return ExportTable("new-members-by-reseller", [_("member id"), _("invite code"), _("nickname"),
                                                   _("level"), _("members joined"), _("new resellers")], rows)


def cohorts_table(f: ReportFilter) -> ExportTable:
    headers = [_("sign-up day"), _("cohort size")]
    headers += [_("retention %(days)s days (%%)") % {"days": n} for n in RETENTION_DAYS]
    headers += [_("LTV %(days)s days") % {"days": n} for n in LTV_DAYS]
    rows = [(c.day, c.size, *(percent_value(c.retention(n)) for n in RETENTION_DAYS),
             *(c.ltv(n) for n in LTV_DAYS)) for c in sign_up_cohorts(f)]
    return ExportTable("cohorts", headers, rows)


def repurchase_table(f: ReportFilter) -> ExportTable:
    result = repurchase(f)
    rows = [(n, result.buyers, result.repeated[n], percent_value(result.rate(n))) for n in REPURCHASE_DAYS]
    return ExportTable("repurchase", [_("within days"), _("first-time buyers"), _("bought again"),
                                      _("repurchase rate (%)")], rows)


def liability_table(f: ReportFilter) -> ExportTable:
    rows = [(r.day, r.pending, r.available, r.held, r.pending + r.available + r.held, r.debt)
            for r in liability_by_day(f)]
    return ExportTable("liability", [_("day"), _("pending commission"), _("available balances"),
                                     _("held for withdrawals"), _("total liability"),
                                     _("owed back by resellers")], rows)


def top_resellers_table(f: ReportFilter) -> ExportTable:
    rows = [(r["shop"].pk, r["shop"].name, r["figures"].gmv, r["figures"].paid_orders, r["figures"].aov,
             r["figures"].refund_amount) for r in top_resellers(f, limit=1000)]
    return ExportTable("top-resellers", [_("shop id"), _("shop"), _("GMV"), _("paid orders"),
                                         _("average order value"), _("refund amount")], rows)


def top_products_table(f: ReportFilter) -> ExportTable:
    rows = [(r["product"].pk, r["product"].title, r["units"], r["amount"], r["shops"])
            for r in top_products(f, limit=1000)]
    return ExportTable("top-products", [_("product id"), _("product"), _("units"), _("paid amount"),
                                        _("shops selling it")], rows)


REPORT_TABLES: dict[str, Callable[[ReportFilter], ExportTable]] = {
    "sales": sales_table,
    "members-by-source": members_by_source_table,
    "members-by-day": members_by_day_table,
    "members-by-reseller": members_by_inviter_table,
    "cohorts": cohorts_table,
    "repurchase": repurchase_table,
    "liability": liability_table,
    "top-resellers": top_resellers_table,
    "top-products": top_products_table,
}
