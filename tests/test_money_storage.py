"""I8: amounts are integer fen in every database, so what the database adds and checks is exact.

Runs on both backends (``make test`` on PostgreSQL, the SQLite money run in CI). SQLite
stores a decimal column as a binary float, where ``69.90 + 139.80 > 209.70``: these tests
fail there if any money column, update or sum goes back to floating point.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import FieldError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from common.fields import MoneyField, money_sum, money_value
from common.migration_ops import sqlite_triggers
from distribution.models import LedgerEntry, Member, Wallet
from distribution.referral.services.members import member_create_for_user
from orders.models import ShippingRule
from tests.mall.factories import UserFactory

BEFORE_FEN = [("mall", "0001_initial"), ("orders", "0003_aftersale_window_rule"),
              ("distribution", "0007_state_label_contexts")]


def _raw(table: str, column: str, pk: int) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _member() -> Member:
    return member_create_for_user(user=UserFactory())


@pytest.mark.django_db
def test_an_amount_is_stored_as_integer_fen_and_read_as_decimal():
    # given a wallet with amounts a float cannot hold
    wallet = Wallet.objects.create(member=_member(), available=Decimal("69.90"),
                                   held=Decimal("0.10"), withdrawn=Decimal("139.80"))

    # then the column holds integers, and the model gives exact Decimals back
    assert _raw(Wallet._meta.db_table, "available", wallet.pk) == 6990
    assert _raw(Wallet._meta.db_table, "held", wallet.pk) == 10
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held, wallet.withdrawn) == (Decimal("69.90"), Decimal("0.10"),
                                                                 Decimal("139.80"))


@pytest.mark.django_db
def test_database_arithmetic_and_sums_on_money_are_exact():
    # given a wallet at 69.90 and ten wallets holding 0.10 each
    wallet = Wallet.objects.create(member=_member(), available=Decimal("69.90"))
    tens = [Wallet.objects.create(member=_member(), held=Decimal("0.10")) for _ in range(10)]

    # when the database adds 139.80, and sums the ten
    Wallet.objects.filter(pk=wallet.pk).update(available=F("available") + money_value(Decimal("139.80")))
    total = Wallet.objects.filter(pk__in=[w.pk for w in tens]).aggregate(s=money_sum("held"))["s"]

    # then both are exact, and an exact comparison in the database agrees
    wallet.refresh_from_db()
    assert wallet.available == Decimal("209.70")
    assert Wallet.objects.filter(pk=wallet.pk, available=Decimal("209.70")).exists()
    assert total == Decimal("1.00")
    assert Wallet.objects.filter(pk=-1).aggregate(s=money_sum("held"))["s"] == Decimal("0.00")


@pytest.mark.django_db
def test_mixing_fen_with_a_yuan_value_in_a_query_is_refused():
    # F("amount") + Decimal would add yuan to fen: Django must refuse to guess.
    with pytest.raises(FieldError):
        _ = (F("available") + Decimal("9.99")).resolve_expression(
            Wallet.objects.all().query)._resolve_output_field()
    with pytest.raises(FieldError):
        Wallet.objects.update(available=F("available") + 5)
    with pytest.raises(FieldError):
        Wallet.objects.update(available=F("available") + Decimal("9.99"))


def test_a_sub_fen_amount_is_refused_not_rounded():
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        MoneyField().get_prep_value(Decimal("0.005"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_stored_yuan_to_fen_exactly_and_keeps_the_ledger_guard():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_FEN)
    try:
        # given rows written while the columns were decimals
        old = MigrationExecutor(connection).loader.project_state(BEFORE_FEN).apps
        rule = old.get_model("orders", "ShippingRule").objects.create(
            id=1, flat_fee=Decimal("69.90"), free_over=Decimal("209.70"))
        user = old.get_model("mall", "User").objects.create(phone="13700000001", password="x")
        member = old.get_model("distribution", "Member").objects.create(
            user_id=user.pk, invite_code="MIGRATE2X", tree_id=1, depth=0, lft=1, rght=2,
            own_paid_sales=Decimal("139.80"))
        wallet = old.get_model("distribution", "Wallet").objects.create(
            member_id=member.pk, available=Decimal("69.90"), held=Decimal("0.10"), withdrawn=Decimal("0.00"))
        entry = old.get_model("distribution", "LedgerEntry").objects.create(
            wallet_id=wallet.pk, kind="adjustment", available_delta=Decimal("69.90"),
            held_delta=Decimal("0.10"), available_after=Decimal("69.90"), reason="before fen")

        # when the fen migrations run
        MigrationExecutor(connection).migrate(latest)

        # then every amount reads back exactly, stored as integer fen
        assert ShippingRule.objects.get(pk=rule.pk).free_over == Decimal("209.70")
        assert _raw(ShippingRule._meta.db_table, "flat_fee", rule.pk) == 6990
        assert Member.objects.get(pk=member.pk).own_paid_sales == Decimal("139.80")
        assert Wallet.objects.values_list("available", "held").get(pk=wallet.pk) == (Decimal("69.90"),
                                                                                     Decimal("0.10"))
        assert _raw(LedgerEntry._meta.db_table, "available_delta", entry.pk) == 6990
        # and the ledger is still append-only (SQLite rebuilt the table: its triggers came back)
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).update(reason="edited")
    finally:
        MigrationExecutor(connection).migrate(latest)
        _delete_ledger_rows()


def _delete_ledger_rows() -> None:
    """The end-of-test flush deletes rows; on SQLite the ledger's triggers refuse that."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL's flush is TRUNCATE, which row triggers do not see
    table = LedgerEntry._meta.db_table
    triggers = sqlite_triggers(connection, table)
    with connection.cursor() as cursor:
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(f"DELETE FROM {table}")
        for _name, sql in triggers:
            cursor.execute(sql)
