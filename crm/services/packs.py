"""Audience packs (人群包): conditions, a preview count, a send that freezes the member list,
and a small-group test — a random ``test_percent`` first, a ``holdout_percent`` that gets
nothing (the control), then the release to the rest.

Conditions (all optional; a member must meet every one given):

- ``stages``: list of stages (``new``, ``active``, ``asleep``, ``lost``);
- ``tags_any``: tag ids, at least one of them;
- ``min_spend``: spend at least this (yuan, a string such as ``"100.00"``);
- ``ordered_within_days`` / ``no_order_for_days``: last paid order at most / at least N
  days before the profile's day (members without an order count as "no order");
- ``koc``: true / false;
- ``shop_ids``: members with a paid order through one of these shops;
- ``reseller_user_ids``: members bound directly under one of these resellers (their customers).

Stage, spend, days and KOC come from the daily profile (``services/profiles.py``).
"""

import random
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.money import to_money
from crm.errors import PackConditionInvalid, PackSendNotTesting
from crm.models import AudiencePack, MessageTemplate, PackMember, PackSend, SourceKind, Stage
from crm.services.outbox import messages_enqueue
from mall.models import User
from orders.models import Order, OrderState

_LIST_KEYS = ("stages", "tags_any", "shop_ids", "reseller_user_ids")
_INT_KEYS = ("ordered_within_days", "no_order_for_days")
CONVERSION_DAYS = 7


def _ints(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise PackConditionInvalid
    return value


def conditions_clean(conditions: Any) -> dict[str, Any]:
    """The conditions, checked; anything unknown or malformed is ``PackConditionInvalid``."""
    if not isinstance(conditions, dict) or set(conditions) - {*_LIST_KEYS, *_INT_KEYS, "min_spend", "koc"}:
        raise PackConditionInvalid
    clean: dict[str, Any] = {}
    for key, value in conditions.items():
        if key == "stages":
            if not isinstance(value, list) or not set(value) <= set(Stage.values):
                raise PackConditionInvalid
            clean[key] = value
        elif key in _LIST_KEYS:
            clean[key] = _ints(value)
        elif key in _INT_KEYS:
            clean[key] = _ints([value])[0]
        elif key == "koc":
            if not isinstance(value, bool):
                raise PackConditionInvalid
            clean[key] = value
        else:
            try:
                clean[key] = str(to_money(Decimal(str(value))))
            except (InvalidOperation, ValueError) as exc:
                raise PackConditionInvalid from exc
    return clean


def pack_members(*, conditions: dict[str, Any]) -> QuerySet:
    """Ids of the members matching ``conditions`` (a lazy query: count it, or freeze it)."""
    c = conditions_clean(conditions)
    q = Q(is_active=True, crm_profile__isnull=False)
    if "stages" in c:
        q &= Q(crm_profile__stage__in=c["stages"])
    if "tags_any" in c:
        q &= Q(pk__in=User.objects.filter(crm_tags__tag_id__in=c["tags_any"]).values("pk"))
    if "min_spend" in c:
        q &= Q(crm_profile__spend__gte=Decimal(c["min_spend"]))
    now = timezone.now()
    if "ordered_within_days" in c:
        q &= Q(crm_profile__last_paid_at__gte=now - timedelta(days=c["ordered_within_days"]))
    if "no_order_for_days" in c:
        cutoff = now - timedelta(days=c["no_order_for_days"])
        q &= Q(crm_profile__last_paid_at__lt=cutoff) | Q(crm_profile__last_paid_at__isnull=True)
    if "koc" in c:
        q &= Q(crm_profile__is_koc=c["koc"])
    if "shop_ids" in c:
        paid = Order.objects.filter(shop_id__in=c["shop_ids"], paid_at__isnull=False).exclude(
            state=OrderState.CANCELLED)
        q &= Q(pk__in=paid.values("user_id"))
    if "reseller_user_ids" in c:
        q &= Q(member__parent__user_id__in=c["reseller_user_ids"])
    return User.objects.filter(q).values_list("pk", flat=True).order_by("pk")


def pack_preview_count(*, conditions: dict[str, Any]) -> int:
    return pack_members(conditions=conditions).count()


def pack_save(*, name: str, conditions: dict[str, Any], operator: User | None) -> AudiencePack:
    clean = conditions_clean(conditions)
    return AudiencePack.objects.create(name=name, conditions=clean, created_by=operator)


def pack_send(*, pack: AudiencePack, template: MessageTemplate, operator: User | None,
              test_percent: int = 100, holdout_percent: int = 0, seed: int | None = None) -> PackSend:
    """Freeze the pack's members now and message the test group (everyone at 100 %)."""
    if not (1 <= test_percent <= 100 and 0 <= holdout_percent <= 50
            and test_percent + holdout_percent <= 100):
        raise PackConditionInvalid
    ids = list(pack_members(conditions=pack.conditions))
    random.Random(seed).shuffle(ids)  # noqa: S311 - a fair split, not a secret
    n_test, n_hold = len(ids) * test_percent // 100, len(ids) * holdout_percent // 100
    groups = {PackMember.Group.TEST: ids[:n_test],
              PackMember.Group.HOLDOUT: ids[n_test:n_test + n_hold],
              PackMember.Group.REST: ids[n_test + n_hold:]}
    with transaction.atomic():
        send = PackSend.objects.create(
            pack=pack, template=template, test_percent=test_percent, holdout_percent=holdout_percent,
            frozen_count=len(ids), created_by=operator,
            state=PackSend.State.RELEASED if test_percent == 100 else PackSend.State.TESTING)
        PackMember.objects.bulk_create([PackMember(send=send, user_id=uid, group=g)
                                        for g, members in groups.items() for uid in members], batch_size=2000)
    messages_enqueue(template=template, user_ids=groups[PackMember.Group.TEST],
                     source_kind=SourceKind.PACK, source_id=send.pk, occasion="test")
    return send


def pack_send_release(*, send: PackSend) -> int:
    """Message the rest of the frozen list (never the hold-out); once."""
    if not PackSend.objects.filter(pk=send.pk, state=PackSend.State.TESTING).update(
            state=PackSend.State.RELEASED, released_at=timezone.now()):
        raise PackSendNotTesting
    rest = list(send.members.filter(group=PackMember.Group.REST).values_list("user_id", flat=True))
    return messages_enqueue(template=send.template, user_ids=rest, source_kind=SourceKind.PACK,
                            source_id=send.pk, occasion="rest")


def pack_send_conversion(*, send: PackSend) -> dict[str, dict[str, int]]:
    """Per group: members, and members with a paid order within 7 days of the send."""
    end = send.created_at + timedelta(days=CONVERSION_DAYS)
    buyers = Order.objects.filter(paid_at__gte=send.created_at, paid_at__lt=end).exclude(
        state=OrderState.CANCELLED).values("user_id")
    rows = send.members.order_by().values("group").annotate(
        members=Count("id"), converted=Count("id", filter=Q(user_id__in=buyers)))
    return {row["group"]: {"members": row["members"], "converted": row["converted"]} for row in rows}
