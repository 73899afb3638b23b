"""What crm registers into the lower apps' registries (``crm/apps.py``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.models import CustomerTransfer, TransferState
from crm.selectors import inbox_unread_count
from mall.menu import MeMenuItem

_UNREAD_ATTR = "_crm_inbox_unread"


def _unread(request: HttpRequest) -> int:
    """The member's unread inbox messages: one indexed COUNT per request, which the 消息
    badge and the 我的 tab's dot share."""
    if not hasattr(request, _UNREAD_ATTR):
        setattr(request, _UNREAD_ATTR, inbox_unread_count(user_id=request.user.pk))
    return getattr(request, _UNREAD_ATTR)


def inbox_menu_item(request: HttpRequest) -> MeMenuItem | None:
    """The 消息 entry on "我的", with the unread count as its badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return MeMenuItem(key="inbox", label=_("Messages"), url=reverse("crm:inbox"), icon="mail",
                      badge=_unread(request))


def inbox_tab_dot(request: HttpRequest) -> str | None:
    """The dot on the bottom bar's 我的 tab while the member has unread inbox messages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return _("Unread messages") if _unread(request) else None


def adviser_menu_item(request: HttpRequest) -> MeMenuItem | None:
    """"我的专属顾问" on "我的", only while a handover waits for the customer (one EXISTS on
    the unique pending index): the way to refuse even if the inbox notice was held back
    by the anti-disturbance caps."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not CustomerTransfer.objects.filter(customer_id=user.pk, state=TransferState.PENDING).exists():
        return None
    return MeMenuItem(key="adviser", label=_("My adviser"), url=reverse("crm:my_owner"), badge=1)
