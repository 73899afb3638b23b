"""The commission engine: attribution snapshot at checkout, records at payment,
recomputation at refund, settlement by sweep.

Called through the ``orders`` hooks, inside the transaction of the order change that
fires them (see ``orders/hooks.py``): snapshot with the order, records with the payment,
clawback with the refund. Lock order everywhere: order → items → commission records →
wallets (by id), the same as ``orders`` takes order → items.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from common.db import ModelInsert, insert_rows
from common.fields import money_sum
from common.metrics import COMMISSION_RECORDS_CREATED, COMMISSION_RECORDS_SETTLED, count_committed
from common.money import RATE_PLACES, ZERO, from_fen, to_fen
from distribution import lock_objects
from distribution.commission.calc import TierTerm, item_commissions
from distribution.commission.services.rules import level_rates_get, product_terms_get, rules_get
from distribution.models import (
    AttributionPolicy,
    CommissionPlan,
    CommissionRecord,
    CommissionRules,
    Member,
    OrderAttribution,
    ProductCommission,
)
from distribution.referral.selectors import member_chain
from distribution.referral.services.members import member_record_paid_sales
from distribution.wallet.services.wallet import wallet_credit_commissions, wallet_reverse_commission
from orders.models import Order, OrderItem

SETTLE_BATCH = 1000
logger = logging.getLogger(__name__)


# --- checkout: the snapshot ------------------------------------------------------------


def _attributed_reseller(*, order: Order, buyer: Member | None, upline: Member | None,
                         rules: CommissionRules) -> Member | None:
    """Who the order is credited to (tier 1), by the attribution policy.

    - self-purchase on, buyer an active reseller → the buyer;
    - ``binding`` → the buyer's upline; an unbound buyer → the shop's owner;
    - ``last_click`` → the shop's owner; the platform shop → the buyer's upline.
    """
    if buyer is not None and rules.self_purchase and buyer.is_reseller and buyer.is_active:
        return buyer
    owner_id = order.shop.owner_id
    if owner_id is None or owner_id == order.user_id:
        return upline
    if rules.attribution_policy == AttributionPolicy.BINDING and upline is not None:
        return upline
    return Member.objects.filter(user_id=owner_id).first() or upline


def _earning(members: list[Member], *, buyer: Member | None, self_purchase: bool) -> list[tuple[int, Member]]:
    """(tier, member) for a chain that starts at tier 1. A tier whose member is not an
    active reseller is skipped, not shifted up; so is the buyer (unless self-purchase is
    on) — nobody earns on their own purchase by default."""
    return [(tier, member) for tier, member in enumerate(members, start=1)
            if member.is_reseller and member.is_active
            and (buyer is None or member.pk != buyer.pk or self_purchase)]


def beneficiary_chain(*, reseller: Member | None, buyer: Member | None, tiers: int,
                      self_purchase: bool) -> list[tuple[int, Member]]:
    """(tier, member) for tiers 1..N up the parent chain from the attributed reseller, in
    one query (a recursive walk of ``parent_id``, never ``lft``/``rght``)."""
    if reseller is None:
        return []
    return _earning(member_chain(reseller.pk, length=tiers), buyer=buyer, self_purchase=self_purchase)


def term_for(*, tier: int, member: Member, override: ProductCommission | None,
              level_rates: dict[tuple[int, int], Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """(rate, fixed per unit) in force for this tier; (None, None) when nothing is set."""
    if override is not None:
        value = override.value_for(tier)
        if override.mode == ProductCommission.Mode.FIXED:
            return None, value
        return value, None
    if member.level_id is None:
        return None, None
    rate = level_rates.get((member.level_id, tier))
    return (rate, None) if rate is not None else (None, None)


_ATTRIBUTION_INSERT = ModelInsert(OrderAttribution)  # one per checkout
PLAN_COLUMNS = ("order_item_id", "tier", "beneficiary_id", "level_name", "rate", "fixed_per_unit")


def commission_snapshot_for_order(*, order: Order, items: list[OrderItem] | None = None) -> OrderAttribution:
    """``order_created`` handler: freeze who earns what on this order.

    On the checkout path, so it reads little: one walk up from the buyer (the buyer, the
    upline and their uplines, with level names), the product terms of the items, then the
    attribution and the plans. The items come with the hook (``order_create`` just wrote
    them); the rules and level rates are cached.
    """
    rules = rules_get()
    up = member_chain(user_id=order.user_id, length=rules.tiers + 1)
    buyer = up[0] if up else None
    upline = up[1] if len(up) > 1 else None
    reseller = _attributed_reseller(order=order, buyer=buyer, upline=upline, rules=rules)
    if reseller is None:
        members = []
    elif buyer is not None and reseller.pk == buyer.pk:
        members = up[:rules.tiers]
    elif upline is not None and reseller.pk == upline.pk:
        members = up[1:rules.tiers + 1]
    else:  # the shop's owner, outside the buyer's chain
        members = member_chain(reseller.pk, length=rules.tiers)
    chain = _earning(members, buyer=buyer, self_purchase=rules.self_purchase)
    attribution = _ATTRIBUTION_INSERT.save(OrderAttribution(
        order=order, buyer=buyer, reseller=reseller, policy=rules.attribution_policy,
        tiers=rules.tiers, cap_rate=rules.global_cap_rate,
    ))
    if not chain:
        return attribution
    items = list(order.items.all()) if items is None else items
    overrides = product_terms_get([i.product_id for i in items])
    level_rates = level_rates_get()
    plans = []
    for item in items:
        for tier, member in chain:
            rate, fixed = term_for(tier=tier, member=member, override=overrides.get(item.product_id),
                                    level_rates=level_rates)
            if rate is None and fixed is None:
                continue
            plans.append((item.pk, tier, member.pk, member.level_name_, rate,
                          None if fixed is None else to_fen(fixed)))
    # On every checkout's path: one multi-row INSERT, no model instances (see the records).
    insert_rows(CommissionPlan._meta.db_table, PLAN_COLUMNS, plans)
    return attribution


# --- payment: the records ------------------------------------------------------------


def _plan_terms(plans: list[CommissionPlan]) -> list[TierTerm]:
    return [TierTerm(tier=p.tier, beneficiary_id=p.beneficiary_id, rate=p.rate,
                     fixed_per_unit=p.fixed_per_unit) for p in plans]


def _item_amounts(*, item: OrderItem, plans: list[CommissionPlan], cap_rate: Decimal) -> dict[int, Decimal]:
    """Amounts per tier on what is still paid for this item (paid − refunded)."""
    return item_commissions(
        base=item.paid_amount - item.refunded_amount,
        quantity=item.quantity - item.refunded_quantity,
        unit_cost=item.cost_price, cap_rate=cap_rate, terms=_plan_terms(plans),
    )


def _plans_sql() -> str:
    plan, item = CommissionPlan._meta.db_table, OrderItem._meta.db_table
    attribution = OrderAttribution._meta.db_table
    return (f"SELECT p.order_item_id, p.tier, p.beneficiary_id, p.level_name, p.rate, p.fixed_per_unit,"  # noqa: S608
            f" i.paid_amount, i.quantity, i.cost_price, a.cap_rate FROM {plan} p"
            f" JOIN {item} i ON i.id = p.order_item_id JOIN {attribution} a ON a.order_id = i.order_id"
            f" WHERE i.order_id = %s ORDER BY p.order_item_id, p.tier")


def _rate(value: object) -> Decimal | None:
    """A rate column as read by a raw query: Decimal on PostgreSQL, float on SQLite."""
    return None if value is None else Decimal(str(value)).quantize(RATE_PLACES)


RECORD_COLUMNS = ("order_id", "order_item_id", "beneficiary_id", "tier", "level_name", "base_amount", "rate",
                  "fixed_per_unit", "original_amount", "amount", "reversed_amount", "state", "created_at")


def commission_create_for_order(*, order: Order) -> int:
    """``order_paid`` handler: one pending record per item × beneficiary × tier, and the
    buyer's own paid sales; returns how many records it wrote. Runs once per payment (the
    hook fires once, inside the payment's transaction); the unique constraint backs it up.

    Three statements: the buyer's sales UPDATE, the plans with their items' amounts and
    the cap, one multi-row INSERT. They are SQL built from the models' tables, because this
    is on every payment's path and the ORM's query building cost more than the queries
    (``make bench BENCH_ARGS=commission``: 3.7x the raw floor through the ORM, 1.5x now).
    Amounts are fen in the database (``common.fields``), converted here both ways; the
    arithmetic is ``calc``'s.
    Nothing is refunded yet at payment, so the base is the paid amount.
    """
    with connection.cursor() as cursor:
        sales = to_fen(order.subtotal - order.discount_amount)
        cursor.execute(f"UPDATE {Member._meta.db_table} SET own_paid_sales = own_paid_sales + %s"  # noqa: S608
                       f" WHERE user_id = %s", [sales, order.user_id])
        cursor.execute(_plans_sql(), [order.pk])
        rows = cursor.fetchall()
    by_item: dict[int, list[tuple]] = {}
    for row in rows:
        by_item.setdefault(row[0], []).append(row)
    records: list[tuple] = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for item_id, plans in by_item.items():
        _, _, _, _, _, _, paid_fen, quantity, cost_fen, cap_rate = plans[0]
        paid = from_fen(int(paid_fen))
        terms = [TierTerm(tier=p[1], beneficiary_id=p[2], rate=_rate(p[4]),
                          fixed_per_unit=None if p[5] is None else from_fen(int(p[5]))) for p in plans]
        amounts = item_commissions(base=paid, quantity=quantity, unit_cost=from_fen(int(cost_fen)),
                                   cap_rate=_rate(cap_rate), terms=terms)
        for p, term in zip(plans, terms, strict=True):
            if amounts[p[1]] > 0:
                fen = to_fen(amounts[p[1]])
                records.append((order.pk, item_id, p[2], p[1], p[3], int(paid_fen), term.rate, p[5], fen, fen,
                                0, CommissionRecord.State.PENDING, now))
    created = insert_rows(CommissionRecord._meta.db_table, RECORD_COLUMNS, records)
    count_committed(COMMISSION_RECORDS_CREATED, created)
    logger.info("order %s: %s commission records, %s fen in all", order.number, created,
                sum(r[9] for r in records))
    return created


# --- refund: recompute and claw back ---------------------------------------------------


def commission_recompute_for_item(*, order_item: OrderItem, refund_amount: Decimal) -> None:
    """``item_refunded`` handler: recompute the item's commissions on what is still paid,
    at the recorded terms; take the difference back.

    ``order_item`` already carries the refund in ``refunded_amount``/``refunded_quantity``;
    ``refund_amount`` is what this refund gave back (it comes off the buyer's own paid
    sales). A pending record is reduced (cancelled at 0); a settled one is reversed with a negative
    ledger entry, which may leave the wallet in debt.
    """
    attribution = OrderAttribution.objects.filter(order_id=order_item.order_id).first()
    buyer_id = attribution.buyer_id if attribution else None
    if buyer_id is not None:
        member_record_paid_sales(member_id=buyer_id, amount=-refund_amount)
    records = lock_objects.commission_records_lock_for_item(order_item_id=order_item.pk)
    if not records or attribution is None:
        return
    plans = list(CommissionPlan.objects.filter(order_item=order_item).order_by("tier"))
    new_amounts = _item_amounts(item=order_item, plans=plans, cap_rate=attribution.cap_rate)
    now = timezone.now()
    for record in records:
        target = new_amounts.get(record.tier, ZERO)
        delta = record.amount - target
        if delta <= 0 or record.state == CommissionRecord.State.CANCELLED:
            continue
        record.amount = target
        fields = ["amount"]
        if record.state == CommissionRecord.State.PENDING:
            if target == 0:
                record.state, record.cancelled_at = CommissionRecord.State.CANCELLED, now
                fields += ["state", "cancelled_at"]
        else:
            record.reversed_amount += delta
            fields.append("reversed_amount")
            wallet_reverse_commission(member_id=record.beneficiary_id, record_id=record.pk, amount=delta,
                                      reason=f"refund order item {order_item.pk}")
        logger.info("order %s item %s refund: commission record #%s %s → %s (%s)", order_item.order.number,
                    order_item.pk, record.pk, record.amount + delta, target, record.state)
        record.save(update_fields=fields)


# --- settlement sweep ------------------------------------------------------------------


@dataclass(frozen=True)
class SettleResult:
    records: int
    amount: Decimal
    members: frozenset[int]


def commissions_settle_due(*, now: datetime | None = None, batch: int = SETTLE_BATCH,
                           max_batches: int | None = None) -> SettleResult:
    """Sweep: settle every pending record whose item window has closed (``orders`` closes a
    window only when no after-sale is open on the item).

    Each batch is one transaction: a conditional ``UPDATE … WHERE state = 'pending'``
    returns the rows it changed, and only those are credited. Two sweeps at once never
    settle a record twice (the second's UPDATE finds it settled); a sweep killed mid-batch
    rolls that batch back whole; the ledger's unique (record, credit) is the backstop.
    """
    now = now or timezone.now()
    total, amount, members, done = 0, ZERO, set(), 0
    while max_batches is None or done < max_batches:
        ids = list(CommissionRecord.objects
                   .filter(state=CommissionRecord.State.PENDING, order_item__window_closed_at__isnull=False)
                   .order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        settled = _settle_batch(ids=ids, now=now)
        done += 1
        total += len(settled)
        amount += sum((a for _, _, a in settled), ZERO)
        members.update(m for _, m, _ in settled)
    return SettleResult(records=total, amount=amount, members=frozenset(members))


@transaction.atomic
def _settle_batch(*, ids: list[int], now: datetime) -> list[tuple[int, int, Decimal]]:
    table = CommissionRecord._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, settled_at = %s"  # noqa: S608 - placeholders only
            f" WHERE id IN ({marks}) AND state = %s RETURNING id, beneficiary_id, amount",
            [CommissionRecord.State.SETTLED, now, *ids, CommissionRecord.State.PENDING],
        )
        settled = [(rid, mid, from_fen(a)) for rid, mid, a in cursor.fetchall()]  # amounts in fen
    if settled:
        wallet_credit_commissions(credits=settled)
        count_committed(COMMISSION_RECORDS_SETTLED, len(settled))
        logger.info("settlement batch: %s records (#%s–#%s), %s to %s wallets", len(settled), settled[0][0],
                    settled[-1][0], sum((a for _, _, a in settled), ZERO), len({m for _, m, _ in settled}))
    return settled


def member_settled_commission(*, member_id: int) -> Decimal:
    """What the member has earned for good (settled, after any clawback)."""
    return (CommissionRecord.objects.filter(beneficiary_id=member_id, state=CommissionRecord.State.SETTLED)
            .aggregate(s=money_sum("amount"))["s"])
