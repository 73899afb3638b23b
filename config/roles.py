"""The staff roles: one group per desk, and the permissions each holds.

This is the one place that says who may do what in the console. ``roles_sync`` makes the
groups say exactly this (missing permissions added, others taken away), so it is safe to run
any number of times: the data migration ``project.0002_roles`` runs it, and so does
``manage.py sync_roles`` (after a deploy, or when an app declares new permissions).

To give a desk a new permission, add one ``"app_label.codename"`` line below, then run
``manage.py sync_roles`` (or ship a one-line data migration that calls ``roles_migrate``).
Superusers hold every permission and belong to no group.
"""

from collections.abc import Iterable

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

OPS, FINANCE, SERVICE = "运营", "财务", "客服"


def _crud(label: str, *verbs: str) -> tuple[str, ...]:
    app_label, model = label.split(".")
    return tuple(f"{app_label}.{verb}_{model}" for verb in verbs)


VIEW, EDIT, ALL = ("view",), ("view", "add", "change"), ("view", "add", "change", "delete")

ROLES: dict[str, tuple[str, ...]] = {
    # 运营: catalogue, shops, members, moves, levels, rules
    OPS: (
        *_crud("mall.supplier", *EDIT), *_crud("mall.category", *ALL), *_crud("mall.product", *EDIT),
        *_crud("mall.productimage", *ALL), *_crud("mall.sku", *EDIT), *_crud("mall.shop", *EDIT),
        *_crud("mall.shopproduct", *ALL), *_crud("mall.user", *VIEW),
        *_crud("mall.recommendedproduct", *ALL), *_crud("mall.productmaterial", *ALL),
        *_crud("mall.materialimage", *ALL),  # 平台推荐选品 and 素材库
        *_crud("orders.shippingrule", "view", "change"),
        *_crud("distribution.member", "view", "change"), *_crud("distribution.bindinghistory", *VIEW),
        *_crud("distribution.referralsettings", "view", "change"),
        *_crud("distribution.resellerapplication", "view", "change"),
        *_crud("distribution.resellerlevel", *EDIT), *_crud("distribution.levelchange", *VIEW),
        *_crud("distribution.resellerstatuschange", *VIEW),
        *_crud("distribution.resellerprogram", "view", "change"),
        *_crud("distribution.commissionrules", "view", "change"), *_crud("distribution.levelrate", *EDIT),
        *_crud("distribution.productcommission", *EDIT), *_crud("distribution.rulechange", *VIEW),
        "distribution.reveal_phone",
        *_crud("distribution.sharelink", *VIEW), *_crud("distribution.sharedaily", *VIEW),  # share funnel
        *_crud("project.alert", "view", "change"),  # alerts: read and acknowledge
        "console.view_dashboard", "console.view_reports", "console.export_reports",
        # promotions: coupons and their grants, 老客专享, partners (异业) and their offers
        *_crud("promotions.coupontemplate", *ALL), *_crud("promotions.coupon", *VIEW),
        "promotions.grant_coupon", *_crud("promotions.returningcustomerrule", "view", "change"),
        *_crud("promotions.partner", *EDIT), *_crud("promotions.partneroffer", *ALL),
        *_crud("promotions.partnervoucher", *VIEW),
        # private-domain operations (crm): tags, packs, templates, sends, reach rules
        *_crud("crm.taggroup", *ALL), *_crud("crm.tag", *ALL), *_crud("crm.audiencepack", *ALL),
        # add_packsend = 发送 a pack (its small-group test); change_packsend = release it to the rest
        *_crud("crm.messagetemplate", *ALL), *_crud("crm.packsend", "view", "add", "change"),
        *_crud("crm.memberprofile", *VIEW), *_crud("crm.contact", *VIEW), *_crud("crm.message", *VIEW),
        *_crud("crm.lifecyclesettings", "view", "change"), *_crud("crm.reachsettings", "view", "change"),
        # SOPs (steps inline) and repurchase cycles (staff override) with their settings
        *_crud("crm.sop", *ALL), *_crud("crm.sopstep", *ALL),
        *_crud("crm.productcycle", "view", "add", "change"),
        *_crud("crm.repurchasesettings", "view", "change"),
        # customer handover (add_customertransfer = the handover page) and the churn digest
        *_crud("crm.customertransfer", "view", "add"), *_crud("crm.customerowner", *VIEW),
        *_crud("crm.stagechange", *VIEW),
    ),
    # 财务: wallets, withdrawals, adjustments, reports, exports
    FINANCE: (
        *_crud("distribution.wallet", "view", "change"),  # change_wallet = a staff adjustment
        *_crud("distribution.ledgerentry", *VIEW), *_crud("distribution.withdrawal", *VIEW),
        "distribution.review_withdrawal", "distribution.pay_withdrawal",
        *_crud("distribution.payoutaccount", *VIEW), *_crud("distribution.sensitiveaccesslog", *VIEW),
        *_crud("distribution.commissionrecord", *VIEW), *_crud("distribution.commissionrules", *VIEW),
        *_crud("distribution.rulechange", *VIEW),
        *_crud("orders.order", *VIEW), *_crud("orders.payment", *VIEW), *_crud("orders.refund", *VIEW),
        "orders.retry_refund", "orders.refund_after_window",
        *_crud("audit.staffaction", *VIEW),
        *_crud("project.alert", "view", "change"),  # alerts: read and acknowledge
        "console.view_dashboard", "console.view_reports", "console.export_reports", "console.export_finance",
        # partners' fees and funded discounts (the partner ledger), coupons and vouchers issued
        *_crud("promotions.partner", *VIEW), *_crud("promotions.partnerledgerentry", *VIEW),
        *_crud("promotions.coupon", *VIEW), *_crud("promotions.partnervoucher", *VIEW),
    ),
    # 客服: orders, after-sales, read-only members
    SERVICE: (
        *_crud("orders.order", "view", "change"),  # change_order = ship
        *_crud("orders.aftersale", "view", "change"), *_crud("orders.payment", *VIEW),
        *_crud("orders.refund", *VIEW), *_crud("orders.returnaddress", *ALL),
        *_crud("orders.shippingrule", *VIEW),
        *_crud("distribution.member", *VIEW), *_crud("distribution.bindinghistory", *VIEW),
        *_crud("mall.user", *VIEW), "distribution.reveal_phone",
        *_crud("orders.review", "view", "change"),  # 口碑: hide or show a review with a reason
        *_crud("project.alert", *VIEW),
        "console.view_dashboard",
    ),
}


