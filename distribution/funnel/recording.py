"""Recording what share links bring. Off the slow path on purpose: a landing page pays
for one cache read (the link's id) and one ``INSERT … ON CONFLICT DO NOTHING`` of a
(day, link, visitor) row, committed without waiting for the WAL flush (a visit is an
analytics fact: losing the last few on a crash is acceptable; money is never written
here). Figures reach the pages through ``funnel_rollup``.

**How a landing view records a visit** (one line, after it has resolved the inviter)::

    share_visit_record(request, reseller=inviter, channel=request.GET.get("src"), product_id=product_id)

``channel`` is ``link`` / ``qr`` / ``poster`` (anything else counts as ``link``);
``product_id`` is ``None`` for the shop. The call never raises and never changes what the
page shows. It also remembers the link in the session, so the sign-up (through
``user_signed_in``) and later paid orders (through the member's last touch) are credited
to it.
"""

import logging
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from common.db import ModelSelect
from common.errors import DomainError
from common.fields import money_sum
from common.http import client_ip
from common.money import ZERO
from distribution.models import (
    CommissionRecord,
    ConversionKind,
    Member,
    OrderAttribution,
    ShareChannel,
    ShareConversion,
    ShareLink,
    ShareTouch,
    ShareVisit,
)
from distribution.referral.services.invite_lookup import invite_code_resolve
from mall.models import Product
from orders.models import Order

logger = logging.getLogger(__name__)

SESSION_VISITOR = "share_vid"
SESSION_LINK = "share_link_id"
LINK_CACHE_SECONDS = 24 * 3600
LINK_MEMO_SIZE = 10_000
_LINK_IDS: dict[str, int] = {}
SIGNUP_WINDOW = timedelta(minutes=30)  # a sign-in this soon after joining is the sign-up's
ATTRIBUTION_WINDOW = timedelta(days=30)  # an order credits the last link touched this recently
# The table name comes from the model; every value is a bound parameter.
_VISIT_TABLE = ShareVisit._meta.db_table
_VISIT_SQL = f"INSERT INTO {_VISIT_TABLE} (day, link_id, visitor) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"  # noqa: S608
# PostgreSQL in autocommit: one round trip, and the commit does not wait for the WAL flush.
_VISIT_SQL_ASYNC = f"BEGIN; SET LOCAL synchronous_commit TO OFF; {_VISIT_SQL}; COMMIT"


def _channel(value: object) -> str:
    return value if value in ShareChannel.values else ShareChannel.LINK


def share_link_id(*, reseller_id: int, channel: str, product_id: int | None) -> int | None:
    """The id of (reseller, channel, product) — created on first use, then cached (in the
    process, then the shared cache: a link row never changes, so neither can be stale);
    ``None`` for a product that does not exist."""
    key = f"distribution:share-link:{reseller_id}:{channel}:{product_id or 0}"
    link_id = _LINK_IDS.get(key)
    if link_id is not None:
        return link_id
    link_id = cache.get(key)
    if link_id is None:
        if product_id is not None and not Product.objects.filter(pk=product_id).exists():
            return None
        link_id = ShareLink.objects.get_or_create(reseller_id=reseller_id, channel=channel,
                                                  product_id=product_id)[0].pk
        if connection.in_atomic_block:  # not committed yet: a rollback would leave a dead id
            return link_id
        cache.set(key, link_id, LINK_CACHE_SECONDS)
    if len(_LINK_IDS) >= LINK_MEMO_SIZE:
        _LINK_IDS.clear()
    _LINK_IDS[key] = link_id
    return link_id


def forget_link_ids() -> None:
    """Empty the process's memo of link ids (tests: a new database reuses ids)."""
    _LINK_IDS.clear()


def _visitor(request: HttpRequest) -> int:
    visitor = request.session.get(SESSION_VISITOR)
    if not isinstance(visitor, int):
        visitor = secrets.randbits(62)
        request.session[SESSION_VISITOR] = visitor
    return visitor


def _insert_visit(link_id: int, visitor: int) -> None:
    """One statement. Inside a caller's transaction (or on SQLite) a plain savepointed
    INSERT, so a failure never breaks the caller's transaction."""
    params = [timezone.localdate(), link_id, visitor]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(_VISIT_SQL_ASYNC, params)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_VISIT_SQL, params)


def _touch(*, user_id: int, link_id: int) -> None:
    ShareTouch.objects.bulk_create([ShareTouch(user_id=user_id, link_id=link_id, touched_at=timezone.now())],
                                   update_conflicts=True, unique_fields=["user"],
                                   update_fields=["link", "touched_at"])


