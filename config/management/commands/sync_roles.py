"""Make the staff groups hold exactly the permissions ``config/roles.py`` declares (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.roles import roles_sync


class Command(BaseCommand):
    help = "Create or update the staff groups (运营, 财务, 客服) from config/roles.py."

    def handle(self, *args: object, **options: object) -> None:
        try:
            with transaction.atomic():
                report = roles_sync()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for group, changes in report.items():
            self.stdout.write(f"{group}: {' '.join(changes) or 'unchanged'}")
