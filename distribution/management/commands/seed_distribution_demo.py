"""``manage.py seed_distribution_demo``: resellers, levels and a small team for the demo.

Run after ``seed_demo`` (it lives in ``mall``, which cannot import this app). Everything
goes through the services, and every step looks before it acts, so running it again
creates nothing and changes nothing it already made (nor what staff changed since):

- three levels — 普通分销员 (default), 银牌, 金牌 — with sales-only upgrade conditions and,
  where a level has none yet, commission rates;
- the five demo shop owners (13800000001..5) become resellers; 小雨 is 金牌, 阿杰 银牌;
- the demo shopper 13900000001, a root after ``seed_demo``, is moved under 小雨 (a staff
  move with a reason, as it would be done in the admin);
- twelve members (137000000xx, password ``quanzi123``) sign up under the resellers, some
  two tiers deep, so the team pages show data;
- a second staff account, 财务 13800000009 / ``finance123``, who records withdrawal payouts
  (approver and payer are two people);
- a history dated over the last 60 days (``distribution/demo/``): 23 orders in every state —
  unpaid, cancelled unpaid, paid, shipped, received, completed, partly refunded, refunded in
  full, an after-sale waiting for review — with commission pending, settled, and reduced or
  cancelled by those refunds, and two withdrawals of 小雨: one paid out, one waiting for
  review. Skip it with ``--no-history``. (A refund can only reach an item while its
  after-sales window is open, that is before its commission settles, so no settled record is
  reversed out of a wallet: the orders services offer no refund after the window.)

How the history gets its dates. Every step runs through the real services, which stamp
``timezone.now()``: checkout, the sandbox cashier and its signed notice, shipping and
receipt, after-sales and the gateway's refund notice, the orders sweeps, the settlement
sweep, the withdrawal request, review and payout. No clock is faked. Then a clearly separate
back-dating step (``distribution/demo/backdate.py``) moves only the DATES of the rows the
history made — orders, items' windows, timeline events, payments, after-sales, refunds,
commission records, withdrawals — onto one timeline per story, so that every state stays
consistent (a window closes before its commission settles, a withdrawal is paid after it
was approved). It never writes an amount or a state; ledger entries keep the day the demo was
loaded (the ledger is append-only and a trigger refuses UPDATEs). The order is: tell every
story up to receipt, back-date, run the sweeps (which then find the windows due), back-date
their stamps too, then withdraw. It all runs in one transaction, so the history is there
whole or not at all; its marker is the ``demo-history-`` client token of its orders, and a
second run finds it and stops at once.
"""

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from common.money import format_cny
from distribution.commission.services.rules import level_rate_set
from distribution.demo import data as history_data
from distribution.demo.funnel import demo_funnel_build
from distribution.demo.history import demo_history_build, finance_staff_ensure
from distribution.earnings.selectors import earnings_overview
from distribution.models import BindSource, LevelChange, LevelRate, Member, ResellerLevel
from distribution.referral.services.moves import member_move
from distribution.referral.services.placement import referral_tree_place_pending
from distribution.reseller.services.levels import member_set_level, reseller_level_save
from distribution.reseller.services.resellers import reseller_grant
from mall.demo import data
from mall.hooks import hooks
from mall.models import Shop, User
from orders.demo import demo_reviews_seed
from orders.models import ReturnAddress
from orders.services.returns import return_address_save

REASON = "演示数据"


class LevelSeed(NamedTuple):
    name: str
    weight: int
    is_default: bool
    min_own: str
    min_team: str
    min_settled: str
    rates: tuple[str, str]


