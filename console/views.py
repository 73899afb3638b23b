"""The console's pages under /admin/console/: reports and exports.

Every view is wrapped by ``admin.site.admin_view`` (a signed-in, active staff member; others
go to the admin sign-in page) and then needs one named permission of ``ConsoleAccess``
(403 without it). The views only read the form and call the selectors and writers.
"""

from collections.abc import Callable

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from console.exports.finance import FINANCE_EXPORTS
from console.exports.reports import REPORT_TABLES
from console.exports.writers import export_response
from console.forms import DateRangeForm, ReportFilterForm
from console.selectors.cohorts import LTV_DAYS, RETENTION_DAYS, repurchase, sign_up_cohorts
from console.selectors.dashboard import CHART_DAYS, chart_series
from console.selectors.figures import (
    liability_by_day,
    new_members_by_inviter,
    new_members_by_source,
    sales_by_day,
    sales_summary,
    top_products,
    top_resellers,
)

FORMATS = ("csv", "xlsx")


def staff_view(permission: str) -> Callable:
    """Staff only (the admin's sign-in), then ``console.<permission>`` or 403."""

    def decorate(view: Callable) -> Callable:
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(f"console.{permission}"):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        checked.__name__ = view.__name__
        return admin.site.admin_view(checked)

    return decorate


@staff_view("view_reports")
def reports(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET)
    f = form.report_filter()
    sales = sales_by_day(f)
    liability = liability_by_day(f)
    context = {
        **admin.site.each_context(request),
        "title": _("Reports"),
        "form": form,
        "filter": f,
        "query": request.GET.urlencode(),
        "summary": sales_summary(f),
        "sales": sales,
        "members_by_source": new_members_by_source(f),
        "members_by_inviter": new_members_by_inviter(f),
        "cohorts": sign_up_cohorts(f),
        "retention_days": RETENTION_DAYS,
        "ltv_days": LTV_DAYS,
        "repurchase": repurchase(f),
        "liability": liability,
        "top_resellers": top_resellers(f),
        "top_products": top_products(f),
        "charts": chart_series(f),
        "chart_days": CHART_DAYS,
        "can_export": request.user.has_perm("console.export_reports"),
        "can_export_finance": request.user.has_perm("console.export_finance"),
        "finance_exports": [(key, label) for key, (label, _t) in FINANCE_EXPORTS.items()],
    }
    return render(request, "console/reports.html", context)


@staff_view("export_reports")
def export_report(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in REPORT_TABLES or fmt not in FORMATS:
        raise Http404
    return export_response(REPORT_TABLES[table](ReportFilterForm(request.GET).report_filter()), fmt)


@staff_view("export_finance")
def export_finance(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    if dataset not in FINANCE_EXPORTS or fmt not in FORMATS:
        raise Http404
    form = DateRangeForm(request.GET)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    first, last = form.range()
    return export_response(FINANCE_EXPORTS[dataset][1](first, last), fmt)
