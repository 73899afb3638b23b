"""Becoming a reseller and stopping being one.

How a member becomes a reseller depends on ``ResellerProgram.join_mode``:

- ``everyone``: ``reseller_join`` — any active member, on request, at once;
- ``apply``: ``reseller_apply`` then staff ``reseller_application_approve`` / ``_reject``
  (the member may ``reseller_application_withdraw`` while it waits);
- ``designated``: staff only.

Staff may ``reseller_grant`` in every mode and ``reseller_revoke`` at any time. Becoming a
reseller never costs anything and never needs a purchase (禁止传销条例 art. 7).

Becoming a reseller, in one transaction: ``is_reseller`` and ``reseller_since`` are set by
a conditional ``UPDATE … WHERE is_reseller = false`` (two racing requests: exactly one
wins, the other gets ``AlreadyReseller``), the default level is given if the member has
none (logged in ``LevelChange``), any open application is closed as approved, the member's
shop is opened if they have none, and a ``ResellerStatusChange`` row is written.
Revoking keeps the member's team, level and shop; see ``models/reseller.py``.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.phone import PHONE_RE, normalize_phone
from distribution import lock_objects
from distribution.models import (
    ApplicationState,
    JoinMode,
    LevelChange,
    LevelChangeSource,
    Member,
    ResellerApplication,
    ResellerLevel,
    ResellerProgram,
    ResellerStatusChange,
    RuleChange,
)
from distribution.referral.errors import MemberNotFound
from distribution.reseller.errors import (
    AlreadyReseller,
    ApplicationAlreadyOpen,
    ApplicationNotFound,
    ApplicationNotOpen,
    JoinDirectly,
    JoinNotOpen,
    MemberInactive,
    NotAReseller,
    ResellersDesignatedOnly,
    StaffOnly,
    StaffReasonRequired,
)
from distribution.reseller.selectors import member_sales_figures
from mall.models import Shop, User
from mall.services.shops import shop_open

REAL_NAME_MIN, REAL_NAME_MAX = 2, 20
APPLICATION_REASON_MAX = 500
STAFF_REASON_MAX = 200


# --- errors (each changes nothing) ---------------------------------------------------------


class RealNameInvalid(DomainError):
    code = "real_name_invalid"
    default_message = _("Enter your real name (2 to 20 characters).")


class ContactPhoneInvalid(DomainError):
    code = "contact_phone_invalid"
    default_message = _("Enter a valid mainland China mobile number (11 digits starting with 1).")


class ApplicationReasonTooLong(DomainError):
    code = "application_reason_too_long"
    default_message = _("Keep the reason under 500 characters.")


class JoinModeInvalid(DomainError):
    code = "join_mode_invalid"
    default_message = _("Choose how members become resellers: everyone, apply or designated.")


# --- the programme ---------------------------------------------------------------------------


def reseller_program_get() -> ResellerProgram:
    """The programme in force (cached; see ``ResellerProgram.get_solo``)."""
    return ResellerProgram.get_solo()


def require_staff(operator: User | None) -> User:
    if operator is None or not (operator.is_active and operator.is_staff):
        raise StaffOnly()
    return operator


def staff_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > STAFF_REASON_MAX:
        raise StaffReasonRequired()
    return reason


@transaction.atomic
def reseller_program_update(*, operator: User | None, join_mode: str | None = None,
                            benefits: str | None = None) -> ResellerProgram:
    """Staff change how members become resellers; each changed field is audited in
    ``RuleChange`` (subject ``reseller_programme``) with the operator."""
    require_staff(operator)
    program = lock_objects.reseller_program_lock()
    values = {"join_mode": join_mode, "benefits": None if benefits is None else benefits.strip()}
    changes = {field: (getattr(program, field), value) for field, value in values.items()
               if value is not None and getattr(program, field) != value}
    if "join_mode" in changes and join_mode not in JoinMode.values:
        raise JoinModeInvalid()
    if changes:
        for field, (_old, new) in changes.items():
            setattr(program, field, new)
        program.save()  # drops the cached programme
        RuleChange.objects.bulk_create([
            RuleChange(subject="reseller_programme", field=field, old_value=str(old)[:200],
                       new_value=str(new)[:200], operator=operator)
            for field, (old, new) in changes.items()])
    return program


# --- becoming a reseller ---------------------------------------------------------------------


def _refusal(member_id: int) -> DomainError:
    """Why the conditional UPDATE that makes a member a reseller touched no row."""
    row = Member.objects.filter(pk=member_id).values("is_active", "is_reseller").first()
    if row is None:
        return MemberNotFound()
    if not row["is_active"]:
        return MemberInactive()
    return AlreadyReseller()


def _default_shop_name(user: User) -> str:
    # Stored once, so in the site's language, not in that of whoever asked.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("%(name)s's shop") % {"name": user.display_name}


def _give_default_level(member: Member, *, operator: User | None) -> None:
    if member.level_id is not None:
        return  # a re-granted reseller keeps the level they had
    default = ResellerLevel.objects.filter(is_default=True).first()
    if default is None:
        return
    if Member.objects.filter(pk=member.pk, level__isnull=True).update(level=default):
        figures = member_sales_figures(member=member)
        LevelChange.objects.create(member=member, old_level=None, new_level=default,
                                   source=LevelChangeSource.JOIN, operator=operator,
                                   own_sales=figures.own_sales, team_sales=figures.team_sales,
                                   settled_commission=figures.settled_commission)


def _make_reseller(*, member_id: int, kind: str, operator: User | None, reason: str = "") -> Member:
    """Inside the caller's transaction. Refuses (and changes nothing) unless the member is
    active and not a reseller yet."""
    now = timezone.now()
    if not Member.objects.filter(pk=member_id, is_reseller=False, is_active=True).update(
            is_reseller=True, reseller_since=now):
        raise _refusal(member_id)
    member = Member.objects.select_related("user").get(pk=member_id)
    _give_default_level(member, operator=operator)
    ResellerApplication.objects.filter(member_id=member_id, state=ApplicationState.REQUESTED).update(
        state=ApplicationState.APPROVED, reviewed_by=operator, reviewed_at=now, closed_at=now)
    if not Shop.objects.filter(owner_id=member.user_id).exists():
        shop_open(owner=member.user, name=_default_shop_name(member.user))
    ResellerStatusChange.objects.create(member_id=member_id, kind=kind, operator=operator, reason=reason)
    return Member.objects.select_related("user", "level").get(pk=member_id)


@transaction.atomic
def reseller_join(*, member: Member) -> Member:
    """``everyone`` mode: the member becomes a reseller at once."""
    if reseller_program_get().join_mode != JoinMode.EVERYONE:
        raise JoinNotOpen()
    return _make_reseller(member_id=member.pk, kind=ResellerStatusChange.Kind.JOINED, operator=None)


@transaction.atomic
def reseller_grant(*, member: Member, operator: User | None, reason: str) -> Member:
    """Staff designate a reseller (any mode). An open application is closed as approved."""
    require_staff(operator)
    reason = staff_reason(reason)
    return _make_reseller(member_id=member.pk, kind=ResellerStatusChange.Kind.GRANTED,
                          operator=operator, reason=reason)


@transaction.atomic
def reseller_revoke(*, member: Member, operator: User | None, reason: str) -> Member:
    """Staff: the member stops being a reseller, so stops earning at once. Their team,
    level and shop stay (see ``models/reseller.py``)."""
    require_staff(operator)
    reason = staff_reason(reason)
    if not Member.objects.filter(pk=member.pk, is_reseller=True).update(is_reseller=False,
                                                                        reseller_since=None):
        if not Member.objects.filter(pk=member.pk).exists():
            raise MemberNotFound()
        raise NotAReseller()
    ResellerStatusChange.objects.create(member_id=member.pk, kind=ResellerStatusChange.Kind.REVOKED,
                                        operator=operator, reason=reason)
    return Member.objects.select_related("user", "level").get(pk=member.pk)


# --- applications ------------------------------------------------------------------------------


def _clean_application(*, real_name: str, contact_phone: str, reason: str) -> tuple[str, str, str]:
    real_name = " ".join((real_name or "").split())
    if not REAL_NAME_MIN <= len(real_name) <= REAL_NAME_MAX:
        raise RealNameInvalid()
    phone = normalize_phone(contact_phone)
    if not PHONE_RE.match(phone):
        raise ContactPhoneInvalid()
    reason = (reason or "").strip()
    if len(reason) > APPLICATION_REASON_MAX:
        raise ApplicationReasonTooLong()
    return real_name, phone, reason


def reseller_apply(*, member: Member, real_name: str, contact_phone: str,
                   reason: str = "") -> ResellerApplication:
    """``apply`` mode: ask to become a reseller. One open application per member."""
    mode = reseller_program_get().join_mode
    if mode == JoinMode.EVERYONE:
        raise JoinDirectly()
    if mode == JoinMode.DESIGNATED:
        raise ResellersDesignatedOnly()
    real_name, phone, reason = _clean_application(real_name=real_name, contact_phone=contact_phone,
                                                  reason=reason)
    fresh = Member.objects.filter(pk=member.pk).values("is_active", "is_reseller").first()
    if fresh is None:
        raise MemberNotFound()
    if not fresh["is_active"]:
        raise MemberInactive()
    if fresh["is_reseller"]:
        raise AlreadyReseller()
    try:
        with transaction.atomic():
            return ResellerApplication.objects.create(member_id=member.pk, real_name=real_name,
                                                      contact_phone=phone, reason=reason)
    except IntegrityError:  # the partial unique index: one open application per member
        raise ApplicationAlreadyOpen() from None


def _close(application: ResellerApplication, *, state: str, operator: User | None,
           reject_reason: str = "", member_id: int | None = None) -> ResellerApplication:
    """The guarded transition requested → ``state``: a conditional UPDATE whose row count
    says whether it happened (a second reviewer, or a racing withdrawal, gets an error)."""
    now = timezone.now()
    rows = ResellerApplication.objects.filter(pk=application.pk, state=ApplicationState.REQUESTED)
    if member_id is not None:
        rows = rows.filter(member_id=member_id)
    values = {"state": state, "closed_at": now, "reject_reason": reject_reason}
    if operator is not None:
        values |= {"reviewed_by": operator, "reviewed_at": now}
    if not rows.update(**values):
        exists = ResellerApplication.objects.filter(pk=application.pk)
        if member_id is not None:
            exists = exists.filter(member_id=member_id)
        raise ApplicationNotOpen() if exists.exists() else ApplicationNotFound()
    return ResellerApplication.objects.select_related("member__user", "reviewed_by").get(pk=application.pk)


@transaction.atomic
def reseller_application_approve(*, application: ResellerApplication,
                                 operator: User | None) -> ResellerApplication:
    require_staff(operator)
    application = _close(application, state=ApplicationState.APPROVED, operator=operator)
    _make_reseller(member_id=application.member_id, kind=ResellerStatusChange.Kind.APPROVED,
                   operator=operator)
    return application


@transaction.atomic
def reseller_application_reject(*, application: ResellerApplication, operator: User | None,
                                reason: str) -> ResellerApplication:
    require_staff(operator)
    reason = staff_reason(reason)
    return _close(application, state=ApplicationState.REJECTED, operator=operator, reject_reason=reason)


@transaction.atomic
def reseller_application_withdraw(*, application: ResellerApplication,
                                  member: Member) -> ResellerApplication:
    """The member takes back their own open application (someone else's: not found)."""
    return _close(application, state=ApplicationState.WITHDRAWN, operator=None, member_id=member.pk)
