"""Demo data of private-domain operations: anti-disturbance settings, message templates, tags
(小雨 tags her customers), today's member profiles, an audience pack, a message in 小雨's
inbox (13800000001), the SOP 新客7天欢迎 (day 0 and day 3 after joining, 10:00) and the
repurchase reminder on 婴儿湿巾, made through the services. Safe to run twice.

The wipes' cycle: the nightly learning runs here over the demo history, but that history (23
orders, no member buying one product twice) gives no pair, far below the 20 the learning
needs, so the demo sets a 15-day cycle as staff would (only if staff have set none), and the
admin shows the learned sample (0 pairs) beside it.

The message is decided at the last 10:00 Shanghai time (today's, or yesterday's before
10:00): a demo loaded at night would otherwise see it deferred by the quiet hours, which is
what the product does, but not what a first look at the inbox should show.
"""

import os
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from crm.models import (
    AudiencePack,
    Channel,
    MessageTemplate,
    ProductCycle,
    QuietPolicy,
    ReachSettings,
    RepurchaseSettings,
    Sop,
    SopStep,
    SourceKind,
    Stage,
    TagGroup,
    Trigger,
)
from crm.rules import REACH_TIME_ZONE
from crm.services.dispatch import outbox_dispatch_batch
from crm.services.outbox import messages_enqueue
from crm.services.packs import pack_save
from crm.services.profiles import profiles_compute
from crm.services.repurchase import cycles_learn
from crm.services.rule_tags import rule_tags_compute
from crm.services.sops import sop_create
from crm.services.tags import member_tag_add_by_reseller, member_tags_add_by_staff, tag_create
from distribution.models import Member
from mall.models import Product, User

XIAOYU = "13800000001"
TEMPLATES = [
    {"name": "会员日通知", "channel": Channel.INBOX, "title": "{nickname}，会员日到啦",
     "body": "亲爱的{nickname}，本周六会员日全场包邮，常买的{product}也在活动里，记得来看看。",
     "link": "/", "quiet_policy": QuietPolicy.DEFER},
    {"name": "复购提醒（短信）", "channel": Channel.SMS, "title": "复购提醒",
     "body": "{nickname}，您上次买的{product}快用完了，点击小程序一键回购。",
     "link": "/", "quiet_policy": QuietPolicy.DROP},
    {"name": "新客欢迎·第0天", "channel": Channel.INBOX, "title": "{nickname}，欢迎来到圈子",
     "body": "{nickname}，欢迎加入！新人专区已为您准备好，先逛逛看吧。", "link": "/",
     "quiet_policy": QuietPolicy.DEFER},
    {"name": "新客欢迎·第3天", "channel": Channel.INBOX, "title": "{nickname}，这些好物大家都在买",
     "body": "{nickname}，来圈子三天啦，看看大家回购最多的好物。", "link": "/",
     "quiet_policy": QuietPolicy.DEFER},
]
WELCOME_SOP = "新客7天欢迎"
CYCLE_PRODUCT = "小象宝贝 婴儿手口专用湿巾 80抽"


class Command(BaseCommand):
    help = "Load the crm demo: settings, templates and a message in 小雨's inbox (safe to run twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--allow-production", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if module.endswith(".production") and not options["allow_production"]:
            raise CommandError("Refusing to load demo data under production settings; "
                               "pass --allow-production.")
        xiaoyu = User.objects.filter(phone=XIAOYU).first()
        if xiaoyu is None:
            raise CommandError("Run `manage.py seed_demo` first: the demo accounts are missing.")
        ReachSettings.get_solo()
        templates = [MessageTemplate.objects.update_or_create(name=t["name"], defaults=t)[0]
                     for t in TEMPLATES]
        decided_at = self._last_ten_oclock()
        messages_enqueue(template=templates[0], user_ids=[xiaoyu.pk], source_kind=SourceKind.STAFF,
                         source_id=None, occasion="demo", not_before=decided_at, values={"product": "纯牛奶"})
        outbox_dispatch_batch(now=decided_at)
        self._audience(xiaoyu)
        self._journeys(templates)
        self.stdout.write(f"crm demo: {len(templates)} templates, tags, a pack, a message in 小雨's inbox, "
                          f"the SOP {WELCOME_SOP}, a repurchase cycle")

    @staticmethod
    def _journeys(templates: list[MessageTemplate]) -> None:
        if not Sop.objects.filter(name=WELCOME_SOP).exists():
            sop_create(name=WELCOME_SOP, conditions={"stages": [Stage.NEW]}, is_active=True, steps=[
                SopStep(trigger=Trigger.JOINED, day=day, send_time=time(10), template=template)
                for day, template in ((0, templates[2]), (3, templates[3]))])
        settings_row = RepurchaseSettings.get_solo()
        if settings_row.template_id is None:
            settings_row.template = templates[1]
            settings_row.save(update_fields=["template"])
        cycles_learn(today=timezone.localdate())
        product = Product.objects.filter(title=CYCLE_PRODUCT).first()
        if product is not None:
            cycle = ProductCycle.objects.get_or_create(product=product)[0]
            if cycle.override_days is None and cycle.learned_days is None:
                cycle.override_days = 15
                cycle.save(update_fields=["override_days"])

    @staticmethod
    def _audience(xiaoyu: User) -> None:
        group = TagGroup.objects.get_or_create(name="兴趣")[0]
        baby, health = (tag_create(group=group, name=name) for name in ("母婴", "健康"))
        customers = list(Member.objects.filter(parent__user=xiaoyu).values_list("user_id", flat=True))
        if customers and Member.objects.filter(user=xiaoyu, is_reseller=True).exists():
            member_tag_add_by_reseller(reseller=xiaoyu, tag=baby, user_id=customers[0])
        member_tags_add_by_staff(tag=health, user_ids=[xiaoyu.pk, *customers[1:3]], operator=None)
        profiles_compute(today=timezone.localdate())
        rule_tags_compute(today=timezone.localdate())
        if not AudiencePack.objects.filter(name="近30天下单").exists():
            pack_save(name="近30天下单", conditions={"ordered_within_days": 30}, operator=None)

    @staticmethod
    def _last_ten_oclock() -> datetime:
        here = timezone.now().astimezone(REACH_TIME_ZONE)
        day = here.date() if here.time() >= time(10) else here.date() - timedelta(days=1)
        return datetime.combine(day, time(10), tzinfo=REACH_TIME_ZONE)
