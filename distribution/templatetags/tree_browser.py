"""Filters of the staff referral-tree browser: a member as staff see them (nickname and
masked number, never the full number) and their reseller level."""

from django import template
from django.utils.translation import gettext as _

from distribution.admin_common import member_label as _member_label
from distribution.models import Member

register = template.Library()


@register.filter
def member_label(member: Member) -> str:
    return _member_label(member)


@register.filter
def level_label(member: Member) -> str:
    """The reseller level's name; members from ``member_chain`` carry it as ``level_name_``."""
    name = getattr(member, "level_name_", None)
    if name is None:
        name = member.level.name if member.level_id else ""
    if name:
        return name
    return _("reseller") if member.is_reseller else _("member")