LEVELS = (
    LevelSeed("普通分销员", 1, True, "0", "0", "0", ("0.10", "0.05")),
    LevelSeed("银牌", 2, False, "500", "3000", "0", ("0.12", "0.06")),
    LevelSeed("金牌", 3, False, "2000", "20000", "500", ("0.15", "0.08")),
)
LEVEL_OF = {"13800000001": "金牌", "13800000002": "银牌"}
# (phone, nickname, upline phone): in order, so an upline exists before its downlines.
DOWNLINES = (
    ("13700000001", "小林", "13800000001"),
    ("13700000002", "陈姐", "13800000001"),
    ("13700000003", "豆豆妈", "13800000001"),
    ("13700000004", "阿峰", "13800000001"),
    ("13700000005", "Coco", "13800000001"),
    ("13700000006", "王老师", "13800000001"),
    ("13700000007", "甜甜", "13700000001"),
    ("13700000008", "大伟", "13700000001"),
    ("13700000009", "小鹿", "13700000002"),
    ("13700000010", "周周", "13800000002"),
    ("13700000011", "木子", "13800000002"),
    ("13700000012", "阿琳", "13800000003"),
)
DOWNLINE_RESELLERS = ("13700000001",)  # a downline who is a reseller too: shows the tag


@contextmanager
def _quiet_notice_delivery() -> Iterator[None]:
    """The sandbox "provider" posts each notice to the site once the history commits, before
    the server runs: every first attempt fails (one log line each) and the provider re-sends
    later, as WeChat Pay does. The history applied each notice itself already."""
    loggers = [logging.getLogger(name) for name in ("orders.payments.sandbox.notices", "celery.app.trace")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Make the demo shop owners resellers with levels and give them a team (run after seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true",
                            help="Seed even under production settings.")
        parser.add_argument("--no-history", action="store_true",
                            help="Only levels, resellers and the team: no orders, commission or withdrawals.")

    def handle(self, *args: object, **options: object) -> None:
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data under production settings; "
                               "pass --allow-production.")
        staff = User.objects.filter(phone=data.STAFF.phone, is_staff=True).first()
        if staff is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo accounts are missing.")
        levels = self._levels(staff)
        self._resellers(staff, levels)
        self._shopper(staff)
        self._downlines(staff)
        finance = self._finance()
        self._return_address()
        if not options["no_history"]:
            self._history(staff, finance)
            line = demo_funnel_build()
            self._say(line or "分享效果: 已存在，跳过")
        self.stdout.write(self.style.SUCCESS("distribution demo ready: log in as 13800000001 / "
                                             f"{data.DEMO_PASSWORD} and open /distribution/"))
        self.stdout.write(f"  staff (finance, records payouts): {history_data.FINANCE_PHONE} / "
                          f"{history_data.FINANCE_PASSWORD} — /admin/")

    def _say(self, message: str) -> None:
        self.stdout.write(f"  {message}")

    def _levels(self, staff: User) -> dict[str, ResellerLevel]:
        levels = {}
        for seed in LEVELS:
            level = ResellerLevel.objects.filter(name=seed.name).first()
            if level is None:
                level = reseller_level_save(level=ResellerLevel(
                    name=seed.name, weight=seed.weight, is_default=seed.is_default,
                    auto_upgrade=not seed.is_default, min_own_sales=Decimal(seed.min_own),
                    min_team_sales=Decimal(seed.min_team), min_settled_commission=Decimal(seed.min_settled),
                ), operator=staff)
                self._say(f"等级 {seed.name}: 新建")
            else:
                self._say(f"等级 {seed.name}: 已存在")
            for tier, rate in enumerate(seed.rates, start=1):
                if not LevelRate.objects.filter(level=level, tier=tier).exists():
                    level_rate_set(level=level, tier=tier, rate=Decimal(rate), operator=staff)
            levels[seed.name] = level
        return levels

    def _member(self, phone: str) -> Member:
        member = Member.objects.select_related("user", "level").filter(user__phone=phone).first()
        if member is None:
            raise CommandError(f"No member for {phone}: run `manage.py seed_demo` first.")
        return member

    def _resellers(self, staff: User, levels: dict[str, ResellerLevel]) -> None:
        for seed in data.RESELLERS:
            member = self._member(seed.phone)
            if not member.is_reseller:
                member = reseller_grant(member=member, operator=staff, reason=REASON)
                self._say(f"分销员 {seed.nickname} ({seed.phone}): 已开通")
            target = levels.get(LEVEL_OF.get(seed.phone, ""))
            by_staff = LevelChange.objects.filter(member=member, source=LevelChange.Source.STAFF).exists()
            if target is not None and member.level_id != target.pk and not by_staff:
                member_set_level(member=member, level=target, operator=staff, reason=REASON)
                self._say(f"分销员 {seed.nickname}: 等级 {target.name}")

    def _shopper(self, staff: User) -> None:
        shopper = self._member(data.SHOPPER.phone)
        if shopper.parent_id is not None:
            self._say(f"买家 {data.SHOPPER.phone}: 已有上级")
            return
        upline = self._member(data.RESELLERS[0].phone)
        member_move(member=shopper, new_parent=upline, operator=staff, reason=REASON, source=BindSource.STAFF)
        self._say(f"买家 {data.SHOPPER.phone}: 绑定到 {upline.user.display_name}")

    def _downlines(self, staff: User) -> None:
        password = make_password(data.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        trees = set()
        created = 0
        for phone, nickname, upline_phone in DOWNLINES:
            if not User.objects.filter(phone=phone).exists():
                upline = self._member(upline_phone)
                with transaction.atomic():
                    user = User.objects.create_user(phone, None, nickname=nickname,
                                                    phone_verified_at=timezone.now())
                    User.objects.filter(pk=user.pk).update(password=password)
                    # The sign-up path: the referral app binds the new member under the code.
                    hooks.call("user_registered", user=user, invite_code=upline.invite_code,
                               source=BindSource.LINK)
                created += 1
                trees.add(upline.tree_id)
            if phone in DOWNLINE_RESELLERS and not self._member(phone).is_reseller:
                reseller_grant(member=self._member(phone), operator=staff, reason=REASON)
        for tree_id in sorted(trees):
            referral_tree_place_pending(tree_id=tree_id, wait=True)
        self._say(f"下级会员: 新建 {created} 个 (共 {len(DOWNLINES)} 个，密码 {data.DEMO_PASSWORD})")

    def _return_address(self) -> None:
        """The platform's default return address, so a demo return can be approved."""
        if ReturnAddress.objects.filter(is_platform_default=True).exists():
            return
        return_address_save(address=ReturnAddress(
            receiver="圈子售后中心", phone="4008001234", province="浙江省", city="杭州市",
            district="余杭区", detail="仓前街道文一西路 1500 号 3 号仓", note="请在包裹内附上订单号"))
        self._say("平台默认退货地址: 新建")

    def _finance(self) -> User:
        finance, created = finance_staff_ensure()
        self._say(f"财务 {finance.phone}: {'新建' if created else '已存在'}")
        return finance

    def _history(self, staff: User, finance: User) -> None:
        if not finance.has_perm("distribution.pay_withdrawal") or finance.pk == staff.pk:
            raise CommandError(f"{finance.phone} must be another staff member with the "
                               "distribution.pay_withdrawal permission (it records the demo payout).")
        shops = Shop.objects.filter(owner__phone__in={s.shop_owner for s in history_data.STORIES})
        if shops.count() < len({s.shop_owner for s in history_data.STORIES}):
            raise CommandError("Run `manage.py seed_demo` first: the demo shops are missing.")
        started = time.monotonic()
        with _quiet_notice_delivery():
            result = demo_history_build(staff=staff, finance=finance, progress=self._say)
        demo_reviews_seed(staff=staff, progress=self._say)  # 口碑 on the received orders (orders app)
        seconds = time.monotonic() - started
        if not result.created:
            self._say(f"演示历史: 已存在，跳过 ({seconds:.1f} s)")
            return
        states = ", ".join(f"{state} {count}" for state, count in sorted(result.orders.items()))
        self._say(f"演示历史: {sum(result.orders.values())} 个订单 ({states}), "
                  f"{len(result.withdrawals)} 笔提现, {seconds:.1f} s")
        overview = earnings_overview(member=self._member(history_data.XIAOYU))
        self._say(f"小雨 13800000001: 可提现 {format_cny(overview.available)}  "
                  f"待结算 {format_cny(overview.pending)}  提现中 {format_cny(overview.held)}  "
                  f"已提现 {format_cny(overview.withdrawn)}")