def share_visit_record(request: HttpRequest, *, reseller: Member, channel: object = ShareChannel.LINK,
                       product_id: int | None = None) -> None:
    """Record one visit of ``reseller``'s share link (see the module's docstring).
    Visits of non-resellers' links and a reseller's own visits are not counted."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not reseller.is_reseller or (signed_in and user.pk == reseller.user_id):
        return
    try:
        link_id = share_link_id(reseller_id=reseller.pk, channel=_channel(channel), product_id=product_id)
        if link_id is None:
            return
        _insert_visit(link_id, _visitor(request))
        if request.session.get(SESSION_LINK) != link_id:
            request.session[SESSION_LINK] = link_id
        if signed_in:
            _touch(user_id=user.pk, link_id=link_id)
    except DatabaseError:  # never fail the page for an analytics row (e.g. a product id gone)
        logger.warning("share visit not recorded (reseller %s, product %s)", reseller.pk, product_id,
                       exc_info=True)


def share_signin_record(*, request: HttpRequest, user_id: int) -> None:
    """``user_signed_in``: the link in the session becomes the member's last touch, and a
    member who has just joined under that link's reseller counts as its sign-up (once)."""
    link_id = request.session.get(SESSION_LINK)
    if not isinstance(link_id, int):
        return
    link = ShareLink.objects.filter(pk=link_id).only("id", "reseller_id").first()
    if link is None:
        return
    _touch(user_id=user_id, link_id=link.pk)
    member = Member.objects.filter(user_id=user_id).only("id", "parent_id", "joined_at").first()
    just_joined = member is not None and member.joined_at >= timezone.now() - SIGNUP_WINDOW
    if not just_joined or member.parent_id != link.reseller_id:
        return
    ShareConversion.objects.bulk_create(
        [ShareConversion(kind=ConversionKind.SIGNUP, link=link, day=timezone.localdate(), user_id=user_id)],
        ignore_conflicts=True)


_TOUCH_ROWS = ModelSelect(ShareTouch, related=("link",))  # read in every payment: most find nothing


def share_order_record(*, order: Order) -> ShareConversion | None:
    """``order_paid`` (inside the payment's transaction, after the commission records): a
    paid order of a member who came through a link in the last 30 days is credited to it
    when that link's reseller is the order's attributed reseller or owns its shop. Its
    amount is what the items paid (no shipping); its estimated commission is what the
    link's reseller earns on it. Once per order."""
    since = timezone.now() - ATTRIBUTION_WINDOW
    touches = _TOUCH_ROWS.fetch("t0.user_id = %s AND t0.touched_at >= %s",
                                [order.user_id, connection.ops.adapt_datetimefield_value(since)])
    if not touches:
        return None
    link_id, reseller_id = touches[0].link_id, touches[0].link.reseller_id
    credited = OrderAttribution.objects.filter(order_id=order.pk, reseller_id=reseller_id).exists()
    if not credited and not Member.objects.filter(pk=reseller_id, user_id=order.shop.owner_id).exists():
        return None
    commission = CommissionRecord.objects.filter(order_id=order.pk, beneficiary_id=reseller_id).aggregate(
        total=money_sum("original_amount"))["total"] or ZERO
    conversion = ShareConversion(kind=ConversionKind.ORDER, link_id=link_id, user_id=order.user_id,
                                 order=order,
                                 day=timezone.localdate(order.paid_at or timezone.now()),
                                 amount=order.total_amount - order.shipping_fee, commission=commission)
    ShareConversion.objects.bulk_create([conversion], ignore_conflicts=True)
    return conversion


def share_landing_record(*, request: HttpRequest, invite_code: str, src: str, product_id: int | None) -> None:
    """``share_landed`` (a shop or product page opened with ``?ref=<invite code>``): within
    the invite-lookup limits, remember the invite for sign-up (as ``/s/<code>`` does) and
    record the visit. A wrong or over-limit code is ignored: the page shows as usual."""
    try:
        inviter = invite_code_resolve(invite_code=invite_code, ip=client_ip(request))
    except DomainError:
        return
    if request.session.get("invite_code") != inviter.invite_code:
        request.session["invite_code"] = inviter.invite_code
        request.session["invite_source"] = "qr" if src in ("qr", "poster") else "link"
    share_visit_record(request, reseller=inviter, channel=src, product_id=product_id)
