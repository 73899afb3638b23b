"""Reseller levels: automatic upgrades on sales only, staff changes, level settings, admin."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from distribution.models import LevelChange, Member, ResellerLevel
from distribution.referral import selectors as referral_selectors
from distribution.referral.services.placement import referral_tree_place_pending
from distribution.reseller import selectors as reseller_selectors
from distribution.reseller.errors import NotAReseller, StaffOnly, StaffReasonRequired
from distribution.reseller.services.levels import (
    LevelInvalid,
    LevelNotFound,
    LevelUnchanged,
    levels_evaluate_after_settlement,
    member_evaluate_level,
    member_set_level,
    reseller_level_save,
)
from distribution.tasks import settle_commissions
from tests.concurrency import run_parallel
from tests.distribution.commission_world import buy, close_windows, make_world, receive, sku
from tests.distribution.factories import MemberFactory, ResellerLevelFactory
from tests.distribution.resellers_world import default_level, sell, staff_user, state, three_levels
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


def reseller(level: ResellerLevel | None, **fields) -> Member:
    return MemberFactory(is_reseller=True, level=level, **fields)


def level_of(member: Member) -> int | None:
    return Member.objects.get(pk=member.pk).level_id


# --- automatic upgrade ------------------------------------------------------------------------


def test_upgrade_when_own_and_team_sales_reach_the_next_level():
    basic, silver, _gold = three_levels()
    member = reseller(basic)
    downline = MemberFactory(parent=member)
    sell(member, "500.00")
    sell(downline, "3000.00")

    change = member_evaluate_level(member=member)

    assert level_of(member) == silver.pk
    assert (change.old_level_id, change.new_level_id, change.source, change.operator_id) == (
        basic.pk, silver.pk, "auto", None)
    assert (change.own_sales, change.team_sales, change.settled_commission) == (
        Decimal("500.00"), Decimal("3000.00"), Decimal("0.00"))


def test_every_condition_must_hold():
    basic, _silver, _gold = three_levels()
    member = reseller(basic)
    downline = MemberFactory(parent=member)
    sell(member, "100000.00")  # own sales far above every level, team sales short
    sell(downline, "2999.99")
    before = state()

    assert member_evaluate_level(member=member) is None

    assert state() == before


def test_the_highest_level_reached_is_given_at_once():
    basic, silver, gold = three_levels()
    ResellerLevel.objects.filter(pk=gold.pk).update(min_settled_commission=0)
    member = reseller(basic)
    downline = MemberFactory(parent=member)
    sell(member, "2000.00")
    sell(downline, "20000.00")

    change = member_evaluate_level(member=member)

    assert (change.old_level_id, change.new_level_id) == (basic.pk, gold.pk)
    assert LevelChange.objects.count() == 1  # no stop at 银牌 on the way
    assert silver.pk not in LevelChange.objects.values_list("new_level_id", flat=True)


def test_levels_never_go_down_automatically():
    _basic, _silver, gold = three_levels()
    member = reseller(gold)  # set by staff, no sales at all
    before = state()

    assert member_evaluate_level(member=member) is None

    assert level_of(member) == gold.pk
    assert state() == before


def test_a_level_without_automatic_upgrade_is_never_reached_by_itself():
    basic = default_level()
    ResellerLevelFactory(name="合伙人", weight=50, auto_upgrade=False, min_own_sales=Decimal("1.00"))
    member = reseller(basic)
    sell(member, "99999.00")

    assert member_evaluate_level(member=member) is None
    assert level_of(member) == basic.pk


@pytest.mark.parametrize("fields", [{"is_reseller": False}, {"is_active": False}])
def test_non_resellers_and_suspended_members_are_not_upgraded(fields):
    basic, _silver, _gold = three_levels()
    member = MemberFactory(level=basic, **{"is_reseller": True} | fields)
    downline = MemberFactory(parent=member)
    sell(member, "5000.00")
    sell(downline, "50000.00")
    before = state()

    assert member_evaluate_level(member=member) is None

    assert state() == before


def test_a_reseller_without_a_level_gets_the_highest_level_reached():
    _basic, silver, _gold = three_levels()
    member = reseller(None)
    downline = MemberFactory(parent=member)
    sell(member, "600.00")
    sell(downline, "3000.00")

    change = member_evaluate_level(member=member)

    assert (change.old_level_id, change.new_level_id) == (None, silver.pk)


def test_compliance_a_recruiter_with_100_invitees_and_no_sales_keeps_the_level():
    """I6: recruiting alone earns nothing and moves no level."""
    basic, _silver, _gold = three_levels()
    recruiter = reseller(basic)
    for _ in range(100):
        MemberFactory(parent=recruiter, place=False)
    referral_tree_place_pending(tree_id=recruiter.tree_id, wait=True)
    recruiter = Member.objects.get(pk=recruiter.pk)
    before = state()

    assert member_evaluate_level(member=recruiter) is None

    figures = reseller_selectors.member_sales_figures(member=recruiter)
    assert referral_selectors.team_size(member=recruiter) == 100
    assert (figures.own_sales, figures.team_sales, figures.settled_commission) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert level_of(recruiter) == basic.pk
    assert state() == before


def test_levels_have_no_headcount_condition():
    """Compliance: upgrade conditions are sales only; no field counts people."""
    names = {f.name for f in ResellerLevel._meta.concrete_fields}
    words = {w for name in names for w in name.split("_")}

    assert {n for n in names if n.startswith("min_")} == {"min_own_sales", "min_team_sales",
                                                          "min_settled_commission"}
    assert words & {"count", "headcount", "member", "members", "invites", "invitees", "downlines", "size",
                    "people", "recruits"} == set()


def test_an_automatic_level_without_a_sales_condition_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerLevel.objects.create(name="白送", weight=7, auto_upgrade=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResellerLevel.objects.create(name="负数", weight=8, min_team_sales=Decimal("-1"))

    assert not ResellerLevel.objects.exists()


# --- the settlement hook, with real orders ---------------------------------------------------


def test_settlement_upgrades_on_settled_commission(settings):
    world = make_world(tiers=2)  # seller earns 10 % of 100.00, mid 5 %
    diamond = ResellerLevelFactory(name="钻石", weight=world.level.weight + 100, auto_upgrade=True,
                                   min_settled_commission=Decimal("10.00"))
    receive(buy(world.buyer, [(sku("100.00", "40.00"), 1)]))
    close_windows()

    settle_commissions()

    assert level_of(world.seller) == diamond.pk
    assert level_of(world.mid) == world.level.pk  # 5.00 settled: not enough
    change = LevelChange.objects.get(member=world.seller)
    assert (change.source, change.settled_commission, change.team_sales) == (
        "auto", Decimal("10.00"), Decimal("100.00"))


def test_the_settlement_hook_evaluates_each_member_it_paid():
    basic, silver, _gold = three_levels()
    members = [reseller(basic) for _ in range(3)]
    for member in members[:2]:
        sell(member, "500.00")
        sell(MemberFactory(parent=member), "3000.00")

    levels_evaluate_after_settlement(member_ids=[m.pk for m in members])

    assert [level_of(m) for m in members] == [silver.pk, silver.pk, basic.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_evaluations_upgrade_once():
    basic, silver, _gold = three_levels()
    member = reseller(basic)
    sell(member, "500.00")
    sell(MemberFactory(parent=member), "3000.00")

    results = run_parallel(6, lambda _: member_evaluate_level(member=member))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r is not None for r in results) == 1
    assert LevelChange.objects.filter(member=member).count() == 1
    assert level_of(member) == silver.pk


# --- staff ------------------------------------------------------------------------------------


def test_staff_set_a_level_down_with_a_reason():
    basic, _silver, gold = three_levels()
    staff = staff_user()
    member = reseller(gold)
    sell(member, "12.30")

    change = member_set_level(member=member, level=basic, operator=staff, reason="违规降级")

    assert level_of(member) == basic.pk
    assert (change.old_level_id, change.new_level_id, change.source, change.operator_id, change.reason,
            change.own_sales) == (gold.pk, basic.pk, "staff", staff.pk, "违规降级", Decimal("12.30"))


@pytest.mark.parametrize(("case", "error", "message"), [
    ("not staff", StaffOnly, "只有运营人员可以执行此操作。"),
    ("no reason", StaffReasonRequired, "请填写原因（最多 200 字），它会被记入日志。"),
    ("same level", LevelUnchanged, "该会员已是这个等级。"),
    ("no level", LevelNotFound, "该分销等级不存在。"),
    ("not a reseller", NotAReseller, "该会员不是分销员。"),
])
def test_refused_level_changes_change_nothing(case, error, message):
    basic, silver, _gold = three_levels()
    member = MemberFactory(is_reseller=case != "not a reseller", level=basic)
    operator = UserFactory() if case == "not staff" else staff_user()
    missing = ResellerLevel(pk=999999, name="x", weight=999)
    level = {"same level": basic, "no level": missing}.get(case, silver)
    before = state()

    with pytest.raises(error) as raised:
        member_set_level(member=member, level=level, operator=operator,
                         reason="" if case == "no reason" else "调整")

    with translation.override("zh-hans"):
        assert str(raised.value.message) == message
    assert state() == before


def test_a_new_default_level_takes_the_flag_from_the_old_one():
    old = default_level()
    staff = staff_user()

    new = reseller_level_save(level=ResellerLevel(name="新默认", weight=5, is_default=True), operator=staff)

    assert list(ResellerLevel.objects.filter(is_default=True).values_list("pk", flat=True)) == [new.pk]
    assert ResellerLevel.objects.get(pk=old.pk).is_default is False


def test_level_settings_are_validated_and_refusals_change_nothing():
    default_level()
    staff = staff_user()
    before = list(ResellerLevel.objects.values_list())

    with pytest.raises(LevelInvalid) as raised:
        reseller_level_save(level=ResellerLevel(name="白送", weight=6, is_default=True, auto_upgrade=True),
                            operator=staff)
    with pytest.raises(StaffOnly):
        reseller_level_save(level=ResellerLevel(name="x", weight=9), operator=UserFactory())

    with translation.override("zh-hans"):
        assert "自动升级的等级至少需要一项大于零的业绩条件。" in str(raised.value.message)
    assert list(ResellerLevel.objects.values_list()) == before  # the old default kept its flag


# --- admin -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    client.admin = admin_user
    return client


def test_admin_set_level_action_with_a_reason(staff_client):
    basic, silver, _gold = three_levels()
    members = [reseller(basic), reseller(basic)]
    url = reverse("admin:distribution_member_changelist")
    pks = [m.pk for m in members]

    form = staff_client.post(url, {"action": "set_level", "_selected_action": pks})
    done = staff_client.post(url, {"action": "set_level", "_selected_action": pks, "apply": "1",
                                   "level": silver.pk, "reason": "活动奖励"})

    assert form.status_code == 200 and 'name="level"' in form.content.decode()
    assert done.status_code == 302
    assert [level_of(m) for m in members] == [silver.pk, silver.pk]
    logged = set(LevelChange.objects.values_list("operator_id", "reason"))
    assert logged == {(staff_client.admin.pk, "活动奖励")}


def test_admin_level_form_moves_the_default_and_refuses_a_free_level(staff_client):
    old = default_level()
    add = reverse("admin:distribution_resellerlevel_add")
    base = {"name": "新手", "weight": 3, "min_own_sales": "0", "min_team_sales": "0",
            "min_settled_commission": "0"}

    refused = staff_client.post(add, base | {"auto_upgrade": "on"})
    saved = staff_client.post(add, base | {"is_default": "on"})

    assert refused.status_code == 200
    assert "自动升级的等级至少需要一项大于零的业绩条件。" in refused.content.decode()
    assert saved.status_code == 302
    assert ResellerLevel.objects.get(is_default=True).name == "新手"
    assert ResellerLevel.objects.get(pk=old.pk).is_default is False
    assert staff_client.get(reverse("admin:distribution_levelchange_changelist")).status_code == 200
