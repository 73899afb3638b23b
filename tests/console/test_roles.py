"""The permission matrix: every desk × every admin page (list, add, change), every list action
and every custom admin page → allowed or 403, against the explicit tables below.

A page or action added to the console fails ``test_the_tables_cover_every_admin_page`` until it
is given a row here, so nobody's new page is open to every desk by accident.
"""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from config.roles import FINANCE, OPS, SERVICE, roles_sync
from distribution.models import Withdrawal
from distribution.wallet.services.withdrawals import withdrawal_approve, withdrawal_request
from tests.console.roles_helpers import desk_user
from tests.distribution.earnings_helpers import funded_reseller, low_minimum
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db

DESKS = (OPS, FINANCE, SERVICE, None)  # None: superuser
STANDARD = ("changelist", "add", "history", "delete", "change", "autocomplete")

# model → what each desk may open: L list, A add page, C change page (运营, 财务, 客服, superuser)
PAGES = {
    "auth.group": ("", "", "", "LAC"),
    "authtoken.tokenproxy": ("", "", "", "LAC"),
    "audit.staffaction": ("", "LC", "", "LC"),
    "mall.supplier": ("LAC", "", "", "LAC"),
    "mall.category": ("LAC", "", "", "LAC"),
    "mall.product": ("LAC", "", "", "LAC"),
    "mall.shop": ("LAC", "", "", "LAC"),
    "mall.recommendedproduct": ("LAC", "", "", "LAC"),
    "mall.productmaterial": ("LAC", "", "", "LAC"),
    "mall.user": ("LC", "", "LC", "LAC"),
    "mall.phonecode": ("", "", "", "LC"),
    "orders.aftersale": ("", "", "LC", "LC"),
    "orders.payment": ("", "LC", "LC", "LC"),
    "orders.refund": ("", "LC", "LC", "LC"),
    "orders.order": ("", "LC", "LC", "LC"),
    "orders.shippingrule": ("LC", "", "LC", "LC"),
    "orders.returnaddress": ("", "", "LAC", "LAC"),
    "distribution.resellerapplication": ("LC", "", "", "LC"),
    "distribution.resellerlevel": ("LAC", "", "", "LAC"),
    "distribution.levelchange": ("LC", "", "", "LC"),
    "distribution.resellerstatuschange": ("LC", "", "", "LC"),
    "distribution.resellerprogram": ("LC", "", "", "LC"),
    "distribution.member": ("LC", "", "LC", "LC"),
    "distribution.bindinghistory": ("LC", "", "LC", "LC"),
    "distribution.referralsettings": ("LC", "", "", "LC"),
    "distribution.commissionrules": ("LC", "LC", "", "LC"),
    "distribution.levelrate": ("LAC", "", "", "LAC"),
    "distribution.productcommission": ("LAC", "", "", "LAC"),
    "distribution.rulechange": ("LC", "LC", "", "LC"),
    "distribution.commissionrecord": ("", "LC", "", "LC"),
    "distribution.wallet": ("", "LC", "", "LC"),
    "distribution.ledgerentry": ("", "LC", "", "LC"),
    "distribution.withdrawal": ("", "LC", "", "LC"),
    "distribution.payoutaccount": ("", "LC", "", "LC"),
    "distribution.sensitiveaccesslog": ("", "LC", "", "LC"),
    "distribution.sharelink": ("LC", "", "", "LC"),
    "distribution.sharedaily": ("LC", "", "", "LC"),
    "orders.review": ("", "", "LC", "LC"),
    "project.alert": ("LC", "LC", "LC", "LC"),
    "promotions.coupontemplate": ("LAC", "", "", "LAC"),
    "promotions.coupon": ("LC", "LC", "", "LC"),
    "promotions.returningcustomerrule": ("LC", "", "", "LC"),
    "promotions.partner": ("LAC", "LC", "", "LAC"),
    "promotions.partneroffer": ("LAC", "", "", "LAC"),
    "promotions.partnervoucher": ("LC", "LC", "", "LC"),
    "promotions.partnerledgerentry": ("", "LC", "", "LC"),
    "crm.lifecyclesettings": ("LC", "", "", "LC"),
    "crm.reachsettings": ("LC", "", "", "LC"),
    "crm.taggroup": ("LAC", "", "", "LAC"),
    "crm.tag": ("LAC", "", "", "LAC"),
    "crm.memberprofile": ("LC", "", "", "LC"),
    "crm.audiencepack": ("LAC", "", "", "LAC"),
    "crm.packsend": ("LC", "", "", "LC"),
    "crm.messagetemplate": ("LAC", "", "", "LAC"),
    "crm.contact": ("LC", "", "", "LC"),
    "crm.message": ("LC", "", "", "LC"),
    "crm.sop": ("LAC", "", "", "LAC"),
    "crm.productcycle": ("LAC", "", "", "LAC"),
    "crm.repurchasesettings": ("LC", "", "", "LC"),
    "crm.customertransfer": ("LC", "", "", "LC"),
    "crm.customerowner": ("LC", "", "", "LC"),
    "crm.stagechange": ("LC", "", "", "LC"),
}

