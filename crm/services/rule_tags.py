"""Rule tags (规则标签): computed daily for every member, in one tag group per rule family.

Definitions (also in crm/README.md "Rule tags"), with ``today`` a Shanghai date and *paid
orders* and *spend* exactly as the profile counts them (``profiles.paid_orders``):

- 首单 ``first``: 已首单 with at least one paid order, else 未下单;
- 购买品类 ``category``: one tag per top-level category (the root of the mall category
  tree) of a product on a paid order, on an item not refunded in full;
- 消费档 ``spend``: the band of the spend (``rules.spend_band``, bounds in 生命周期设置);
- 来源渠道 ``channel`` and 邀请码 ``invite``: how the member joined — the share link's
  channel when the funnel credited their sign-up to a link (分享链接 / 二维码 / 海报),
  else the source of the sign-up binding (分享链接 / 二维码 / 邀请码), else 自然流量 (no
  inviter); the invite code is the inviter's at sign-up (the sign-up binding's upline);
- 距上次下单 ``days``: days since the last paid order, in the buckets of 生命周期设置 (none
  without an order);
- 用券 ``coupon``: a coupon used on a paid order.

A rule tag is a ``Tag`` with a ``rule_key`` (e.g. ``spend:2``) in a group with a
``rule_family``, held by ``MemberTag`` rows of source ``rule``; the run adds the ones that
hold and deletes the ``rule`` rows that no longer do, and never touches other sources.
Tags and groups are created on demand under the 3,000-tag limit: at the limit a new tag is
not created, its members do not get it, and the run logs and returns how many tags and
member tags were skipped. Members are taken in id ranges of ``CHUNK`` like the profile:
per range a few aggregate queries, the wanted (member, tag) pairs in Python and one
transaction for the difference, so memory is bounded by one range and a run killed halfway
leaves finished ranges done; a second run finds no difference.
"""

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max
from django.utils import timezone, translation
from django.utils.translation import pgettext, pgettext_lazy

from common.db import insert_rows
from common.fields import money_sum
from crm import lock_objects
from crm.models import MAX_TAGS, LifecycleSettings, MemberTag, Tag, TagGroup, TagSource
from crm.rules import days_ago, days_bucket, spend_band, spend_band_names
from crm.services.profiles import paid_orders
from distribution.models import BindingHistory, ConversionKind, Member, ShareConversion
from mall.models import Category, User
from orders.models import OrderItem, OrderState
from promotions.models import Coupon, CouponState

log = logging.getLogger(__name__)

CHUNK = 5000
ROWS_PER_INSERT = 1000
NAME_TAKEN = -1  # a rule tag not made because its group has a tag of that name (a rename pending)


FAMILIES = {
    "first": pgettext_lazy("rule tag", "first order"),
    "category": pgettext_lazy("rule tag", "categories bought"),
    "spend": pgettext_lazy("rule tag", "spend band"),
    "channel": pgettext_lazy("rule tag", "source channel"),
    "invite": pgettext_lazy("rule tag", "invite code"),
    "days": pgettext_lazy("rule tag", "days since last order"),
    "coupon": pgettext_lazy("rule tag", "coupon user"),
}
FIXED_NAMES = {
    "first:yes": pgettext_lazy("rule tag", "has ordered"),
    "first:no": pgettext_lazy("rule tag", "no order yet"),
    "channel:link": pgettext_lazy("rule tag", "share link"),
    "channel:qr": pgettext_lazy("rule tag", "QR code"),
    "channel:poster": pgettext_lazy("rule tag", "poster"),
    "channel:code": pgettext_lazy("rule tag", "invite code"),
    "channel:organic": pgettext_lazy("rule tag", "organic"),
    "coupon:yes": pgettext_lazy("rule tag", "has used a coupon"),
}
_COLUMNS = tuple(MemberTag._meta.get_field(name).column for name in ("user", "tag", "source", "created_at"))


def _names(s: LifecycleSettings) -> dict[str, str]:
    """Every name that does not come from the data, in the site's language (stored data)."""
    with translation.override(settings.LANGUAGE_CODE):
        names = {key: str(name) for key, name in FIXED_NAMES.items()}
        names.update({f"spend:{i}": name for i, name in enumerate(spend_band_names(s))})
        a, b, c = s.days_bucket_1, s.days_bucket_2, s.days_bucket_3
        for i, name in enumerate([pgettext("rule tag", "up to %(a)s days") % {"a": a},
                                  pgettext("rule tag", "%(a)s–%(b)s days") % {"a": a + 1, "b": b},
                                  pgettext("rule tag", "%(a)s–%(b)s days") % {"a": b + 1, "b": c},
                                  pgettext("rule tag", "over %(a)s days") % {"a": c}]):
            names[f"days:{i}"] = name
        names.update({f"family:{key}": str(name) for key, name in FAMILIES.items()})
        names["rule"] = pgettext("rule tag", "rule")
    return names


