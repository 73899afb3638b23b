from django.core.management.base import BaseCommand, CommandParser

from distribution.funnel.rollup import funnel_rollup


class Command(BaseCommand):
    help = "Rebuild the share-funnel roll-up (per link and day) of the last N days. Safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=31)

    def handle(self, *args: object, days: int, **options: object) -> None:
        result = funnel_rollup(days=days)
        if result.skipped:
            self.stdout.write("another roll-up is running; nothing done")
        else:
            self.stdout.write(f"{result.rows} rows since {result.since}")
