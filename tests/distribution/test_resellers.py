"""Becoming a reseller (everyone / apply / designated), revoking, the admin, the demo seed."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from distribution.models import (
    ApplicationState,
    JoinMode,
    LevelChange,
    Member,
    ResellerApplication,
    ResellerLevel,
    ResellerProgram,
    ResellerStatusChange,
)
from distribution.referral.services.members import member_create_for_user
from distribution.reseller.errors import (
    AlreadyReseller,
    ApplicationAlreadyOpen,
    ApplicationNotFound,
    ApplicationNotOpen,
    JoinDirectly,
    JoinNotOpen,
    MemberInactive,
    NotAReseller,
    ResellersDesignatedOnly,
    StaffOnly,
    StaffReasonRequired,
)
from distribution.reseller.services.resellers import (
    ApplicationReasonTooLong,
    ContactPhoneInvalid,
    RealNameInvalid,
    reseller_application_approve,
    reseller_application_reject,
    reseller_application_withdraw,
    reseller_apply,
    reseller_grant,
    reseller_join,
    reseller_revoke,
)
from mall.models import Shop
from mall.services.shops import platform_shop_get
from tests.concurrency import run_parallel
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import default_level, everyone, set_join_mode, staff_user, state
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def zh(error) -> str:
    with translation.override("zh-hans"):
        return str(error.message)


PHONE_MESSAGE = "请输入有效的中国大陆手机号（以 1 开头的 11 位数字）。"


def apply(member, **fields):
    values = {"real_name": "王小明", "contact_phone": "13912345678", "reason": "想开店"} | fields
    return reseller_apply(member=member, **values)


# --- everyone mode ---------------------------------------------------------------------------


def test_everyone_mode_joins_at_once_with_the_default_level_and_a_new_shop():
    everyone()
    level = default_level()
    member = MemberFactory(user=UserFactory(nickname="小美"))

    reseller = reseller_join(member=member)

    assert (reseller.is_reseller, reseller.level_id, reseller.own_paid_sales) == (True, level.pk, 0)
    assert reseller.reseller_since is not None
    shop = Shop.objects.get(owner=member.user)
    assert (shop.name, shop.is_active, shop.is_platform) == ("小美的小店", True, False)
    change = LevelChange.objects.get(member=member)
    assert (change.old_level_id, change.new_level_id, change.source, change.operator_id) == (
        None, level.pk, "join", None)
    assert list(ResellerStatusChange.objects.values_list("member_id", "kind", "operator_id")) == [
        (member.pk, "joined", None)]


def test_joining_keeps_the_shop_a_member_already_has():
    everyone()
    member = MemberFactory()
    shop = ShopFactory(owner=member.user, name="老店")

    reseller_join(member=member)

    assert list(Shop.objects.filter(owner=member.user).values_list("pk", "name")) == [(shop.pk, "老店")]


def test_joining_without_a_default_level_leaves_the_level_empty():
    everyone()
    member = MemberFactory()

    reseller = reseller_join(member=member)

    assert (reseller.is_reseller, reseller.level_id) == (True, None)
    assert not LevelChange.objects.exists()


@pytest.mark.parametrize("mode", [JoinMode.APPLY, JoinMode.DESIGNATED])
def test_joining_is_refused_unless_the_programme_is_open_to_everyone(mode):
    set_join_mode(mode)
    member = MemberFactory()
    before = state()

    with pytest.raises(JoinNotOpen) as error:
        reseller_join(member=member)

    assert zh(error.value) == "暂不支持直接加入。请提交申请，或联系平台。"
    assert state() == before


def test_joining_twice_is_refused_and_changes_nothing():
    everyone()
    default_level()
    member = MemberFactory()
    reseller_join(member=member)
    before = state()

    with pytest.raises(AlreadyReseller) as error:
        reseller_join(member=member)

    assert zh(error.value) == "该会员已经是分销员。"
    assert state() == before


def test_a_suspended_member_cannot_join():
    everyone()
    member = MemberFactory(is_active=False)
    before = state()

    with pytest.raises(MemberInactive):
        reseller_join(member=member)

    assert state() == before


def test_becoming_a_reseller_needs_no_fee_and_no_purchase():
    """Compliance (禁止传销条例 art. 7): no fee or purchase field exists anywhere in joining,
    and a member with no purchase at all becomes a reseller."""
    forbidden = {"fee", "fees", "price", "purchase", "deposit", "charge", "payment", "cost"}
    models = (ResellerProgram, ResellerApplication, ResellerStatusChange, ResellerLevel)
    names = {f.name for model in models for f in model._meta.get_fields()}
    words = {word for name in names for word in name.split("_")}

    assert words & forbidden == set()
    assert {m.value for m in JoinMode} == {"everyone", "apply", "designated"}
    everyone()
    member = MemberFactory()
    assert member.own_paid_sales == 0
    assert reseller_join(member=member).is_reseller is True


# --- apply mode ------------------------------------------------------------------------------


def test_apply_opens_one_application_with_clean_fields():
    member = MemberFactory()

    application = apply(member, real_name="  王  小明 ", contact_phone="+86 139-1234-5678", reason=" 想开店 ")

    row = ResellerApplication.objects.get()
    assert (row.pk, row.member_id, row.state, row.real_name, row.contact_phone, row.reason) == (
        application.pk, member.pk, "requested", "王 小明", "13912345678", "想开店")
    assert Member.objects.get(pk=member.pk).is_reseller is False


@pytest.mark.parametrize(("fields", "error", "message"), [
    ({"real_name": " "}, RealNameInvalid, "请填写真实姓名（2 到 20 个字）。"),
    ({"real_name": "王"}, RealNameInvalid, "请填写真实姓名（2 到 20 个字）。"),
    ({"real_name": "王" * 21}, RealNameInvalid, "请填写真实姓名（2 到 20 个字）。"),
    ({"contact_phone": "12345"}, ContactPhoneInvalid, PHONE_MESSAGE),
    ({"contact_phone": "23912345678"}, ContactPhoneInvalid, PHONE_MESSAGE),
    ({"reason": "好" * 501}, ApplicationReasonTooLong, "申请理由请控制在 500 字以内。"),
])
def test_bad_application_input_is_refused_and_changes_nothing(fields, error, message):
    member = MemberFactory()
    before = state()

    with pytest.raises(error) as raised:
        apply(member, **fields)

    assert zh(raised.value) == message
    assert state() == before


def test_a_second_open_application_is_refused():
    member = MemberFactory()
    apply(member)
    before = state()

    with pytest.raises(ApplicationAlreadyOpen) as error:
        apply(member, real_name="李四")

    assert zh(error.value) == "你已有一份申请正在审核中。"
    assert state() == before


@pytest.mark.parametrize(("mode", "error"), [(JoinMode.EVERYONE, JoinDirectly),
                                            (JoinMode.DESIGNATED, ResellersDesignatedOnly)])
def test_applications_are_only_taken_in_apply_mode(mode, error):
    set_join_mode(mode)
    member = MemberFactory()
    before = state()

    with pytest.raises(error):
        apply(member)

    assert state() == before


def test_a_reseller_cannot_apply():
    member = MemberFactory(is_reseller=True)
    before = state()

    with pytest.raises(AlreadyReseller):
        apply(member)

    assert state() == before


def test_staff_approve_an_application():
    level = default_level()
    staff = staff_user()
    member = MemberFactory()
    application = apply(member)

    approved = reseller_application_approve(application=application, operator=staff)

    assert (approved.state, approved.reviewed_by_id) == ("approved", staff.pk)
    assert approved.reviewed_at is not None and approved.closed_at is not None
    member = Member.objects.get(pk=member.pk)
    assert (member.is_reseller, member.level_id) == (True, level.pk)
    assert Shop.objects.filter(owner=member.user).count() == 1
    assert list(ResellerStatusChange.objects.values_list("kind", "operator_id")) == [("approved", staff.pk)]


def test_non_staff_cannot_review_applications():
    application = apply(MemberFactory())
    before = state()

    for operator in (None, UserFactory(), staff_user(is_active=False)):
        with pytest.raises(StaffOnly):
            reseller_application_approve(application=application, operator=operator)
        with pytest.raises(StaffOnly):
            reseller_application_reject(application=application, operator=operator, reason="资料不全")

    assert state() == before


def test_staff_reject_with_a_reason_and_the_member_may_apply_again():
    staff = staff_user()
    member = MemberFactory()
    application = apply(member)

    rejected = reseller_application_reject(application=application, operator=staff, reason="资料不全")

    assert (rejected.state, rejected.reject_reason, rejected.reviewed_by_id) == (
        "rejected", "资料不全", staff.pk)
    assert Member.objects.get(pk=member.pk).is_reseller is False
    assert apply(member).state == "requested"


def test_reject_needs_a_reason():
    application = apply(MemberFactory())
    before = state()

    with pytest.raises(StaffReasonRequired):
        reseller_application_reject(application=application, operator=staff_user(), reason="  ")

    assert state() == before


def test_a_handled_application_cannot_be_handled_again():
    staff = staff_user()
    application = apply(MemberFactory())
    reseller_application_reject(application=application, operator=staff, reason="资料不全")
    before = state()

    with pytest.raises(ApplicationNotOpen) as error:
        reseller_application_approve(application=application, operator=staff)
    with pytest.raises(ApplicationNotOpen):
        reseller_application_withdraw(application=application, member=application.member)

    assert zh(error.value) == "该申请已处理。"
    assert state() == before


def test_a_member_withdraws_their_own_application_only():
    member, other = MemberFactory(), MemberFactory()
    application = apply(member)
    before = state()

    with pytest.raises(ApplicationNotFound):
        reseller_application_withdraw(application=application, member=other)
    assert state() == before

    withdrawn = reseller_application_withdraw(application=application, member=member)
    assert (withdrawn.state, withdrawn.reviewed_by_id) == ("withdrawn", None)


# --- designated: staff grant and revoke --------------------------------------------------------


def test_staff_grant_in_designated_mode_and_close_an_open_application():
    default_level()
    member = MemberFactory()
    application = apply(member)
    set_join_mode(JoinMode.DESIGNATED)
    staff = staff_user()

    reseller = reseller_grant(member=member, operator=staff, reason="优质会员")

    assert reseller.is_reseller is True
    closed = ResellerApplication.objects.get(pk=application.pk)
    assert (closed.state, closed.reviewed_by_id) == (ApplicationState.APPROVED, staff.pk)
    assert list(ResellerStatusChange.objects.values_list("kind", "operator_id", "reason")) == [
        ("granted", staff.pk, "优质会员")]


@pytest.mark.parametrize(("operator_kind", "reason", "error"), [
    ("none", "优质会员", StaffOnly), ("member", "优质会员", StaffOnly), ("staff", "", StaffReasonRequired),
    ("staff", "x" * 201, StaffReasonRequired),
])
def test_grant_and_revoke_are_refused_without_staff_or_reason(operator_kind, reason, error):
    operator = {"none": None, "member": UserFactory(), "staff": staff_user()}[operator_kind]
    member, reseller = MemberFactory(), MemberFactory(is_reseller=True)
    before = state()

    with pytest.raises(error):
        reseller_grant(member=member, operator=operator, reason=reason)
    with pytest.raises(error):
        reseller_revoke(member=reseller, operator=operator, reason=reason)

    assert state() == before


def test_revoking_keeps_the_team_level_and_shop_but_stops_the_reseller():
    everyone()
    level = default_level()
    reseller = reseller_join(member=MemberFactory())
    downline = MemberFactory(parent=reseller)
    columns = ("id", "parent_id", "tree_id", "lft", "rght", "depth")
    tree = list(Member.objects.order_by("id").values_list(*columns))
    staff = staff_user()

    revoked = reseller_revoke(member=reseller, operator=staff, reason="违规推广")

    assert (revoked.is_reseller, revoked.reseller_since, revoked.level_id) == (False, None, level.pk)
    assert list(Member.objects.order_by("id").values_list(*columns)) == tree
    assert Member.objects.get(pk=downline.pk).parent_id == reseller.pk
    assert Shop.objects.filter(owner=reseller.user).count() == 1
    assert ResellerStatusChange.objects.filter(kind="revoked", operator=staff, reason="违规推广").count() == 1
    # The share link no longer lands on the revoked reseller's shop.
    assert reseller_share_lands_on_platform(revoked)


def reseller_share_lands_on_platform(member) -> bool:
    from django.test import Client

    response = Client().get(f"/s/{member.invite_code}")
    return response.url == reverse("mall:shop", args=[platform_shop_get().pk])


def test_revoking_a_non_reseller_is_refused():
    member = MemberFactory()
    before = state()

    with pytest.raises(NotAReseller):
        reseller_revoke(member=member, operator=staff_user(), reason="x")

    assert state() == before


def test_a_regranted_reseller_keeps_their_level():
    everyone()
    default_level()
    staff = staff_user()
    member = reseller_join(member=MemberFactory())
    gold = ResellerLevel.objects.create(name="金牌", weight=9)
    Member.objects.filter(pk=member.pk).update(level=gold)
    reseller_revoke(member=member, operator=staff, reason="暂停")

    again = reseller_grant(member=member, operator=staff, reason="恢复")

    assert (again.is_reseller, again.level_id) == (True, gold.pk)
    assert LevelChange.objects.filter(member=member).count() == 1  # only the first join
    assert Shop.objects.filter(owner=member.user).count() == 1


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_make_one_reseller_one_shop_one_log_row():
    everyone()
    default_level()
    member = MemberFactory()

    results = run_parallel(6, lambda _: reseller_join(member=member))

    assert sum(isinstance(r, Member) for r in results) == 1
    assert sum(isinstance(r, AlreadyReseller) for r in results) == 5
    assert Shop.objects.filter(owner=member.user).count() == 1
    assert ResellerStatusChange.objects.filter(member=member).count() == 1
    assert LevelChange.objects.filter(member=member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_applications_leave_one_open():
    member = MemberFactory()

    results = run_parallel(6, lambda _: apply(member))

    assert sum(isinstance(r, ResellerApplication) for r in results) == 1
    assert sum(isinstance(r, ApplicationAlreadyOpen) for r in results) == 5
    assert ResellerApplication.objects.filter(member=member, state="requested").count() == 1


# --- admin ------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    client.admin = admin_user
    return client


def _action(client, model: str, action: str, pks: list[int], *, follow: bool = False, **data):
    url = reverse(f"admin:distribution_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": pks, **data}, follow=follow)


def test_admin_grant_asks_for_a_reason_then_grants(staff_client):
    member = MemberFactory()

    form = _action(staff_client, "member", "grant_reseller", [member.pk])
    done = _action(staff_client, "member", "grant_reseller", [member.pk], apply="1", reason="优质会员")

    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert done.status_code == 302
    assert Member.objects.get(pk=member.pk).is_reseller is True
    assert ResellerStatusChange.objects.get(member=member).operator_id == staff_client.admin.pk


def test_admin_grant_without_a_reason_changes_nothing(staff_client):
    member = MemberFactory()
    before = state()

    response = _action(staff_client, "member", "grant_reseller", [member.pk], apply="1", reason="")

    assert response.status_code == 200  # the form again, with its error
    assert state() == before


def test_admin_revoke_reports_refusals(staff_client):
    reseller, member = MemberFactory(is_reseller=True), MemberFactory()

    response = _action(staff_client, "member", "revoke_reseller", [reseller.pk, member.pk], apply="1",
                       reason="违规", follow=True)

    assert Member.objects.get(pk=reseller.pk).is_reseller is False
    html = response.content.decode()
    assert "该会员不是分销员。" in html
    assert "已完成 1 项。" in html


def test_admin_reviews_applications(staff_client):
    first, second = apply(MemberFactory()), apply(MemberFactory())

    _action(staff_client, "resellerapplication", "approve", [first.pk])
    _action(staff_client, "resellerapplication", "reject", [second.pk], apply="1", reason="资料不全")

    assert ResellerApplication.objects.get(pk=first.pk).state == "approved"
    assert ResellerApplication.objects.get(pk=second.pk).reject_reason == "资料不全"
    assert staff_client.get(reverse("admin:distribution_resellerapplication_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:distribution_resellerprogram_changelist")).status_code == 302


def test_the_review_queue_lists_open_applications_first_oldest_first(staff_client):
    staff = staff_user()
    old_open, handled, new_open = apply(MemberFactory()), apply(MemberFactory()), apply(MemberFactory())
    reseller_application_reject(application=handled, operator=staff, reason="资料不全")

    page = staff_client.get(reverse("admin:distribution_resellerapplication_changelist")).content.decode()

    rows = [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', page)]
    assert rows == [old_open.pk, new_open.pk, handled.pk]


def test_admin_actions_refuse_non_staff(client):
    client.force_login(UserFactory())
    member, application = MemberFactory(), apply(MemberFactory())
    before = state()

    responses = [
        _action(client, "member", "grant_reseller", [member.pk], apply="1", reason="x"),
        _action(client, "resellerapplication", "approve", [application.pk]),
    ]

    assert [r.status_code for r in responses] == [302, 302]
    assert all(reverse("admin:login") in r.url for r in responses)
    assert state() == before


def test_admin_move_finds_the_new_upline_by_phone(staff_client):
    upline = MemberFactory(user=UserFactory(phone="13611112222"))
    member = MemberFactory()

    response = staff_client.post(reverse("admin:distribution_member_move", args=[member.pk]),
                                 {"new_upline_code": "136 1111 2222", "reason": "客户申诉"})

    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).parent_id == upline.pk
    assert_forest_exact()


def test_admin_member_pages_show_reseller_tools(staff_client):
    member = MemberFactory(is_reseller=True)
    MemberFactory(parent=MemberFactory(parent=member))

    change = staff_client.get(reverse("admin:distribution_member_change", args=[member.pk])).content.decode()
    changelist = staff_client.get(reverse("admin:distribution_member_changelist") + "?is_reseller__exact=1")

    assert "1 / 1" in change  # direct downlines / tier 2
    assert changelist.status_code == 200
    assert 'value="set_level"' in changelist.content.decode()


# --- demo data ---------------------------------------------------------------------------------


def _demo_accounts() -> None:
    from mall.demo import data

    UserFactory(phone=data.STAFF.phone, is_staff=True, is_superuser=True)
    for seed in (data.SHOPPER, *data.RESELLERS):
        member_create_for_user(user=UserFactory(phone=seed.phone, nickname=seed.nickname))


def test_seed_distribution_demo_is_idempotent(capsys):
    _demo_accounts()

    call_command("seed_distribution_demo", "--no-history")
    first = state()
    call_command("seed_distribution_demo", "--no-history")

    assert state() == first
    gold = Member.objects.get(user__phone="13800000001")
    shopper = Member.objects.get(user__phone="13900000001")
    assert (gold.is_reseller, gold.level.name) == (True, "金牌")
    assert Member.objects.get(user__phone="13800000002").level.name == "银牌"
    assert Member.objects.get(user__phone="13800000005").level.name == "普通分销员"
    assert shopper.parent_id == gold.pk
    assert Member.objects.filter(user__phone__startswith="137").count() == 12
    assert Member.objects.filter(parent=gold).count() == 7  # six downlines and the shopper
    assert Member.objects.filter(parent__parent=gold).count() == 3
    assert Member.objects.get(user__phone="13700000001").is_reseller is True
    assert ResellerLevel.objects.get(is_default=True).name == "普通分销员"
    assert "distribution demo ready" in capsys.readouterr().out
    assert_forest_exact()


# --- the programme -----------------------------------------------------------------------------


def test_staff_change_the_join_mode_and_it_is_audited():
    from distribution.models import RuleChange
    from distribution.reseller.services.resellers import (
        JoinModeInvalid,
        reseller_program_get,
        reseller_program_update,
    )

    staff = staff_user()
    assert reseller_program_get().join_mode == "apply"

    reseller_program_update(operator=staff, join_mode="everyone")

    assert reseller_program_get().join_mode == "everyone"  # the cached copy was dropped
    audit = RuleChange.objects.values_list("subject", "field", "old_value", "new_value", "operator_id")
    assert list(audit) == [("reseller_programme", "join_mode", "apply", "everyone", staff.pk)]
    before = list(RuleChange.objects.values_list())
    with pytest.raises(JoinModeInvalid):
        reseller_program_update(operator=staff, join_mode="paid")
    with pytest.raises(StaffOnly):
        reseller_program_update(operator=UserFactory(), join_mode="designated")
    assert reseller_program_get().join_mode == "everyone"
    assert list(RuleChange.objects.values_list()) == before


def test_admin_changes_the_programme_through_the_service(staff_client):
    from distribution.models import RuleChange

    assert staff_client.get(reverse("admin:distribution_resellerprogram_changelist")).status_code == 302

    response = staff_client.post(reverse("admin:distribution_resellerprogram_change", args=[1]),
                                 {"join_mode": "designated", "benefits": "开店赚佣金"})

    assert response.status_code == 302
    assert (ResellerProgram.get_solo().join_mode, ResellerProgram.get_solo().benefits) == (
        "designated", "开店赚佣金")
    assert RuleChange.objects.filter(subject="reseller_programme", operator=staff_client.admin).count() == 2