class _Catalogue:
    """The rule tags by key, created (and renamed) on demand, at most once each per run."""

    def __init__(self) -> None:
        self.ids = dict(Tag.objects.exclude(rule_key="").values_list("rule_key", "pk"))
        self.groups = dict(TagGroup.objects.exclude(rule_family="").values_list("rule_family", "pk"))
        self.seen: set[str] = set()
        self.skipped: set[str] = set()  # not made: the limit was reached
        self.refused: set[str] = set()  # not made: its name is taken in its group (logged each)

    def resolve(self, key: str, name: str, names: dict[str, str]) -> int | None:
        if key in self.seen:
            return self.ids.get(key)
        self.seen.add(key)
        if key in self.ids:
            _rename(self.ids[key], name[:30])
        else:
            family = key.split(":", 1)[0]
            if family not in self.groups:
                self.groups[family] = _group_ensure(family, names[f"family:{family}"], names["rule"])
            tag_id = _tag_create(self.groups[family], key, name[:30])
            if tag_id is None:
                self.skipped.add(key)
            elif tag_id == NAME_TAKEN:
                self.refused.add(key)
            else:
                self.ids[key] = tag_id
        return self.ids.get(key)


def _rename(tag_id: int, name: str) -> None:
    """A spend band or day bucket follows its settings; a category its name."""
    try:
        with transaction.atomic():
            Tag.objects.filter(pk=tag_id).exclude(name=name).update(name=name)
    except IntegrityError:  # another tag of the group has that name this moment: next run
        log.warning("rule tag %s: cannot rename to %r", tag_id, name)


def _group_ensure(family: str, name: str, suffix: str) -> int:
    for candidate in (name, f"{name}（{suffix}）"[:30]):
        try:
            with transaction.atomic():
                return TagGroup.objects.get_or_create(rule_family=family, defaults={"name": candidate})[0].pk
        except IntegrityError:  # staff already have a group of that name
            continue
    raise IntegrityError(f"no free name for the rule tag group {family}")


def _tag_create(group_id: int, key: str, name: str) -> int | None:
    """The new rule tag's id, None at the 3,000 limit (counted with staff tags), or
    ``NAME_TAKEN``."""
    try:
        with transaction.atomic():
            lock_objects.tags_limit_lock()
            existing = Tag.objects.filter(rule_key=key).values_list("pk", flat=True).first()
            if existing is not None:
                return existing
            if Tag.objects.count() >= MAX_TAGS:
                return None
            return Tag.objects.create(group_id=group_id, rule_key=key, name=name).pk
    except IntegrityError:  # the group has a tag of that name: a rename pending; next run
        log.warning("rule tag %s: the name %r is taken in its group", key, name)
        return NAME_TAKEN


def rule_tags_compute(*, today: date) -> dict[str, int]:
    """Every member's rule tags for ``today`` (safe to run twice, or after a killed run)."""
    s = LifecycleSettings.get_solo()
    names = _names(s)
    roots = {tree_id: (pk, name) for pk, tree_id, name in
             Category.objects.filter(parent__isnull=True).values_list("pk", "tree_id", "name")}
    catalogue = _Catalogue()
    figures = {"members": 0, "added": 0, "removed": 0, "skipped_member_tags": 0}
    last_id = 0
    while users := list(User.objects.filter(pk__gt=last_id).order_by("pk")
                        .values_list("pk", flat=True)[:CHUNK]):
        span = (users[0], users[-1])
        pairs: set[tuple[int, int]] = set()
        wanted = _wanted(users, today=today, s=s, roots=roots)
        for uid in sorted(wanted):  # a tag is made for the lowest member id wanting it first
            for key, name in sorted(wanted[uid].items()):
                tag_id = catalogue.resolve(key, names.get(key, name), names)
                if tag_id is None:
                    figures["skipped_member_tags"] += 1
                else:
                    pairs.add((uid, tag_id))
        added, removed = _write(span, pairs)
        figures["members"] += len(users)
        figures["added"] += added
        figures["removed"] += removed
        last_id = users[-1]
    figures["skipped_tags"] = len(catalogue.skipped)  # member tags skipped count both kinds
    figures["name_taken"] = len(catalogue.refused)
    if catalogue.skipped:
        log.warning("rule tags: the %s-tag limit is reached; %s tags not created, %s member tags skipped",
                    MAX_TAGS, figures["skipped_tags"], figures["skipped_member_tags"])
    return figures