def _ensure_permissions(apps: Apps) -> None:
    """Permissions are made after ``migrate`` by default; the groups need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def roles_sync(*, apps: Apps = global_apps, strict: bool = True) -> dict[str, list[str]]:
    """Make every group hold exactly its declared permissions. Returns, per group, what was
    added (``+perm``) and taken away (``-perm``). ``strict``: an unknown permission is an error
    (a typo); the migration is lenient, because it may run before a later app's tables exist."""
    group_model, permission_model = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    if apps is not global_apps:
        _ensure_permissions(apps)
    else:
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
    report = {}
    for name, declared in ROLES.items():
        wanted = _lookup(permission_model, declared, strict=strict)
        group, _created = group_model.objects.get_or_create(name=name)
        have = {(p.content_type.app_label, p.codename): p
                for p in group.permissions.select_related("content_type")}
        added = [p for key, p in wanted.items() if key not in have]
        removed = [p for key, p in have.items() if key not in wanted]
        group.permissions.add(*added)
        group.permissions.remove(*removed)
        report[name] = sorted([f"+{_label(p)}" for p in added] + [f"-{_label(p)}" for p in removed])
    return report


def _label(permission: object) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _lookup(permission_model: type, declared: Iterable[str], *, strict: bool) -> dict:
    found, missing = {}, []
    for label in declared:
        app_label, codename = label.split(".", 1)
        permission = (permission_model.objects.select_related("content_type")
                      .filter(content_type__app_label=app_label, codename=codename).first())
        if permission is None:
            missing.append(label)
        else:
            found[(app_label, codename)] = permission
    if missing and strict:
        raise LookupError(f"unknown permissions in config/roles.py: {', '.join(missing)}")
    return found


def roles_migrate(apps: Apps, schema_editor: object) -> None:
    roles_sync(apps=apps, strict=False)
