"""Rule-change log lines as staff read them: ``level:3:金牌 tier2 None → 0.08`` becomes
``等级 金牌 · 二级佣金比例 · — → 8%`` (the stored rows are unchanged)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from common.forms import rate_as_percent
from distribution.models import CommissionRules

RATE_FIELDS = {"global_cap_rate", "withdrawal_fee_rate"}
TIER_NAMES = {1: "一", 2: "二", 3: "三"}


def rule_subject_label(subject: str) -> str:
    kind, _sep, rest = subject.partition(":")
    if kind == "rules":
        return _("commission rules")
    if kind == "level":
        return _("level %(name)s") % {"name": rest.partition(":")[2] or rest}
    if kind == "product":
        return _("product #%(id)s") % {"id": rest}
    return subject


def rule_field_label(subject: str, field: str) -> str:
    if field.startswith("tier") and field[4:].isdigit():
        tier = int(field[4:])
        if subject.startswith("level:"):
            return _("tier %(n)s rate") % {"n": tier}
        return _("tier %(n)s") % {"n": tier}
    try:
        return str(CommissionRules._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def rule_value_label(subject: str, field: str, value: str) -> str:
    if value in ("", "None"):
        return "—"
    is_rate = field in RATE_FIELDS or (subject.startswith("level:") and field.startswith("tier"))
    if is_rate:
        try:
            return f"{rate_as_percent(Decimal(value))}%"
        except InvalidOperation:
            return value
    if value in ("True", "False"):
        return _("yes") if value == "True" else _("no")
    return value
