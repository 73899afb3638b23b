"""``manage.py console_seed_demo``: the console part of ``make run``'s demo (safe to run twice).

- Gives the demo finance staff (``13800000009``) the console's permissions, so signing in as
  财务 opens the dashboard, the reports and the exports. (Issue 12 part B makes the real
  groups 运营 / 财务 / 客服; these are user permissions, added once, never removed.)
- Rolls up the last 90 days, so the dashboard and the reports have figures at once.
"""

import datetime

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

from console.dates import local_today
from console.services.rollup import figures_rollup_range
from distribution.demo import data as demo_data
from mall.models import User

FINANCE_CONSOLE_PERMISSIONS = ("view_dashboard", "view_reports", "export_reports", "export_finance")
DEMO_DAYS = 90


class Command(BaseCommand):
    help = "Give the demo finance staff the console permissions and roll up the last 90 days."

    def handle(self, *args, **options) -> None:
        finance = User.objects.filter(phone=demo_data.FINANCE_PHONE).first()
        if finance is not None:
            finance.user_permissions.add(*Permission.objects.filter(
                content_type__app_label="console", codename__in=FINANCE_CONSOLE_PERMISSIONS))
        today = local_today()
        results = figures_rollup_range(first=today - datetime.timedelta(days=DEMO_DAYS - 1), last=today)
        self.stdout.write(f"console demo: {len(results)} days rolled up "
                          f"({sum(r.paid_orders for r in results)} paid orders)"
                          + (f"; {finance.phone} can open the dashboard and the reports" if finance else ""))
