"""The audit kernel: a JSON snapshot of a row, and ``audit_record``, the one writer of
``StaffAction`` rows.

Snapshots are what staff may see: secrets (password hashes, encrypted payout accounts) are
replaced by a mark, mobile numbers are masked (PIPL). Money and rates are kept exactly as
strings. A snapshot may carry the rows of the admin page's inlines (a product's SKUs) under
their model name, so a change made in an inline shows up as a change of its parent.
"""

import datetime
import hashlib
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest

from audit.models import StaffAction
from common.http import client_ip
from common.phone import mask_phone

SECRET = "***"  # noqa: S105 (the mark that replaces a secret, not one)
SECRET_MARKS = ("password", "encrypted", "cipher", "secret", "token", "code_hash")
MAX_CHILDREN = 200


def _jsonable(value: Any) -> Any:
    """Exact and readable: money and rates as strings, times in ISO form, rows by their pk."""
    if value is None or isinstance(value, bool | int | str):
        result = value
    elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
        result = value.isoformat()
    elif isinstance(value, FieldFile):
        result = value.name or ""
    elif isinstance(value, dict):
        result = {str(k): _jsonable(v) for k, v in value.items()}
    elif isinstance(value, list | tuple | set):
        result = [_jsonable(v) for v in value]
    elif isinstance(value, models.Model):
        result = value.pk
    else:
        result = str(value)  # Decimal included: exact
    return result


def _field_value(obj: models.Model, field: models.Field) -> Any:
    name = field.name
    value = field.value_from_object(obj)
    if any(mark in name for mark in SECRET_MARKS):
        # Never the secret; a fingerprint, so a change (a new password) still shows as one.
        return f"{SECRET}{hashlib.sha256(str(value).encode()).hexdigest()[:8]}" if value else SECRET
    if name.endswith("phone") and isinstance(value, str) and value:
        return mask_phone(value)
    if field.many_to_many:
        return sorted(getattr(v, "pk", v) for v in value)
    return _jsonable(value)


Children = Iterable[tuple[type[models.Model], str]]


def snapshot(obj: models.Model | None, *, children: Children = ()) -> dict | None:
    """The row's concrete and many-to-many fields; ``children`` are (model, fk name) pairs whose
    rows pointing at ``obj`` are included, in pk order."""
    if obj is None or obj.pk is None:
        return None
    meta = obj._meta
    data = {f.name: _field_value(obj, f) for f in (*meta.concrete_fields, *meta.many_to_many)}
    for model, fk_name in children:
        rows = model._default_manager.filter(**{fk_name: obj.pk}).order_by("pk")[:MAX_CHILDREN]
        data[model._meta.model_name] = [snapshot(row) for row in rows]
    return data


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def audit_record(
    *,
    request: HttpRequest,
    kind: str,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_id: object = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    what: str = "",
) -> StaffAction:
    """One audit row for a staff write made through ``request`` (its user and address)."""
    model = model or (type(obj) if obj is not None else None)
    user = request.user
    return StaffAction.objects.create(
        actor=user if user.is_authenticated else None,
        actor_repr=str(getattr(user, "phone", "") or user)[:100],
        kind=kind,
        what=what[:100],
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False) if model else None,
        object_id=str(obj.pk if obj is not None else object_id)[:64],
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        before=before,
        after=after,
        changed_fields=changed_fields(before, after),
        ip=_ip(request),
        path=request.get_full_path()[:300],
    )
