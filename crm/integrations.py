"""Where crm meets the promotions app (crm sits above it in the layers: it reads promotions'
models here and grants coupons through a configured service).

COUPONS: a message whose template names a coupon template key grants that coupon when the
message is sent, through the service named by ``settings.CRM_COUPON_GRANT`` — a dotted path
to ``coupon_grant(*, template: str, user, source: str, key: str)``; the project sets it to
``promotions.services.issue.coupon_grant_for_message``. The key is ``crm-message-<id>``, so
a retried grant gives nothing twice. Set to "" (as some tests do): no coupon is granted and
the ``{coupon}`` variable renders the template key's name only.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from crm.models import Message

logger = logging.getLogger(__name__)


def coupon_title(ref: str) -> str:
    """What ``{coupon}`` shows for a message template's coupon: the coupon template's name
    when ``ref`` is a coupon template id (promotions), else ``ref`` itself."""
    ref = (ref or "").strip()
    if not ref.isdigit():
        return ref
    from promotions.models import CouponTemplate  # crm sits above promotions (pyproject layers)

    return CouponTemplate.objects.filter(pk=int(ref)).values_list("name", flat=True).first() or ref


def coupon_grant_key(message: Message) -> str:
    return f"crm-message-{message.pk}"


def message_coupon(message: Message) -> object | None:
    """The coupon granted with ``message`` (a promotions ``Coupon``), or None: the template
    asked for none, or the grant was refused (sold out) and the message went out alone."""
    if not message.coupon_template:
        return None
    from promotions.models import Coupon

    return (Coupon.objects.select_related("template")
            .filter(grant_key=coupon_grant_key(message), user_id=message.user_id).first())


def coupon_grant_for_messages(messages: list[Message]) -> int:
    """Grant each sent message's coupon, inside the dispatch transaction (a message and its
    coupon commit together). A refused grant (out of stock, limit reached) is logged and
    the message still goes out; it never undoes the batch. Returns the grants made."""
    path = getattr(settings, "CRM_COUPON_GRANT", "")
    if not path or not messages:
        return 0
    grant = import_string(path)
    granted = 0
    for message in messages:
        try:
            with transaction.atomic():
                grant(template=message.coupon_template, user=message.user, source="message",
                      key=coupon_grant_key(message))
            granted += 1
        except Exception:  # a coupon failure must not stop the messages
            logger.exception("crm: coupon %s for message %s not granted", message.coupon_template, message.pk)
    return granted
