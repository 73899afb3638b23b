"""Putting messages into the outbox. Nothing here sends: the dispatcher decides."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from common.db import insert_rows
from crm.integrations import coupon_title
from crm.models import Contact, Delivery, Message, MessageState, MessageTemplate, SourceKind
from crm.rendering import link_check, render, template_check

CHUNK = 1000  # rows per INSERT (SQLite allows 32,766 bound values; 18 columns each)
_COLUMNS = ("user_id", "template_id", "channel", "quiet_policy", "title", "body", "link", "coupon_template",
            "source_kind", "source_id", "dedupe_key", "priority", "state", "not_before", "deferred_count",
            "delivery", "delivery_error", "created_at")


def contacts_ensure(*, user_ids: list[int]) -> None:
    """Create missing contact rows (default consent), in ascending id, in their own commit:
    the dispatcher locks these rows, and creating them inside a bigger transaction could
    make two enqueuers wait on each other."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        missing = set(chunk) - set(Contact.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        if missing:
            with transaction.atomic():
                Contact.objects.bulk_create([Contact(user_id=uid) for uid in sorted(missing)],
                                            ignore_conflicts=True)


def messages_enqueue(*, template: MessageTemplate, user_ids: Iterable[int], source_kind: SourceKind,
                     source_id: int | None, occasion: str = "", not_before: datetime | None = None,
                     values: dict[str, object] | None = None, priority: int = 0,
                     coupon_template: str | None = None) -> int:
    """Queue ``template`` for each member, rendered with their nickname and ``values``.
    One message per (source, occasion, member): a retried call queues nothing twice
    (``dedupe_key`` is unique). ``coupon_template`` replaces the template's coupon (e.g. the
    returning-customer offer on a repurchase reminder). Returns the number of members offered."""
    template_check(template.title)
    template_check(template.body)
    link_check(template.link)
    ids = sorted(set(user_ids))
    contacts_ensure(user_ids=ids)
    adapt = connection.ops.adapt_datetimefield_value
    due, now = adapt(not_before or timezone.now()), adapt(timezone.now())
    coupon = template.coupon_template if coupon_template is None else coupon_template
    extra = {**(values or {}), "coupon": (values or {}).get("coupon", coupon_title(coupon))}
    fixed = (template.pk, template.channel, template.quiet_policy)
    tail = (template.link, coupon, source_kind, source_id)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        nicknames = dict(get_user_model().objects.filter(pk__in=chunk).values_list("pk", "nickname"))
        rows = []
        for uid in chunk:
            filled = {**extra, "nickname": nicknames.get(uid, "")}
            rows.append((uid, *fixed, render(template.title, filled)[:60], render(template.body, filled),
                         *tail,
                         f"{source_kind}:{source_id}:{occasion}:{uid}"[:120], priority, MessageState.QUEUED,
                         due, 0, Delivery.NONE, "", now))
        with transaction.atomic():
            insert_rows(Message._meta.db_table, _COLUMNS, rows, ignore_conflicts=True)
    return len(ids)