# (model, action) → which desks see it in the list's action menu (and may run it)
ACTIONS = {
    ("auth.group", "delete_selected"): (None,),
    ("mall.supplier", "delete_selected"): (None,),
    ("mall.category", "delete_selected"): (OPS, None),
    ("mall.product", "delete_selected"): (None,),
    ("mall.product", "put_on_shelf"): (OPS, None),
    ("mall.product", "take_off_shelf"): (OPS, None),
    ("mall.shop", "delete_selected"): (None,),
    ("mall.recommendedproduct", "delete_selected"): (OPS, None),
    ("mall.productmaterial", "delete_selected"): (OPS, None),
    ("mall.user", "delete_selected"): (None,),
    ("orders.refund", "retry"): (FINANCE, None),
    ("orders.returnaddress", "make_default"): (SERVICE, None),
    ("distribution.resellerapplication", "approve"): (OPS, None),
    ("distribution.resellerapplication", "reject"): (OPS, None),
    ("distribution.resellerlevel", "delete_selected"): (None,),
    ("distribution.member", "regenerate_invite_codes"): (OPS, None),
    ("distribution.member", "set_level"): (OPS, None),
    ("distribution.member", "grant_reseller"): (OPS, None),
    ("distribution.member", "revoke_reseller"): (OPS, None),
    ("distribution.withdrawal", "approve"): (FINANCE, None),
    ("distribution.withdrawal", "reject"): (FINANCE, None),
    ("distribution.withdrawal", "mark_paid"): (FINANCE, None),
    ("distribution.withdrawal", "mark_failed"): (FINANCE, None),
    ("project.alert", "acknowledge"): (OPS, FINANCE, None),
    ("orders.review", "hide_reviews"): (SERVICE, None),
    ("promotions.coupontemplate", "delete_selected"): (OPS, None),
    ("promotions.partner", "delete_selected"): (None,),
    ("promotions.partneroffer", "delete_selected"): (OPS, None),
    ("crm.taggroup", "delete_selected"): (OPS, None),
    ("crm.tag", "delete_selected"): (OPS, None),
    ("crm.audiencepack", "delete_selected"): (OPS, None),
    ("crm.messagetemplate", "delete_selected"): (OPS, None),
    ("crm.packsend", "release"): (OPS, None),
    ("crm.sop", "delete_selected"): (OPS, None),
    ("orders.review", "unhide_reviews"): (SERVICE, None),
}

# custom admin pages (get_urls) → which desks may open them
CUSTOM = {
    "audit_staffaction_export": (FINANCE, None),
    "auth_user_password_change": (None,),
    "distribution_member_move": (OPS, None),
    "distribution_member_handover": (OPS, None),
    "distribution_member_tree": (OPS, SERVICE, None),  # the referral-tree browser: view_member
    "distribution_member_tree_member": (OPS, SERVICE, None),
    "distribution_member_tree_children": (OPS, SERVICE, None),
    "distribution_member_tree_move": (OPS, None),  # change_member
    "distribution_member_tree_handover": (OPS, None),
    "distribution_wallet_adjust": (FINANCE, None),
    "distribution_withdrawal_approve": (FINANCE, None),
    "distribution_withdrawal_reject": (FINANCE, None),
    "distribution_withdrawal_paid": (FINANCE, None),
    "distribution_withdrawal_failed": (FINANCE, None),
    "distribution_payoutaccount_reveal": (FINANCE, None),
    "distribution_commissionrecord_liability": (FINANCE, None),
    "distribution_sensitiveaccesslog_reveal_phone": (OPS, SERVICE, None),
    "distribution_resellerapplication_review": (OPS, None),
    "orders_order_ship": (SERVICE, None),
    "orders_order_bulk_ship": (SERVICE, None),
    "orders_order_refund_after_window": (FINANCE, None),
    "orders_aftersale_act": (SERVICE, None),
    "promotions_coupontemplate_grant": (OPS, None),
    "crm_customertransfer_handover": (OPS, None),
    "crm_stagechange_digest": (OPS, None),
    "crm_audiencepack_send": (OPS, None),  # add_packsend
}


