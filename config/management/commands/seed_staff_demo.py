"""Demo staff: one account per desk (运营, 财务, 客服), in its group (safe to run twice).

The 财务 account is the distribution demo's (13800000009, records payouts); this command adds it
to the 财务 group. Passwords are the published demo logins of the README, never used elsewhere.
"""

import os

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from config.roles import FINANCE, OPS, SERVICE, roles_sync
from mall.models import User

DESKS = (
    (OPS, "13800000007", "运营小林", "ops12345"),
    (SERVICE, "13800000008", "客服小美", "service123"),
    (FINANCE, "13800000009", "财务小周", "finance123"),
)


class Command(BaseCommand):
    help = "Create the demo staff of each desk (运营 / 财务 / 客服) and put them in their groups."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to create demo staff under production settings.")
        with transaction.atomic():
            roles_sync()
            for group, phone, nickname, password in DESKS:
                user = User.objects.filter(phone=phone).first()
                created = user is None
                if created:
                    user = User.objects.create_user(phone, password, is_staff=True, nickname=nickname,
                                                    phone_verified_at=timezone.now())
                user.groups.add(Group.objects.get(name=group))
                self.stdout.write(f"{group} {phone}: {'新建' if created else '已存在'}")
