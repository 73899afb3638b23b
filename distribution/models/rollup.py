"""Team figures of the biggest teams, precomputed for the staff referral-tree browser.

A live team figure is one range aggregate over the member index: O(team size), about
0.1 s for a team of a million. The browser shows many at once (a member and a page of
their downlines), so for teams of at least ``TEAM_ROLLUP_MIN_SIZE`` members it reads this
table, refreshed by a beat sweep (``distribution.tasks.refresh_team_rollups``) in one
ordered pass over each big tree, and says how old the figure is. Smaller teams, and any
big team whose row is missing or older than ``TEAM_ROLLUP_MAX_AGE``, are counted live.
Nothing about money is decided from these rows; they are a staff read model only.
"""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField

TEAM_ROLLUP_MIN_SIZE = 5_000
TEAM_ROLLUP_MAX_AGE = timedelta(minutes=15)


class TeamRollup(models.Model):
    member = models.OneToOneField("distribution.Member", on_delete=models.CASCADE, primary_key=True,
                                  related_name="team_rollup", verbose_name=_("member"))
    team_size = models.PositiveIntegerField(_("team size"))
    team_sales = MoneyField(_("team sales"))
    computed_at = models.DateTimeField(_("computed at"), db_index=True)

    class Meta:
        verbose_name = _("team figures (precomputed)")
        verbose_name_plural = _("team figures (precomputed)")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.team_size}"
