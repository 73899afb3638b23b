"""``manage.py seed_demo``: a believable demo catalogue, shops and logins. Idempotent.

The data lives in ``mall/demo/data.py``, the loading in ``mall/demo/seed.py``.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from mall.demo import data
from mall.demo.seed import (
    Progress,
    SeedReport,
    seed_accounts,
    seed_categories,
    seed_products,
    seed_shops,
    seed_suppliers,
)
from mall.demo.sharing import seed_sharing

RULE = "=" * 64


class Command(BaseCommand):
    help = "Load the demo catalogue, reseller shops and demo logins (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--image-size", type=int, default=750,
                            help="Width and height of the drawn product images, in pixels.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="Where the site runs, for the printed admin link.")
        parser.add_argument("--allow-production", action="store_true",
                            help="Seed even under production settings (creates a known superuser).")

    def handle(self, *args: object, **options: object) -> None:
        # SETTINGS_MODULE is None while settings are overridden (tests); the env var still tells.
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data (and a superuser with a published "
                               "password) under production settings; pass --allow-production.")
        size = int(options["image_size"])
        if not 64 <= size <= 2000:
            raise CommandError("--image-size must be between 64 and 2000.")
        started = time.monotonic()
        report = SeedReport()
        progress = self._progress(int(options["verbosity"]))
        staff_password = os.environ.get("DJANGO_DEMO_ADMIN_PASSWORD") or data.STAFF_PASSWORD
        suppliers = seed_suppliers(report)
        categories = seed_categories(report, progress)
        seed_products(report, progress, categories=categories, suppliers=suppliers, image_size=size)
        resellers = seed_accounts(report, progress, staff_password=staff_password)
        seed_shops(report, progress, resellers=resellers)
        seed_sharing(report, progress)  # after the demo shops: they keep their own picks
        self._print_summary(report, time.monotonic() - started, staff_password=staff_password,
                            base_url=str(options["base_url"]).rstrip("/"))

    def _progress(self, verbosity: int) -> Progress:
        def write(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message}")
        return write

    def _print_summary(self, report: SeedReport, seconds: float, *, staff_password: str,
                       base_url: str) -> None:
        c = report.created

        def login(phone: str, password: str) -> str:
            if report.password_works(phone, password):
                return f"phone {phone}   password {password}"
            return f"phone {phone}   (password changed since it was seeded)"

        lines = [
            RULE,
            f" 圈子 Quanzi demo data ready in {seconds:.1f} s",
            f" created now: {c['categories']} categories, {c['suppliers']} suppliers, "
            f"{c['products']} products ({c['skus']} SKUs, {c['images']} images), "
            f"{c['users']} users, {c['shops']} shops, {c['listings']} listings",
            RULE,
            f" Staff admin   {base_url}{reverse('admin:index')}",
            f"   {login(data.STAFF.phone, staff_password)}   (superuser)",
            " Resellers (店主):",
            *(f"   {login(r.phone, data.DEMO_PASSWORD)}   {r.shop_name}（{r.nickname}）"
              for r in data.RESELLERS),
            f" Shopper (买家)\n   {login(data.SHOPPER.phone, data.DEMO_PASSWORD)}",
            RULE,
        ]
        self.stdout.write("\n".join(lines))
