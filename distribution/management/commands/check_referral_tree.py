from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from distribution.referral.services.settings import referral_settings_get
from distribution.referral.tree.check import check_forest


class Command(BaseCommand):
    help = ("Compare every referral tree (or one) with what a rebuild from the parent links gives; "
            "exit non-zero on any drift or on members pending beyond the freshness bound.")

    def add_arguments(self, parser):
        parser.add_argument("--tree-id", type=int, default=None)
        parser.add_argument("--stale-seconds", type=int, default=None,
                            help="pending longer than this is reported (default: ReferralSettings)")

    def handle(self, *args, tree_id=None, stale_seconds=None, **options):
        bound = stale_seconds if stale_seconds is not None else referral_settings_get().pending_alert_seconds
        report = check_forest(tree_id=tree_id, stale_before=timezone.now() - timedelta(seconds=bound))
        for line in report.details:
            self.stderr.write(line)
        if report.problems > len(report.details):
            self.stderr.write(f"... and {report.problems - len(report.details)} more")
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
