from django.core.management.base import BaseCommand, CommandError

from promotions.services.partner_reports import partners_reconcile


class Command(BaseCommand):
    help = "Check the partner ledgers against budgets, funded coupons and vouchers; exit 1 on a difference."

    def handle(self, *args: object, **options: object) -> None:
        report = partners_reconcile()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"{len(report.problems)} partner ledger difference(s)")
        self.stdout.write("partner ledgers reconcile")
