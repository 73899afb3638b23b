"""What crm registers into the lower apps' registries (``crm/apps.py``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.selectors import inbox_unread_count
from mall.menu import MeMenuItem


def inbox_menu_item(request: HttpRequest) -> MeMenuItem | None:
    """The 消息 entry on "我的", with the unread count as its badge (one indexed COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return MeMenuItem(key="inbox", label=_("Messages"), url=reverse("crm:inbox"), icon="mail",
                      badge=inbox_unread_count(user_id=user.pk))
