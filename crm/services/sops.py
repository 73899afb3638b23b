"""SOPs (journey automation): who enters, and queueing each due step into the outbox.

Definitions (also in crm/README.md), all in Asia/Shanghai:

- **entry**: an active SOP takes the members of its pack (or of its own pack conditions,
  ``services/packs.py``), restricted to the members bound directly under its owner when it
  has one. A member is in at most one active SOP per owner (the platform is one owner): the
  older SOP (lower id) wins; a member enters each SOP at most once. An SOP whose steps are all
  "day N after joining" takes only members who joined within its last step's day + 2.
- **a step's occasion**: ``joined`` day N — the member's join date + N; ``first_order`` day
  N — the date of their first paid (not cancelled) order + N; ``weekly`` — every date on that
  weekday; ``date`` — that date. Its due moment is that date at ``send_time``. A due moment
  is queued when it is at most ``CATCH_UP`` old (the beat runs every few minutes; older ones
  are missed, never sent late in a burst).
- **once**: the outbox row is keyed by (``sop``, step id, occasion date, member), so a re-run
  queues nothing twice. The anti-disturbance rule is the dispatcher's, as for every message.
- **leaving**: when an SOP is switched off all its members leave; an SOP whose steps are all
  "day N after joining" lets a member go once their last step is 2 days behind them.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from crm.errors import SopStepInvalid, SopStepsTooClose
from crm.models import Sop, SopEnrollment, SopStep, SourceKind, Trigger
from crm.rules import REACH_TIME_ZONE, local
from crm.services.outbox import messages_enqueue
from crm.services.packs import conditions_clean, pack_members
from orders.models import Order, OrderState

MIN_GAP_MINUTES = 30
CATCH_UP = timedelta(hours=24)
_WEEK = 7 * 1440


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def steps_check(*, steps: list[SopStep]) -> None:
    """Refuse a step without its weekday / date, and two steps of one kind of trigger less than
    30 minutes apart (weekly ones around the week). Steps of different kinds count from
    different moments (joining, a first order, the calendar) and cannot be compared."""
    points: dict[str, list[int]] = defaultdict(list)
    for step in steps:
        if (step.trigger == Trigger.WEEKLY and not step.weekday) or (
                step.trigger == Trigger.DATE and not step.on_date):
            raise SopStepInvalid
        day = {Trigger.WEEKLY: step.weekday or 0,
               Trigger.DATE: step.on_date.toordinal() if step.on_date else 0}.get(step.trigger, step.day)
        points[step.trigger].append(day * 1440 + _minutes(step.send_time))
    for trigger, values in points.items():
        values.sort()
        gaps = [b - a for a, b in pairwise(values)]
        if trigger == Trigger.WEEKLY and len(values) > 1:
            gaps.append(values[0] + _WEEK - values[-1])
        if any(gap < MIN_GAP_MINUTES for gap in gaps):
            raise SopStepsTooClose


@transaction.atomic
def sop_create(*, name: str, steps: list[SopStep], conditions: dict | None = None, pack=None,
               owner=None, is_active: bool = False) -> Sop:
    """An SOP with its steps (unsaved ``SopStep`` objects), checked as the admin checks them."""
    steps_check(steps=steps)
    sop = Sop.objects.create(name=name, conditions=conditions_clean(conditions or {}), pack=pack, owner=owner,
                             is_active=is_active)
    for position, step in enumerate(steps):
        step.sop, step.position = sop, position
    SopStep.objects.bulk_create(steps)
    return sop


def sop_entry_conditions(*, sop: Sop) -> dict:
    conditions = dict(sop.pack.conditions if sop.pack_id else conditions_clean(sop.conditions))
    if sop.owner_id:
        conditions["reseller_user_ids"] = [sop.owner_id]
    return conditions


def _joined_only_horizon(sop: Sop, steps: list[SopStep]) -> int | None:
    if steps and all(step.trigger == Trigger.JOINED for step in steps):
        return max(step.day for step in steps) + 2
    return None


def sops_enroll(*, now: datetime) -> int:
    """Let matching members enter the active SOPs (oldest SOP first). Returns the members
    offered entry (a member the constraints refuse is offered but does not enter)."""
    entered = 0
    for sop in Sop.objects.filter(is_active=True).select_related("pack").order_by("pk"):
        candidates = pack_members(conditions=sop_entry_conditions(sop=sop))
        horizon = _joined_only_horizon(sop, list(sop.steps.all()))
        if horizon is not None:
            candidates = candidates.filter(date_joined__gte=now - timedelta(days=horizon))
        taken = SopEnrollment.objects.filter(owner_key=sop.owner_key, is_active=True).values("user_id")
        been = SopEnrollment.objects.filter(sop=sop).values("user_id")
        ids = list(candidates.exclude(pk__in=taken).exclude(pk__in=been))
        for start in range(0, len(ids), 2000):
            with transaction.atomic():  # the unique constraints settle a race with another run
                created = SopEnrollment.objects.bulk_create(
                    [SopEnrollment(sop=sop, user_id=uid, owner_key=sop.owner_key, enrolled_at=now)
                     for uid in ids[start:start + 2000]], ignore_conflicts=True)
            entered += len(created)
    return entered


def sop_enrollments_finish(*, now: datetime) -> int:
    """End the enrollments of switched-off SOPs and of finished "day N after joining" ones."""
    active = SopEnrollment.objects.filter(is_active=True)
    ended = active.filter(sop__is_active=False).update(is_active=False, ended_at=now)
    for sop in Sop.objects.filter(is_active=True).prefetch_related("steps"):
        horizon = _joined_only_horizon(sop, list(sop.steps.all()))
        if horizon is not None:
            ended += active.filter(sop=sop, user__date_joined__lt=now - timedelta(days=horizon)).update(
                is_active=False, ended_at=now)
    return ended


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=REACH_TIME_ZONE)
    return start, start + timedelta(days=1)


def step_members(*, step: SopStep, occasion: date) -> QuerySet:
    """The members in the step's SOP whose occasion of this step is ``occasion``."""
    members = SopEnrollment.objects.filter(sop_id=step.sop_id, is_active=True).values_list("user_id",
                                                                                          flat=True)
    anchor = occasion - timedelta(days=step.day)
    if step.trigger == Trigger.JOINED:
        return members.filter(user__date_joined__range=_day_range(anchor))
    if step.trigger == Trigger.FIRST_ORDER:
        first = (Order.objects.filter(user_id__in=members.values("user_id"), paid_at__isnull=False)
                 .exclude(state=OrderState.CANCELLED).order_by().values("user_id")
                 .annotate(first=Min("paid_at")))
        start, end = _day_range(anchor)
        return first.filter(first__gte=start, first__lt=end).values_list("user_id", flat=True)
    if step.trigger == Trigger.WEEKLY and occasion.isoweekday() != step.weekday:
        return members.none()
    if step.trigger == Trigger.DATE and occasion != step.on_date:
        return members.none()
    return members


def sop_steps_enqueue(*, now: datetime | None = None) -> int:
    """Queue every due step occasion (at most ``CATCH_UP`` old) of the active SOPs into the
    outbox, not before its due moment. Safe to run twice. Returns the members offered."""
    now = now or timezone.now()
    today = local(now).date()
    offered = 0
    for step in SopStep.objects.filter(sop__is_active=True).select_related("template"):
        for occasion in (today - timedelta(days=1), today):
            due = datetime.combine(occasion, step.send_time, tzinfo=REACH_TIME_ZONE)
            if not now - CATCH_UP < due <= now:
                continue
            ids = list(step_members(step=step, occasion=occasion))
            if ids:
                offered += messages_enqueue(template=step.template, user_ids=ids, source_kind=SourceKind.SOP,
                                            source_id=step.pk, occasion=occasion.isoformat(), not_before=due)
    return offered


def sops_run(*, now: datetime | None = None) -> dict[str, int]:
    """The beat's work: members leave, enter, and due steps are queued."""
    now = now or timezone.now()
    ended = sop_enrollments_finish(now=now)
    entered = sops_enroll(now=now)
    return {"ended": ended, "entered": entered, "offered": sop_steps_enqueue(now=now)}