def _custom_url_names() -> set[str]:
    names = set()
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        standard = {f"{meta.app_label}_{meta.model_name}_{view}" for view in STANDARD}
        names |= {p.name for p in model_admin.get_urls() if getattr(p, "name", None)} - standard
    return names


def test_the_tables_cover_every_admin_page():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered == set(PAGES)
    superuser = desk_user(None)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    offered = {(m._meta.label_lower, name) for m, ma in admin.site._registry.items()
               for name in ma.get_actions(request)}
    assert offered == set(ACTIONS)
    assert _custom_url_names() == set(CUSTOM)


@pytest.mark.parametrize("desk", DESKS, ids=["运营", "财务", "客服", "superuser"])
def test_pages_and_actions_per_desk(client, desk):
    user = desk_user(desk)
    client.force_login(user)
    column = DESKS.index(desk)
    wrong = []
    for label, expected in PAGES.items():
        app_label, model = label.split(".")
        probes = {"L": reverse(f"admin:{app_label}_{model}_changelist"),
                  "A": reverse(f"admin:{app_label}_{model}_add"),
                  "C": reverse(f"admin:{app_label}_{model}_change", args=[987654])}  # no such row
        for letter, url in probes.items():
            allowed = client.get(url).status_code != 403
            if allowed != (letter in expected[column]):
                wrong.append(f"{label} {letter}: {'allowed' if allowed else '403'}")
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if not model_admin.has_view_or_change_permission(request):
            continue
        for name in model_admin.get_actions(request):
            if desk not in ACTIONS.get((label, name), ()):
                wrong.append(f"{label} action {name} offered")
    for (label, name), desks in ACTIONS.items():
        model_admin = next(ma for m, ma in admin.site._registry.items() if m._meta.label_lower == label)
        if desk in desks and name not in model_admin.get_actions(request):
            wrong.append(f"{label} action {name} missing")
    assert wrong == []


@pytest.fixture
def world():
    low_minimum()
    member, wallet, account = funded_reseller("100.00")
    withdrawal, _created = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                                    idempotency_key="roles-test-0001")
    order = place_order()
    return {"member": member, "wallet": wallet, "account": account, "withdrawal": withdrawal, "order": order}


def _custom_url(name: str, world: dict) -> str:
    if name.startswith("distribution_withdrawal_"):
        return reverse(f"admin:{name}", args=[world["withdrawal"].pk])
    args = {
        "audit_staffaction_export": [],
        "auth_user_password_change": [world["member"].user_id],
        "distribution_member_move": [world["member"].pk],
        "distribution_member_handover": [world["member"].pk],
        "distribution_member_tree": [],
        "distribution_member_tree_member": [world["member"].pk],
        "distribution_member_tree_children": [world["member"].pk],
        "distribution_member_tree_move": [world["member"].pk],
        "distribution_member_tree_handover": [world["member"].pk],
        "distribution_wallet_adjust": [world["wallet"].pk],
        "distribution_payoutaccount_reveal": [world["account"].pk],
        "distribution_commissionrecord_liability": [],
        "distribution_sensitiveaccesslog_reveal_phone": ["mall", "user", world["member"].user_id],
        "distribution_resellerapplication_review": [987654],
        "orders_order_ship": [world["order"].pk],
        "orders_order_bulk_ship": [],
        "orders_order_refund_after_window": [world["order"].pk],
        "orders_aftersale_act": [987654, "approve"],
        "promotions_coupontemplate_grant": [987654],
        "crm_customertransfer_handover": [],
        "crm_stagechange_digest": [],
        "crm_audiencepack_send": [987654],
    }[name]
    return reverse(f"admin:{name}", args=args)


@pytest.mark.parametrize("desk", DESKS, ids=["运营", "财务", "客服", "superuser"])
def test_custom_pages_per_desk(client, world, desk):
    client.force_login(desk_user(desk))
    wrong = []
    for name, desks in CUSTOM.items():
        status = client.get(_custom_url(name, world)).status_code
        if (status != 403) != (desk in desks):
            wrong.append(f"{name}: {status}")
    assert wrong == []


