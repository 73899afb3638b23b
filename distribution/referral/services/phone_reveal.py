"""Staff see mobile numbers masked (PIPL); the full number is shown only through
``phone_reveal``, which writes a ``SensitiveAccessLog`` row with the reason in the same
transaction, like ``payout_account_reveal`` does for payout accounts."""

from django.apps import apps
from django.db import models, transaction
from django.http import Http404

from distribution.models import SensitiveAccessLog
from distribution.referral.errors import PhoneRevealForbidden, PhoneRevealReasonRequired
from mall.models import User

PERMISSION = "distribution.reveal_phone"
# (app label, model) → the attribute path of the number staff may reveal
REVEALABLE = {
    ("mall", "user"): "phone",
    ("distribution", "member"): "user.phone",
    ("orders", "order"): "receiver_phone",
    ("distribution", "resellerapplication"): "contact_phone",
}


def can_reveal_phones(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(PERMISSION))


def phone_owner(*, app_label: str, model_name: str, pk: int) -> models.Model:
    """The row whose number may be revealed, or 404 (also for a model not in the list)."""
    if (app_label, model_name) not in REVEALABLE:
        raise Http404
    model = apps.get_model(app_label, model_name)
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def phone_of(obj: models.Model) -> str:
    value: object = obj
    for part in REVEALABLE[(obj._meta.app_label, obj._meta.model_name)].split("."):
        value = getattr(value, part)
    return str(value)


@transaction.atomic
def phone_reveal(*, obj: models.Model, staff: User, reason: str) -> str:
    """The full number, after the access is logged (who, which row, why)."""
    if not can_reveal_phones(staff):
        raise PhoneRevealForbidden()
    reason = (reason or "").strip()
    if not reason:
        raise PhoneRevealReasonRequired()
    meta = obj._meta
    SensitiveAccessLog.objects.create(
        staff=staff, object_repr=f"{meta.verbose_name} #{obj.pk} {obj}"[:200],
        field=f"{meta.app_label}.{meta.model_name}.phone", reason=reason[:200])
    return phone_of(obj)
