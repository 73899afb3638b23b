"""Hooks that ``orders`` calls and higher apps (``distribution``, ``promotions``) register handlers for.

Plain function calls through ``common.hooks.HookRegistry``, in registration order. ALL
OF THEM RUN INSIDE the transaction of the state change that fires them, on purpose: each
handler's write must happen exactly once together with that change, or not at all. A
handler that raises rolls the change back (the caller sees the error; a notice is then
retried by the gateway, a sweep retries on its next run). Handlers that only notify
people (SMS, WeChat messages) should queue their work with ``transaction.on_commit``
themselves, so nothing is sent for a change that rolls back.

- ``order_created(order, items)`` — inside ``order_create``, with the items it just wrote
  (so a handler need not read them again): the attribution snapshot
  (reseller, beneficiary chain, rates) must exist for every order and be written with it.
- ``order_paid(order, payment)`` — inside the transaction that records the Payment
  (the ``(provider, transaction_id)`` row) and moves the order to paid: commission
  records are created exactly once with the payment. Duplicate notices never call it.
- ``item_refunded(order_item, refund_amount)`` — inside the transaction that marks the refund
  succeeded (an after-sales refund, or a staff refund after the window closed);
  ``order_item.refunded_amount`` / ``refunded_quantity`` already include ``refund_amount``
  (the exact Decimal refunded by this refund, not the item's total), so the clawback is
  atomic with the refund. If the handler raises a domain or integrity error, the refund
  becomes 退款异常 instead (see ``orders/services/refund.py``) and nothing of it is kept
  until staff retry.

- ``order_cancelled(order)`` — inside the transaction that cancels an UNPAID order (the
  shopper, staff or the unpaid sweep), under the order's row lock, with the stock release:
  a coupon the order used is given back exactly once with the cancel. An order closed
  because every item was refunded does not call it (a refunded order keeps its coupon used).

Questions checkout asks (``hooks.ask``; each handler answers, see ``orders/discounts.py``):

- ``discount_options(user, lines, shop)`` → ``list[DiscountOption]``: every discount the
  member holds, usable or not (with the reason), for the checkout page; reads only.
- ``discount_reserve(user, key, lines, shop)`` → ``DiscountOption | None``: inside
  ``order_create``'s transaction, before the order row is written. The provider that owns
  ``key`` locks what it hands out, checks it again and marks it used (``None`` from the
  others); it raises a domain error (the checkout's clear message) if it can no longer be
  used, which rolls the whole checkout back. It learns the order from ``order_created``
  (``order.discount_key``), in the same transaction.

There is no hook for the closing of an item's after-sales window: the window sweep
(``services.fulfilment.orders_close_windows``) only stamps ``OrderItem.window_closed_at``,
and commission settlement is distribution's own periodic sweep (``settle_commissions``,
every minute) that polls that column, so it is safe against worker restarts and
duplicate runs and needs nothing from orders at the moment of closing.
"""

from common.hooks import HookRegistry

hooks = HookRegistry((
    "order_created", "order_paid", "item_refunded", "order_cancelled",
    "discount_options", "discount_reserve",
))
