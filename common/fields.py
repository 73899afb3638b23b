"""``MoneyField``: an amount that is a ``Decimal`` in Python and integer fen in every database.

Why integer fen in the database (invariant I8, "exact everywhere"):

- PostgreSQL ``numeric`` is exact, but SQLite — the embedded database ``make run`` uses —
  stores a decimal column as a binary float. There ``69.90 + 139.80`` is
  ``209.70000000000002``, so an ``F()`` update, a ``SUM`` or a ``CHECK (refunded <= paid)``
  on money can be wrong by a fraction of a fen, and a refund was refused for ever.
- Integers are exact on both backends, so every sum, update and check the database does
  on money is exact, and the code stays one path for both (no per-vendor arithmetic).
- Python code never sees fen: instances, forms, serializers and templates get
  ``Decimal("12.34")``; the conversion is in this module only (``common.money.to_fen`` /
  ``from_fen``), and refuses sub-fen amounts instead of rounding them.

Arithmetic in the database must stay in fen. ``MoneyField`` is deliberately *not* a
``DecimalField`` or ``IntegerField`` subclass, and checks what an UPDATE assigns to it:
``F("amount") + Decimal("9.99")`` (or ``+ 5``) raises ``FieldError`` instead of silently
adding yuan to fen. Write ``F("amount") + money_value(amount)``; sum with ``money_sum``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import Sum, Value
from django.db.models.expressions import Combinable, register_combinable_fields
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.money import ZERO, from_fen, to_fen

MAX_DIGITS = 12  # as the DecimalField(max_digits=12, decimal_places=2) it replaces


class MoneyField(models.Field):
    description = _("Amount in CNY (stored as integer fen)")
    empty_strings_allowed = False
    default_error_messages = {"invalid": _("“%(value)s” is not a valid amount.")}

    default_validators = [validators.DecimalValidator(MAX_DIGITS, 2)]
    max_digits = MAX_DIGITS
    decimal_places = 2

    def get_internal_type(self) -> str:
        return "BigIntegerField"  # the column type on every backend

    def deconstruct(self) -> tuple:
        name, _path, args, kwargs = super().deconstruct()
        return name, "common.fields.MoneyField", args, kwargs

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            amount = Decimal("NaN")
        if not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        return amount

    def get_prep_value(self, value: Any) -> int | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return to_fen(value if isinstance(value, Decimal) else Decimal(str(value)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        return from_fen(int(value))  # PostgreSQL's SUM(bigint) is numeric: int() it

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        """Django asks this for each value of an UPDATE: an expression must come out in fen.

        Django does not otherwise resolve the type of ``F("amount") + 5`` in an UPDATE, so
        without this it would add 5 fen (or 9.99 "fen") silently.
        """
        if hasattr(value, "as_sql") and not isinstance(value.output_field, MoneyField):
            raise FieldError(f"{self.name}: an amount can only be set to an amount in fen, "
                             f"not to {value.output_field.__class__.__name__}; use money_value()")
        return "%s"

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": forms.DecimalField, "max_digits": MAX_DIGITS,
                                    "decimal_places": 2, **kwargs})


# Fen plus or minus fen is fen; fen times a count is fen. Anything else has no type, so
# Django refuses it (FieldError) rather than mixing units.
for _connector in (Combinable.ADD, Combinable.SUB):
    register_combinable_fields(MoneyField, _connector, MoneyField, MoneyField)
for _lhs, _rhs in ((MoneyField, models.IntegerField), (models.IntegerField, MoneyField)):
    register_combinable_fields(_lhs, Combinable.MUL, _rhs, MoneyField)


def money_value(amount: Decimal) -> Value:
    """A query parameter holding ``amount``, sent to the database in fen."""
    return Value(amount, output_field=MoneyField())


def money_sum(field: str, **extra: Any) -> Coalesce:
    """``SUM(field)`` in fen, ``Decimal("0.00")`` over no rows; ``extra`` as for ``Sum``."""
    return Coalesce(Sum(field, **extra), money_value(ZERO), output_field=MoneyField())


class MoneySerializerField(serializers.DecimalField):
    """What DRF's model serializers use for a ``MoneyField``: ``"12.34"`` in and out."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


serializers.ModelSerializer.serializer_field_mapping[MoneyField] = MoneySerializerField
