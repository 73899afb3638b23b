"""Staff console for orders. Every change goes through a service; the records are read-only.

- ``orders``: orders (ship; refund after the window) with their items, payments, refunds and timeline;
- ``aftersales``: the review of after-sales requests (approve, reject, goods back, refund);
- ``payments``: payments and refunds, with the 退款异常 badge, filter and retry;
- ``shipping``: the shipping rule (a singleton) and the return addresses;
- ``reviews``: product reviews (口碑), hidden with a reason, every decision kept.

The intermediate form pages and the read-only bases are the kernel's (``common/admin.py``).
"""

from orders.admin import aftersales, orders, payments, reviews, shipping

__all__ = ["aftersales", "orders", "payments", "reviews", "shipping"]
