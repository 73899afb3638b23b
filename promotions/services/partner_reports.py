"""Partner statements (monthly, CSV and Excel) and the nightly reconciliation."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exports import cell_formatter, xlsx_write
from common.money import ZERO
from promotions.models import (
    Coupon,
    CouponState,
    Partner,
    PartnerEntryKind,
    PartnerLedgerEntry,
    PartnerVoucher,
    VoucherState,
)
from promotions.services.partner_ledger import BUDGET_KINDS, partner_entries_sum


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=tz)
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, tzinfo=tz)


def statement_entries(*, partner: Partner, month: date) -> QuerySet[PartnerLedgerEntry]:
    start, end = month_bounds(month)
    return partner.entries.filter(created_at__gte=start, created_at__lt=end).order_by("created_at", "pk")


HEADER = ("time", "kind", "reference", "order", "amount")


def _rows(partner: Partner, month: date) -> tuple[list[tuple], Decimal]:
    entries = list(statement_entries(partner=partner, month=month))
    kinds = dict(PartnerEntryKind.choices)
    rows = [
        (
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            str(kinds[e.kind]),
            e.ref,
            e.order_number,
            e.amount,
        )
        for e in entries
    ]
    return rows, sum((e.amount for e in entries), ZERO)


def _header() -> list[str]:
    return [_("Time"), _("Kind"), _("Reference"), _("Order"), _("Amount (CNY)")]


def statement_csv(*, partner: Partner, month: date) -> str:
    rows, total = _rows(partner, month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    fmt = cell_formatter()  # text that starts like a formula is defused, as in the Excel file
    writer.writerows([(*(fmt(value) for value in row[:4]), f"{row[4]:.2f}") for row in rows])
    writer.writerow([_("Total"), "", "", "", f"{total:.2f}"])
    return "\ufeff" + out.getvalue()  # a BOM: Excel opens UTF-8 CSV with Chinese correctly


def statement_xlsx(*, partner: Partner, month: date) -> bytes:
    rows, total = _rows(partner, month)
    out = io.BytesIO()
    xlsx_write(
        out,
        sheet=month.strftime("%Y-%m"),
        title=f"{partner.name} · {month:%Y-%m}",
        headers=_header(),
        rows=[*rows, (_("Total"), "", "", "", total)],
    )
    return out.getvalue()


@dataclass
class ReconcileReport:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def partners_reconcile() -> ReconcileReport:
    """Each partner's ``budget_used`` equals its funded minus credited entries; every used
    partner-funded coupon has its funded entry; every verified voucher has exactly one fee."""
    report = ReconcileReport()
    for partner in Partner.objects.order_by("pk"):
        in_ledger = partner_entries_sum(partner_id=partner.pk, kinds=BUDGET_KINDS)
        if in_ledger != partner.budget_used:
            report.problems.append(
                f"partner {partner.pk}: budget_used {partner.budget_used} != ledger {in_ledger}"
            )
    refs = set(PartnerLedgerEntry.objects.values_list("partner_id", "ref"))
    used = Coupon.objects.filter(state=CouponState.USED, funded_by__isnull=False, order__isnull=False)
    for partner_id, order_id in used.values_list("funded_by_id", "order_id"):
        if (partner_id, f"order:{order_id}") not in refs:
            report.problems.append(f"partner {partner_id}: order {order_id} has no funded entry")
    verified = PartnerVoucher.objects.filter(state=VoucherState.VERIFIED)
    for partner_id, voucher_id in verified.values_list("offer__partner_id", "pk"):
        if (partner_id, f"voucher:{voucher_id}") not in refs:
            report.problems.append(f"partner {partner_id}: verified voucher {voucher_id} has no fee entry")
    return report
