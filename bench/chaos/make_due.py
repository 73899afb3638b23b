"""Give the settlement sweep work: ship and receive every paid order, then close the
after-sales windows as if the period had passed (through the real services), so their
commission records become due. Run with the stack's environment (bench/chaos/run.py)."""

import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.utils import timezone

    from orders.models import Order
    from orders.services.fulfilment import order_confirm_receipt, order_ship, orders_close_windows

    paid = list(Order.objects.filter(state=Order.State.PAID).order_by("pk")[:5000])
    for i, order in enumerate(paid, 1):
        order_ship(order=order, actor=None, carrier="顺丰", tracking_no=f"SFCHAOS{order.pk}")
        order_confirm_receipt(order=order, actor=order.user)
        if sys.stdout.isatty() and (i % 100 == 0 or i == len(paid)):
            print(f"  received {i}/{len(paid)}", end="\r", flush=True)
    if sys.stdout.isatty():
        print()
    closed = total = 1
    while closed:
        closed = orders_close_windows(now=timezone.now() + timedelta(days=30))
        total += closed
    print(f"  {len(paid)} orders received, windows closed: {total - 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
