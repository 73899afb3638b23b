"""Where alerts go besides the log and the admins' mailbox: the ``Alert`` table behind the
staff console's red banner (see ``common/alerts.py``)."""

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

if TYPE_CHECKING:
    from mall.models import User

# Logging is configured before the app registry is ready: this module imports no model at
# import time (the handler is built from LOGGING), only when an alert is stored or read.


class AlertStoreHandler(logging.Handler):
    """A logging handler (on the ``quanzi.alerts`` logger) that stores each alert; stored
    when the surrounding transaction commits (at once outside one), so an alert about a
    change rolled back with it is not lost: the failures alerted on are committed states."""

    def emit(self, record: logging.LogRecord) -> None:
        from config.models import Alert

        kind = getattr(record, "alert_kind", Alert.Kind.OTHER)
        if kind not in Alert.Kind.values:
            kind = Alert.Kind.OTHER
        subject = str(getattr(record, "alert_subject", record.getMessage()))[:300]
        details = str(getattr(record, "alert_details", ""))

        def store() -> None:
            try:
                Alert.objects.create(kind=kind, subject=subject, details=details)
            except Exception:  # the database may be what failed: the log and the email remain
                self.handleError(record)

        transaction.on_commit(store, robust=True)


def alerts_open() -> int:
    from config.models import Alert

    return Alert.objects.filter(acknowledged_at__isnull=True).count()


def alerts_acknowledge(*, alert_ids: list[int], user: "User") -> int:
    """Acknowledge open alerts; returns how many this call acknowledged (already
    acknowledged ones keep their first acknowledgement)."""
    from config.models import Alert

    return Alert.objects.filter(pk__in=alert_ids, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user)


def open_alerts_context(request: HttpRequest) -> dict:
    """Context processor: the open-alert count for the staff banner (admin pages only)."""
    user = getattr(request, "user", None)
    if not request.path.startswith("/admin/") or user is None or not user.is_active or not user.is_staff:
        return {}
    return {"quanzi_open_alerts": alerts_open()}
