"""Template helpers of the console pages: percentages, bind-source names, the dashboard block."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from distribution.models import BindSource

register = template.Library()


@register.filter
def percent(fraction: Decimal | None) -> str:
    """``Decimal("0.2500")`` → ``"25.00%"``; ``—`` when there is nothing to divide by."""
    if fraction is None:
        return "—"
    return f"{fraction * 100:.2f}%"


def percent_value(fraction: Decimal | None) -> Decimal | None:
    """The number an export writes for a rate: percent with 2 places."""
    return None if fraction is None else (fraction * 100).quantize(Decimal("0.01"))


@register.filter
def source_label(source: str) -> str:
    """A bind source's name; the empty source is a member who joined without an inviter."""
    if not source:
        return _("none")
    return str(dict(BindSource.choices).get(source, source))


@register.inclusion_tag("console/dashboard.html", takes_context=True)
def console_dashboard(context: template.Context) -> dict:
    """The dashboard block on the admin home, for staff with ``console.view_dashboard``."""
    from console.selectors.dashboard import dashboard

    request = context["request"]
    if not request.user.has_perm("console.view_dashboard"):
        return {"allowed": False}
    return {"allowed": True, "request": request, **dashboard(user=request.user),
            "can_view_reports": request.user.has_perm("console.view_reports")}


@register.filter
def cohort_retention(cohort, days: int) -> Decimal | None:
    return cohort.retention(int(days))


@register.filter
def cohort_ltv(cohort, days: int) -> Decimal | None:
    return cohort.ltv(int(days))


@register.filter
def repurchase_rate(result, days: int) -> Decimal | None:
    return result.rate(int(days))


@register.filter
def add_money(a: Decimal, b: Decimal) -> Decimal:
    return a + b
