"""The morning churn digest: members who became 沉睡 (asleep) or 流失 (lost) on a day,
grouped by their owner (the reseller who owns the customer relationship, or the platform).

Figures, precisely: a member counts for ``day`` when the daily profile computation of that
Shanghai date logged a ``StageChange`` to ``asleep`` or ``lost`` (so the digest of the
morning of D, which reads D − 1, never depends on the time the 02:15 run finished). The
owner is read when the digest is made (``CustomerOwner``, else attribution). Phones are
masked: the digest is an e-mail and leaves the console.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.phone import mask_phone
from crm.models import ChurnDigest, Stage, StageChange
from crm.services.handover import owners_of
from mall.models import User

CHURN_STAGES = (Stage.ASLEEP, Stage.LOST)


@dataclass
class DigestMember:
    user_id: int
    nickname: str
    phone: str  # masked
    stage: str


@dataclass
class DigestGroup:
    owner_id: int | None
    owner: str
    asleep: int = 0
    lost: int = 0
    members: list[DigestMember] = field(default_factory=list)


def _label(user: User | None) -> str:
    if user is None:
        return _("Platform")
    return f"{user.nickname or _('member')} ({mask_phone(user.phone or '')}, #{user.pk})"


def churn_digest(*, day: date) -> list[DigestGroup]:
    """The groups of ``day``: the platform first, then resellers by id; members by id."""
    changes = list(StageChange.objects.filter(day=day, to_stage__in=CHURN_STAGES).order_by("user_id")
                   .values_list("user_id", "to_stage"))
    ids = [uid for uid, _stage in changes]
    owners = owners_of(customer_ids=ids)
    users = User.objects.in_bulk({*ids, *(o for o in owners.values() if o)})
    groups: dict[int | None, DigestGroup] = {}
    for uid, stage in changes:
        oid = owners.get(uid)
        label = _label(users.get(oid) if oid else None)
        group = groups.setdefault(oid, DigestGroup(owner_id=oid, owner=label))
        group.asleep += stage == Stage.ASLEEP
        group.lost += stage == Stage.LOST
        user = users[uid]
        group.members.append(DigestMember(user_id=uid, nickname=user.nickname,
                                          phone=mask_phone(user.phone or ""),
                                          stage=Stage(stage).label))
    return [groups[k] for k in sorted(groups, key=lambda k: (k is not None, k or 0))]


def churn_digest_send(*, day: date) -> bool:
    """E-mail the digest of ``day`` to ``CRM_DIGEST_RECIPIENTS``, once: the day's
    ``ChurnDigest`` row is claimed (unique) and committed before the mail leaves, so a
    second run, even at the same moment, sends nothing. A worker dying between the claim
    and the send loses that day's mail (the page still shows it): at most once, like the
    outbox's deliveries. Returns whether this call sent it."""
    recipients = list(settings.CRM_DIGEST_RECIPIENTS)
    try:
        with transaction.atomic():
            claim = ChurnDigest.objects.create(day=day, recipients=len(recipients))
    except IntegrityError:
        return False
    with translation.override("zh-hans"):
        groups = churn_digest(day=day)
        subject = _("Churn digest for %(day)s: %(n)s members became asleep or lost") % {
            "day": day.isoformat(), "n": sum(g.asleep + g.lost for g in groups)}
        body = render_to_string("crm/churn_digest.txt", {"day": day, "groups": groups})
    if recipients:
        send_mail(subject, body, None, recipients)
    ChurnDigest.objects.filter(pk=claim.pk).update(sent_at=timezone.now(),
                                                   members=sum(g.asleep + g.lost for g in groups))
    return True
