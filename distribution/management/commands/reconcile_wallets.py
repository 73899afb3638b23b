import sys

from django.core.management.base import BaseCommand

from distribution.wallet.services.reconcile import wallets_reconcile


class Command(BaseCommand):
    help = ("Check that every wallet's cached balances equal the sum of its ledger and that every "
            "settled commission record has exactly one credit. Exits 1 on any difference.")

    def handle(self, *args: object, **options: object) -> None:
        report = wallets_reconcile()
        for problem in report.problems:
            self.stdout.write(problem)
        summary = (f"{report.wallets_checked} wallets, {report.records_checked} commission records, "
                   f"{len(report.problems)} problems")
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"reconcile_wallets: clean — {summary}"))
            return
        self.stdout.write(self.style.ERROR(f"reconcile_wallets: DIFFERENCES — {summary}"))
        sys.exit(1)
