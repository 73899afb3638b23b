"""Becoming a reseller (分销员), and the audit of reseller status and level changes.

What "reseller" means, in the columns of ``Member``:

- ``is_reseller``: the member may earn commission, has a reseller centre and a shop. Set
  when they join (``everyone`` mode), are approved (``apply``) or are designated by staff;
  cleared when staff revoke it. Revoking never touches the referral tree: the member keeps
  their upline and their whole team (binding is about who invited whom, not about
  earning), keeps their level (so a later re-grant restores it) and their shop, but stops
  earning at once — the commission engine skips a tier whose member is not a reseller —
  and their share link lands on the platform shop.
- ``is_active``: the member's account is not suspended. It is independent of reseller
  status; earning needs both. Reseller services refuse an inactive member.

Compliance (禁止传销条例 art. 7): becoming a reseller never costs a fee and never needs a
purchase. There is deliberately no fee, price or purchase field anywhere here; a test
asserts that.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import MoneyField
from common.models import SingletonModel
from distribution.models.member import Member, ResellerLevel

PROGRAM_CACHE_KEY = "distribution:reseller-program:v1"
PROGRAM_CACHE_SECONDS = 300


class JoinMode(models.TextChoices):
    EVERYONE = "everyone", _("everyone: any member becomes a reseller on request, at once")
    APPLY = "apply", _("apply: members apply and staff review the application")
    DESIGNATED = "designated", _("designated: only staff make members resellers")


class ResellerProgram(SingletonModel):
    """How members become resellers. A single row; read it with
    ``distribution.reseller.services.resellers.reseller_program_get()``."""

    cache_key = PROGRAM_CACHE_KEY
    cache_seconds = PROGRAM_CACHE_SECONDS

    join_mode = models.CharField(_("how members become resellers"), max_length=10,
                                 choices=JoinMode.choices, default=JoinMode.APPLY)
    benefits = models.TextField(
        _("what resellers get"), blank=True,
        help_text=_("Shown to members in the reseller centre, one point per line. "
                    "Leave empty for the standard text."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reseller programme")
        verbose_name_plural = _("reseller programme")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="reseller_program_singleton")]

    def __str__(self) -> str:
        return str(_("Reseller programme"))



class ApplicationState(models.TextChoices):
    REQUESTED = "requested", _("waiting for review")
    APPROVED = "approved", pgettext_lazy("reseller application", "approved")
    REJECTED = "rejected", pgettext_lazy("reseller application", "rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("reseller application", "withdrawn")


class ResellerApplication(models.Model):
    """A member asking to become a reseller (``apply`` mode). At most one open per member.

    Transitions (``services.resellers``): requested → approved | rejected (staff),
    requested → withdrawn (the member). The other states are final.
    """

    State = ApplicationState

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reseller_applications",
                               verbose_name=_("member"))
    state = models.CharField(_("state"), max_length=10, choices=ApplicationState.choices,
                             default=ApplicationState.REQUESTED)
    real_name = models.CharField(_("real name"), max_length=20)
    contact_phone = models.CharField(_("contact phone"), max_length=11)
    reason = models.CharField(_("why they want to join"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reseller application")
        verbose_name_plural = _("reseller applications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "id"], name="reseller_application_queue")]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(state="requested"),
                                    name="reseller_application_one_open"),
            models.CheckConstraint(condition=~Q(state="rejected") | ~Q(reject_reason=""),
                                   name="reseller_application_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == ApplicationState.REQUESTED


class ResellerStatusChange(models.Model):
    """Every time a member becomes a reseller or stops being one. Append-only."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("joined (open programme)")
        APPROVED = "approved", _("application approved")
        GRANTED = "granted", _("designated by staff")
        REVOKED = "revoked", _("revoked by staff")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reseller_status_changes",
                               verbose_name=_("member"))
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("operator"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("reseller status change")
        verbose_name_plural = _("reseller status changes")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_kind_display()}"


class LevelChangeSource(models.TextChoices):
    JOIN = "join", _("default level on becoming a reseller")
    AUTO = "auto", _("automatic upgrade")
    STAFF = "staff", _("staff")


class LevelChange(models.Model):
    """Every change of a member's level, with the sales figures it was decided on. Append-only."""

    Source = LevelChangeSource

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="level_changes",
                               verbose_name=_("member"))
    old_level = models.ForeignKey(ResellerLevel, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("old level"))
    new_level = models.ForeignKey(ResellerLevel, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("new level"))
    source = models.CharField(_("source"), max_length=5, choices=LevelChangeSource.choices)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("operator"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The figures at the time (automatic upgrades are decided on them).
    own_sales = MoneyField(_("own paid sales"), default=0)
    team_sales = MoneyField(_("team paid sales"), default=0)
    settled_commission = MoneyField(_("settled commission"), default=0)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source="staff") | ~Q(reason=""),
                                   name="level_change_staff_has_reason"),
        ]

    def __str__(self) -> str:
        old, new = self.old_level or "—", self.new_level or "—"
        return f"{self.member_id}: {old} → {new} ({self.get_source_display()})"
