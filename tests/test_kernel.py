"""The kernel's shared helpers (``common/``): the advisory-lock registry, the singleton
settings model and ``ModelSelect``."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError

from common.db import (
    AdvisoryLockOutsideTransaction,
    LockNamespace,
    ModelInsert,
    ModelSelect,
    advisory_xact_lock,
    advisory_xact_try_lock,
    update_rows,
)
from orders.models import Order, ShippingRule
from promotions.models import Coupon
from tests.concurrency import in_thread
from tests.orders.factories import place_order

# --- advisory locks ---------------------------------------------------------------------------


def test_every_namespace_is_four_letters_starting_with_qz_and_listed_once():
    names = [ns.value.to_bytes(4, "big").decode("ascii") for ns in LockNamespace]

    assert all(name.startswith("QZ") and name.isalpha() for name in names)
    assert len(set(names)) == len(names) == len(LockNamespace.__members__)


@pytest.mark.django_db(transaction=True)
def test_an_advisory_lock_outside_a_transaction_is_refused_on_every_backend():
    with pytest.raises(AdvisoryLockOutsideTransaction):
        advisory_xact_lock(1, namespace=LockNamespace.PAYOUT_ACCOUNT)
    with pytest.raises(AdvisoryLockOutsideTransaction):
        advisory_xact_try_lock(1, namespace=LockNamespace.REFERRAL_TREE)


@pytest.mark.django_db
def test_an_unregistered_namespace_is_refused():
    with pytest.raises(ValueError, match="is not a valid LockNamespace"):
        advisory_xact_lock(1, namespace=0x12345678)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_held_lock_makes_the_other_transaction_wait_and_try_lock_say_no():
    def try_then_wait() -> tuple[bool, bool]:
        with transaction.atomic():
            free = advisory_xact_try_lock(7, namespace=LockNamespace.RETURN_ADDRESS_DEFAULT)
        with transaction.atomic():
            advisory_xact_lock(7, namespace=LockNamespace.RETURN_ADDRESS_DEFAULT)
            other_key_free = advisory_xact_try_lock(8, namespace=LockNamespace.RETURN_ADDRESS_DEFAULT)
        return free, other_key_free

    with transaction.atomic():
        advisory_xact_lock(7, namespace=LockNamespace.RETURN_ADDRESS_DEFAULT)
        other = in_thread(try_then_wait)
        assert other.wait_until_blocked()  # its try said no at once, then it queued
    assert other.result() == (False, True)


# --- the singleton settings model ------------------------------------------------------------


@pytest.mark.django_db
def test_get_solo_creates_the_one_row_with_its_defaults_and_a_second_row_is_refused():
    rule = ShippingRule.get_solo()

    assert (rule.pk, rule.flat_fee, rule.free_over) == (1, Decimal("10.00"), Decimal("99.00"))
    assert ShippingRule.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ShippingRule.objects.create(id=2)
    assert ShippingRule.objects.count() == 1


@pytest.fixture
def cached_rule(monkeypatch):
    """ShippingRule as a cached singleton would behave (it is not cached in production)."""
    monkeypatch.setattr(ShippingRule, "cache_key", "test:shipping-rule")
    yield ShippingRule
    cache.delete("test:shipping-rule")


@pytest.mark.django_db
def test_a_cached_singleton_is_written_to_the_cache_only_when_its_transaction_commits(
    cached_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        rule = cached_rule.get_solo()
        assert cache.get("test:shipping-rule") is None  # not before the commit

    for callback in callbacks:
        callback()
    assert cache.get("test:shipping-rule").flat_fee == rule.flat_fee == Decimal("10.00")


@pytest.mark.django_db
def test_saving_a_cached_singleton_drops_the_cached_row_now_and_after_commit(
    cached_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cached_rule.get_solo()
    with django_capture_on_commit_callbacks() as callbacks:
        rule = cached_rule.get_solo()
        rule.flat_fee = Decimal("6.00")
        rule.save()
        assert cache.get("test:shipping-rule") is None
        assert cached_rule.get_solo().flat_fee == Decimal("6.00")  # the writer reads its own change
        cache.set("test:shipping-rule", "a reader cached the old row before the commit")

    for callback in callbacks:
        callback()
    assert cache.get("test:shipping-rule").flat_fee == Decimal("6.00")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_never_reaches_the_cache(cached_rule):
    with pytest.raises(RuntimeError), transaction.atomic():
        rule = cached_rule.get_solo()
        rule.flat_fee = Decimal("1.00")
        rule.save()
        cached_rule.get_solo()
        raise RuntimeError("rolled back")

    assert cache.get("test:shipping-rule") is None
    assert ShippingRule.get_solo().flat_fee == Decimal("10.00")


# --- ModelSelect: hot-path reads built once from _meta -----------------------------------------


def _field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.django_db
def test_model_select_builds_the_same_instances_as_the_orm_with_related_rows_cached(
    django_assert_num_queries,
):
    from mall.models import SKU
    from tests.promotions.factories import CouponTemplateFactory, give

    order = place_order()
    coupon = give(CouponTemplateFactory(), order.user)
    with django_assert_num_queries(1):
        fetched = ModelSelect(Order).fetch("t0.number = %s", [order.number])
    assert len(fetched) == 1 and isinstance(fetched[0], Order)
    assert _field_values(fetched[0]) == _field_values(Order.objects.get(pk=order.pk))  # money, times, text

    coupons = ModelSelect(Coupon, related=("template", "funded_by"))
    with django_assert_num_queries(1):
        [row] = coupons.fetch("t0.id = %s", [coupon.pk])
        assert row.template.name == coupon.template.name  # cached like select_related: no query
        assert row.funded_by is None  # a null foreign key: LEFT JOIN, cached as None
    assert _field_values(row) == _field_values(Coupon.objects.get(pk=coupon.pk))
    template = type(coupon.template).objects.get(pk=coupon.template_id)
    assert _field_values(row.template) == _field_values(template)
    assert row.template.amount == Decimal("10.00")
    sku = order.items.get().sku
    [read] = ModelSelect(SKU, related=("product",)).fetch("t0.id IN (%s, %s)", [sku.pk, -1])
    assert read.price == sku.price and read.product.title == sku.product.title
    assert ModelSelect(Order).fetch("t0.number = %s", ["nope"]) == []


@pytest.mark.django_db(transaction=True)
def test_model_select_refuses_a_row_lock_outside_a_transaction():
    with pytest.raises(TransactionManagementError):
        ModelSelect(Order).fetch("t0.id = %s", [1], for_update=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_model_select_for_update_locks_the_row_until_commit():
    order = place_order()

    def lock_it() -> str:
        with transaction.atomic():
            [row] = ModelSelect(Order).fetch("t0.id = %s", [order.pk], for_update=True)
            return row.state

    with transaction.atomic():
        ModelSelect(Order, related=("shop",)).fetch("t0.id = %s", [order.pk], for_update=True)
        other = in_thread(lock_it)
        assert other.wait_until_blocked()  # the second locker waits for the first's commit
    assert other.result() == order.state


# --- ModelInsert and update_rows: hot-path writes built once from _meta -------------------------


@pytest.mark.django_db
def test_model_insert_writes_what_the_orm_would_and_gives_each_row_its_key():
    from orders.models import OrderEvent

    order = place_order()
    events = [OrderEvent(order_id=order.pk, kind="note", message=f"第{i}条") for i in range(3)]

    saved = ModelInsert(OrderEvent).save_all(events)

    assert [e.pk for e in saved] == sorted(e.pk for e in saved) and all(e.pk for e in saved)
    assert all(not e._state.adding for e in saved)
    for event in saved:
        read = OrderEvent.objects.get(pk=event.pk)
        assert (read.message, read.kind, read.order_id) == (event.message, "note", order.pk)
        assert read.created_at == event.created_at is not None  # auto_now_add ran (pre_save)
    copy = Order.objects.get(pk=order.pk)
    copy.pk, copy.number, copy.client_token = None, "Q2026120599999999", "copy-1"
    again = ModelInsert(Order).save(copy)
    assert _field_values(Order.objects.get(pk=again.pk)) == _field_values(again)  # money in fen and back


def test_model_insert_refuses_a_model_that_overrides_save():
    from distribution.models import Member

    with pytest.raises(TypeError, match="overrides save"):
        ModelInsert(Member).save(Member())


@pytest.mark.django_db
def test_update_rows_is_guarded_prepares_its_values_and_refuses_unknown_columns():
    from tests.promotions.factories import CouponTemplateFactory, give

    order = place_order()
    coupon = give(CouponTemplateFactory(), order.user)
    from django.utils import timezone

    used = {"state": "used", "used_at": timezone.now(), "order_id": order.pk,
            "discount_amount": Decimal("12.34")}

    wrong_state = update_rows(Coupon, where={"id": coupon.pk, "state": "used"}, values=used)
    done = update_rows(Coupon, where={"id": coupon.pk, "state": "unused", "order_id": None}, values=used)
    again = update_rows(Coupon, where={"id": coupon.pk, "state": "unused", "order_id": None}, values=used)

    assert (wrong_state, done, again) == (0, 1, 0)
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount_amount) == ("used", order.pk, Decimal("12.34"))
    with pytest.raises(ValueError, match="no column"):
        update_rows(Coupon, where={"pk": coupon.pk}, values={"state": "unused"})