def test_customer_service_cannot_see_wallets_or_withdrawals(client, world):
    client.force_login(desk_user(SERVICE))

    for url in (reverse("admin:distribution_wallet_changelist"),
                reverse("admin:distribution_wallet_change", args=[world["wallet"].pk]),
                reverse("admin:distribution_withdrawal_changelist"),
                reverse("admin:distribution_withdrawal_change", args=[world["withdrawal"].pk])):
        assert client.get(url).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:distribution_wallet_changelist") not in index
    assert reverse("admin:distribution_withdrawal_changelist") not in index


def test_operations_cannot_record_a_payout(client, world):
    approver = desk_user(None)
    withdrawal_approve(withdrawal_id=world["withdrawal"].pk, operator=approver)
    client.force_login(desk_user(OPS))
    paid_url = reverse("admin:distribution_withdrawal_paid", args=[world["withdrawal"].pk])

    assert client.post(paid_url, {"reference": "WX123"}).status_code == 403
    response = client.post(reverse("admin:distribution_withdrawal_changelist"),
                           {"action": "mark_paid", "_selected_action": [world["withdrawal"].pk],
                            "apply": "1", "reference": "WX123"})

    assert response.status_code == 403
    withdrawal = Withdrawal.objects.get(pk=world["withdrawal"].pk)
    assert (withdrawal.state, withdrawal.paid_by_id, withdrawal.payout_reference) == (
        Withdrawal.State.APPROVED, None, "")


def test_sync_roles_is_idempotent_and_restores_the_declared_permissions(capsys):
    from django.contrib.auth.models import Group, Permission

    roles_sync()
    finance = Group.objects.get(name=FINANCE)
    declared = set(finance.permissions.values_list("pk", flat=True))
    finance.permissions.add(Permission.objects.get(codename="change_product"))
    finance.permissions.remove(Permission.objects.get(codename="pay_withdrawal"))

    call_command("sync_roles")
    call_command("sync_roles")

    assert set(finance.permissions.values_list("pk", flat=True)) == declared
    out = capsys.readouterr().out
    assert "-mall.change_product" in out and "+distribution.pay_withdrawal" in out
    assert out.strip().splitlines()[-3:] == ["运营: unchanged", "财务: unchanged", "客服: unchanged"]


def test_demo_staff_of_each_desk_sign_in_to_their_pages(client):
    call_command("seed_staff_demo")
    call_command("seed_staff_demo")  # safe twice

    client.login(username="13800000008", password="service123")
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert client.get(reverse("admin:distribution_withdrawal_changelist")).status_code == 403
    client.login(username="13800000007", password="ops12345")
    assert client.get(reverse("admin:mall_product_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403


# The console's own pages (mounted at /admin/console/, outside the ModelAdmins) → desks.
CONSOLE_PAGES = {
    ("console:reports", ()): (OPS, FINANCE, None),
    ("console:export-report", ("sales", "csv")): (OPS, FINANCE, None),
    ("console:export-report", ("top-products", "xlsx")): (OPS, FINANCE, None),
    ("console:export-finance", ("orders", "csv")): (FINANCE, None),
    ("console:export-finance", ("ledger", "csv")): (FINANCE, None),
}


def test_the_console_rows_name_real_tables_and_exports():
    """Every export probed above exists (a renamed table would otherwise 404 for every desk and
    pass as "refused"); the desks' rights are the same for every table of one kind."""
    from console.exports.finance import FINANCE_EXPORTS
    from console.exports.reports import REPORT_TABLES

    known = {"console:export-report": REPORT_TABLES, "console:export-finance": FINANCE_EXPORTS}
    for name, args in CONSOLE_PAGES:
        if name in known:
            assert args[0] in known[name], (name, args)


@pytest.mark.parametrize("desk", DESKS, ids=["运营", "财务", "客服", "superuser"])
def test_console_pages_per_desk(client, desk):
    client.force_login(desk_user(desk))
    wrong = []
    for (name, args), desks in CONSOLE_PAGES.items():
        status = client.get(reverse(name, args=args)).status_code
        if (status == 200) != (desk in desks) or status not in (200, 403):
            wrong.append(f"{name}{args}: {status}")
    # The dashboard is the admin home: every desk sees its figures.
    assert 'data-testid="dashboard"' in client.get(reverse("admin:index")).content.decode()
    assert wrong == []
