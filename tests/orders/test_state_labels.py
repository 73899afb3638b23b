"""Order tabs and state words agree (one source of truth: ``orders/labels.py``).

Every state × every tab of 我的订单: an order is listed under 全部 and exactly one state tab
(cancelled: 全部 only), and its card and detail page say that tab's word; the word before
the amount is 需付款 only for an order that can still be paid.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.labels import ORDER_TABS
from orders.models import Order, OrderState
from tests.mall.factories import UserFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db

# case → (state, paid, tab it is listed under besides 全部, card word, amount word)
CASES = {
    "pending_payment": (OrderState.PENDING_PAYMENT, False, "pending_payment", "待付款", "需付款："),
    "paid": (OrderState.PAID, True, "to_ship", "待发货", "实付款："),
    "shipped": (OrderState.SHIPPED, True, "to_receive", "待收货", "实付款："),
    "received": (OrderState.RECEIVED, True, "completed", "已完成", "实付款："),
    "completed": (OrderState.COMPLETED, True, "completed", "已完成", "实付款："),
    "cancelled_unpaid": (OrderState.CANCELLED, False, None, "已取消", "订单金额："),
    "cancelled_refunded": (OrderState.CANCELLED, True, None, "交易关闭", "实付款："),
}
TAB_WORDS = {"all": "全部", "pending_payment": "待付款", "to_ship": "待发货", "to_receive": "待收货",
             "completed": "已完成", "aftersales": "退款/售后"}


def _order_in(state: str, paid: bool) -> Order:
    user = UserFactory()
    order = place_order(user=user)
    # Only the displayed fields matter here; the transitions have their own tests.
    Order.objects.filter(pk=order.pk).update(state=state, paid_at=timezone.now() if paid else None)
    order.refresh_from_db()
    return order


def _cards(client, tab: str) -> list[tuple[str, str, str]]:
    page = client.get(reverse("orders:list"), {"tab": tab}).content.decode()
    states = re.findall(r'data-testid="order-state">([^<]*)<', page)
    amounts = re.findall(r'data-testid="order-amount-label">([^<]*)<', page)
    numbers = re.findall(r'data-testid="order-card" data-number="([^"]+)"', page)
    return list(zip(numbers, states, amounts, strict=True))


@pytest.mark.parametrize("case", list(CASES))
def test_every_state_is_listed_under_its_tab_with_that_tabs_word(client, case):
    state, paid, own_tab, word, amount_word = CASES[case]
    order = _order_in(state, paid)
    client.force_login(order.user)

    for tab in ORDER_TABS:
        cards = _cards(client, tab)
        expected = [(order.number, word, amount_word)] if tab in ("all", own_tab) else []
        assert cards == expected, (case, tab)
    if own_tab is not None:  # the word on the card is the word of the tab it is listed under
        assert word == TAB_WORDS[own_tab]


@pytest.mark.parametrize("case", list(CASES))
def test_the_detail_page_says_the_same_words(client, case):
    state, paid, _tab, word, amount_word = CASES[case]
    order = _order_in(state, paid)
    client.force_login(order.user)

    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()

    assert re.findall(r'data-testid="order-state">([^<]*)<', page) == [word]
    assert re.findall(r'data-testid="order-amount-label">([^<]*)<', page) == [amount_word]
    if state == OrderState.CANCELLED:
        assert "需付款" not in page


def test_the_tab_words_are_the_translated_tab_labels(client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("orders:list")).content.decode()

    for key, word in TAB_WORDS.items():
        assert re.search(rf'data-testid="tab-{key}"[^>]*>\s*{word}', page), key
