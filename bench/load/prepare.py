"""Accounts and stock for the load run (``make load``), written through the real services.

Run inside the load stack's environment (``bench/load/run.sh``): production settings on the
load database. Creates ``--shoppers`` buyers (each with an address, bound under one of
``--resellers`` resellers) and the resellers (each with a payout account and ¥10,000 on
the wallet by a system adjustment, so withdrawals can run), tops up the stock of every
on-shelf SKU to ``--stock``, and writes the accounts, the SKUs and their initial stock to
``var/load/accounts.json`` (or the file ``LOAD_ACCOUNTS`` names) for the locust file and
the chaos checks, with the last order id before the load (the checks tell the load's orders
from the demo's).
"""

import argparse
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PASSWORD = "load-test-pw-1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--resellers", type=int, default=20)
    parser.add_argument("--stock", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.db import transaction

    from distribution.models import Member
    from distribution.referral.services.members import member_create_for_user
    from distribution.reseller.services.resellers import reseller_grant
    from distribution.wallet.services.payout_accounts import payout_account_create
    from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
    from mall.models import SKU, Product, User
    from orders.models import Address, Order

    def user(phone: str) -> User:
        found = User.objects.filter(phone=phone).first()
        return found or User.objects.create_user(phone, PASSWORD)

    staff = User.objects.filter(is_superuser=True).order_by("pk").first()  # the demo's superuser
    if staff is None:
        raise SystemExit("no superuser: the load database needs the demo data (PROD_DEMO=true)")
    resellers, shoppers = [], []
    for i in range(args.resellers):
        with transaction.atomic():
            u = user(f"1990000{i:04d}")
            member = Member.objects.filter(user=u).first() or member_create_for_user(user=u)
            if not member.is_reseller:
                member = reseller_grant(member=member, operator=staff, reason="load test")
            account = member.payout_accounts.first() or payout_account_create(
                member=member, channel="alipay", holder_name="压测", account=f"load{i:04d}@example.com",
                bank_name="")
            wallet = wallet_for_member(member=member)
            if wallet.available < Decimal("1000.00"):
                wallet_adjust(wallet_id=wallet.pk, amount=Decimal("10000.00"), operator=None,
                              reason="load test funds")
        resellers.append({"phone": u.phone, "invite_code": member.invite_code,
                          "payout_account_id": account.pk})
        if sys.stdout.isatty():  # progress on a terminal; a log gets the totals below
            print(f"  resellers: {i + 1}/{args.resellers}", end="\r", flush=True)
    for i in range(args.shoppers):
        with transaction.atomic():
            u = user(f"1991000{i:04d}")
            if not Member.objects.filter(user=u).exists():
                member_create_for_user(user=u, invite_code=resellers[i % len(resellers)]["invite_code"])
            address = Address.objects.filter(user=u).first() or Address.objects.create(
                user=u, receiver="压测", phone="13800138000", province="浙江省", city="杭州市",
                district="西湖区", detail=f"{i} 号", is_default=True)
        shoppers.append({"phone": u.phone, "address_id": address.pk})
        if sys.stdout.isatty() and ((i + 1) % 20 == 0 or i + 1 == args.shoppers):
            print(f"  shoppers: {i + 1}/{args.shoppers}", end="\r", flush=True)
    if sys.stdout.isatty():
        print()
    skus = list(SKU.objects.filter(is_active=True, product__status=Product.Status.ON_SHELF)
                .values_list("pk", "product_id"))
    # Orders up to here (the demo's) are not the load's: the chaos checks count sales after it.
    # A demo order still unpaid gives its stock back if the sweep cancels it later; locked
    # here so that no cancel slips between the list and the top-up.
    with transaction.atomic():
        unpaid_before = list(Order.objects.select_for_update(of=("self",))
                             .filter(state=Order.State.PENDING_PAYMENT).order_by("pk")
                             .values_list("pk", flat=True))
        last_order = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        SKU.objects.filter(pk__in=[pk for pk, _ in skus]).update(stock=args.stock)
    out = Path(os.environ.get("LOAD_ACCOUNTS", ROOT / "var" / "load" / "accounts.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "password": PASSWORD, "resellers": resellers, "shoppers": shoppers, "last_order_before": last_order,
        "unpaid_orders_before": unpaid_before,
        "skus": [{"sku_id": pk, "product_id": product_id, "initial_stock": args.stock}
                 for pk, product_id in skus],
    }, ensure_ascii=False, indent=1))
    print(f"  {len(resellers)} resellers, {len(shoppers)} shoppers, {len(skus)} SKUs at stock {args.stock:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
