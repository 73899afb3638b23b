from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.models.member import BindSource, Member


class BindingHistory(models.Model):
    """One row per binding or re-binding: sign-up under an inviter, a later bind, a staff
    move or a handover. Append-only."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="binding_history",
                               verbose_name=_("member"))
    # No indexes on these three: a sign-up pays for every index of this table, and the
    # questions asked of the history are "what happened to this member" (the index above).
    old_parent = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", db_index=False, verbose_name=_("previous upline"))
    new_parent = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", db_index=False, verbose_name=_("new upline"))
    source = models.CharField(_("source"), max_length=10, choices=BindSource.choices)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", db_index=False,
                                 verbose_name=_("operator"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("binding history")
        verbose_name_plural = _("binding history")
        ordering = ["-id"]

    def __str__(self) -> str:
        return _("member #%(member)s: %(old)s → %(new)s (%(source)s)") % {
            "member": self.member_id, "old": self.old_parent_id or "—", "new": self.new_parent_id or "—",
            "source": self.get_source_display()}
