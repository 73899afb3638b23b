"""The roll-up: ``ShareDaily`` rows (per link and day) rebuilt from the raw visits and
conversions of the last ``days`` days.

Idempotent and re-runnable: each run recomputes its days from the raw tables and replaces
their rows in one transaction, so running it twice, or after a run killed halfway (rolled
back), gives the same rows. Two runs at once: the second skips (a try-lock), the next beat
catches up. Readers see the old rows until the new ones commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from common.db import LockNamespace, advisory_xact_try_lock
from common.fields import money_sum
from common.money import ZERO
from distribution.models import ConversionKind, ShareConversion, ShareDaily, ShareVisit

BATCH = 2000


@dataclass(frozen=True)
class RollupResult:
    since: date
    rows: int
    skipped: bool = False


def _figures(since: date) -> dict[tuple[int, date], dict]:
    rows: dict[tuple[int, date], dict] = {}

    def row(link_id: int, day: date) -> dict:
        return rows.setdefault((link_id, day), {"visitors": 0, "signups": 0, "orders": 0,
                                                "amount": ZERO, "commission": ZERO})

    visits = ShareVisit.objects.filter(day__gte=since).values("link_id", "day").annotate(n=Count("visitor"))
    for visit in visits:
        row(visit["link_id"], visit["day"])["visitors"] = visit["n"]
    conversions = (ShareConversion.objects.filter(day__gte=since).values("link_id", "day", "kind")
                   .annotate(n=Count("id"), amount=money_sum("amount"), commission=money_sum("commission")))
    for conv in conversions:
        target = row(conv["link_id"], conv["day"])
        if conv["kind"] == ConversionKind.SIGNUP:
            target["signups"] = conv["n"]
        else:
            target |= {"orders": conv["n"], "amount": conv["amount"], "commission": conv["commission"]}
    return rows


def funnel_rollup(*, days: int = 2) -> RollupResult:
    """Rebuild the roll-up of today and the ``days - 1`` days before (Asia/Shanghai)."""
    since = timezone.localdate() - timedelta(days=max(1, days) - 1)
    with transaction.atomic():
        if not advisory_xact_try_lock(0, LockNamespace.SHARE_FUNNEL_ROLLUP):
            return RollupResult(since=since, rows=0, skipped=True)
        figures = _figures(since)
        ShareDaily.objects.filter(day__gte=since).delete()
        ShareDaily.objects.bulk_create(
            [ShareDaily(link_id=link_id, day=day, **values) for (link_id, day), values in figures.items()],
            batch_size=BATCH)
    return RollupResult(since=since, rows=len(figures))