def _wanted(users: list[int], *, today: date, s: LifecycleSettings,
            roots: dict[int, tuple[int, str]]) -> dict[int, dict[str, str]]:
    """The rule tags that hold today for ``users`` (ascending ids): {user id: {key: name}}
    (the name is the data's — a category, an invite code — or empty for a fixed name)."""
    lo, hi = users[0], users[-1]
    wanted: dict[int, dict[str, str]] = defaultdict(dict)
    orders = paid_orders().filter(user__gte=lo, user__lte=hi).order_by().values("user_id").annotate(
        n=Count("id"), last=Max("paid_at"), spend=money_sum("total_amount"))
    for row in orders:
        uid = row["user_id"]
        wanted[uid]["first:yes"] = ""
        wanted[uid][f"spend:{spend_band(row['spend'], s=s)}"] = ""
        wanted[uid][f"days:{days_bucket(days_ago(today, row['last']), s=s)}"] = ""
    items = (OrderItem.objects.filter(order__in=paid_orders().filter(user__gte=lo, user__lte=hi),
                                      refunded_quantity__lt=F("quantity"))
             .order_by().values_list("order__user_id", "product__category__tree_id").distinct())
    for uid, tree_id in items:
        if tree_id in roots:
            root_id, name = roots[tree_id]
            wanted[uid][f"category:{root_id}"] = name
    coupons = (Coupon.objects.filter(user__gte=lo, user__lte=hi, state=CouponState.USED,
                                     order__paid_at__isnull=False).exclude(order__state=OrderState.CANCELLED)
               .order_by().values_list("user_id", flat=True).distinct())
    for uid in coupons:
        wanted[uid]["coupon:yes"] = ""
    for uid in users:
        if "first:yes" not in wanted[uid]:
            wanted[uid]["first:no"] = ""
    _joined((lo, hi), wanted)
    return wanted


def _joined(span: tuple[int, int], wanted: dict[int, dict[str, str]]) -> None:
    """Channel and invite code of the members in ``span`` (users who are not members —
    staff — have none)."""
    lo, hi = span
    members = dict(Member.objects.filter(user__gte=lo, user__lte=hi).order_by().values_list("pk", "user_id"))
    if not members:
        return
    funnel = dict(ShareConversion.objects.filter(kind=ConversionKind.SIGNUP, user__gte=lo, user__lte=hi)
                  .order_by().values_list("user_id", "link__channel"))
    signups: dict[int, tuple[str, str]] = {}
    # Member ids follow user ids (a member is made with its user): the member-id bounds let
    # the planner read the history's member index instead of joining every row.
    history = BindingHistory.objects.filter(
        member__gte=min(members), member__lte=max(members), member__user__gte=lo, member__user__lte=hi,
        reason="sign-up").order_by("id")
    for uid, source, code in history.values_list("member__user_id", "source", "new_parent__invite_code"):
        signups.setdefault(uid, (source, code))
    for uid in members.values():
        source, code = signups.get(uid, ("", ""))
        channel = funnel.get(uid) or (source if source in ("link", "qr", "code") else "organic")
        wanted[uid][f"channel:{channel}"] = ""
        if code:
            wanted[uid][f"invite:{code}"] = code


@transaction.atomic
def _write(span: tuple[int, int], pairs: set[tuple[int, int]]) -> tuple[int, int]:
    """Make the members' ``rule`` tags in ``span`` exactly ``pairs``: (added, removed)."""
    lo, hi = span
    held = list(MemberTag.objects.filter(user__gte=lo, user__lte=hi).exclude(tag__rule_key="")
                .values_list("pk", "user_id", "tag_id", "source"))
    stale = [pk for pk, uid, tag_id, source in held
             if source == TagSource.RULE and (uid, tag_id) not in pairs]
    new = sorted(pairs - {(uid, tag_id) for _pk, uid, tag_id, _source in held})
    for start in range(0, len(stale), ROWS_PER_INSERT):
        MemberTag.objects.filter(pk__in=stale[start:start + ROWS_PER_INSERT]).delete()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(uid, tag_id, TagSource.RULE, now) for uid, tag_id in new]
    for start in range(0, len(rows), ROWS_PER_INSERT):
        insert_rows(MemberTag._meta.db_table, _COLUMNS, rows[start:start + ROWS_PER_INSERT],
                    ignore_conflicts=True)
    return len(new), len(stale)
