"""The only writer of the partner ledger (append-only), and of ``Partner.budget_used``.

Each entry is written once per ``ref`` (a unique constraint): a retried hook or task never
posts twice. The budget moves with its entry in the same transaction, by a guarded UPDATE,
so concurrent orders never fund more than the budget (I9).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from common.fields import money_sum, money_value
from promotions.errors import PartnerBudgetExhausted
from promotions.models import Partner, PartnerEntryKind, PartnerLedgerEntry

BUDGET_KINDS = (PartnerEntryKind.FUNDED_DISCOUNT, PartnerEntryKind.DISCOUNT_CREDIT)


def _post(
    *, partner_id: int, kind: str, amount: Decimal, ref: str, order_number: str = ""
) -> PartnerLedgerEntry:
    return PartnerLedgerEntry.objects.create(
        partner_id=partner_id, kind=kind, amount=amount, ref=ref, order_number=order_number
    )


@transaction.atomic
def partner_budget_charge(
    *, partner_id: int, amount: Decimal, ref: str, order_number: str
) -> PartnerLedgerEntry:
    """Charge a funded discount to the partner's budget, or ``PartnerBudgetExhausted``."""
    charged = Partner.objects.filter(
        pk=partner_id, is_active=True, budget_used__lte=F("budget") - money_value(amount)
    ).update(budget_used=F("budget_used") + money_value(amount))
    if not charged:
        raise PartnerBudgetExhausted()
    return _post(
        partner_id=partner_id,
        kind=PartnerEntryKind.FUNDED_DISCOUNT,
        amount=amount,
        ref=ref,
        order_number=order_number,
    )


@transaction.atomic
def partner_budget_credit(
    *, partner_id: int, amount: Decimal, ref: str, order_number: str
) -> PartnerLedgerEntry | None:
    """Give a funded discount (or part of it) back to the budget, once per ``ref``."""
    if amount <= 0 or PartnerLedgerEntry.objects.filter(partner_id=partner_id, ref=ref).exists():
        return None
    Partner.objects.filter(pk=partner_id).update(budget_used=F("budget_used") - money_value(amount))
    return _post(
        partner_id=partner_id,
        kind=PartnerEntryKind.DISCOUNT_CREDIT,
        amount=-amount,
        ref=ref,
        order_number=order_number,
    )


def partner_voucher_fee(*, partner_id: int, amount: Decimal, ref: str) -> PartnerLedgerEntry:
    return _post(partner_id=partner_id, kind=PartnerEntryKind.VOUCHER_FEE, amount=amount, ref=ref)


def partner_entries_sum(*, partner_id: int, kinds: tuple[str, ...] | None = None) -> Decimal:
    entries = PartnerLedgerEntry.objects.filter(partner_id=partner_id)
    if kinds is not None:
        entries = entries.filter(kind__in=kinds)
    return entries.aggregate(total=money_sum("amount"))["total"]
