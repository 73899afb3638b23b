"""What the distribution admin adds to the kernel's admin pieces (``common/admin.py``):
member names as staff lists show them, and list pages that skip the full COUNT(*)."""

from typing import Any

from django.contrib.admin import ModelAdmin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from common.admin import ReadOnlyAdmin as KernelReadOnlyAdmin
from common.admin import action_form_page, change_url, run_each
from common.admin import object_form_page as kernel_object_form_page
from distribution.models import Member

__all__ = ["ReadOnlyAdmin", "action_form_page", "change_url", "member_label", "object_form_page", "run_each"]


class ReadOnlyAdmin(KernelReadOnlyAdmin):
    show_full_result_count = False  # COUNT(*) over millions of ledger rows on every page is wasted


def member_label(member: Member) -> str:
    """A member as staff lists show them (PIPL): nickname and masked mobile number."""
    user = member.user
    return f"{user.nickname} ({user.masked_phone})" if user.nickname else user.masked_phone


def object_form_page(model_admin: ModelAdmin, request: HttpRequest, obj: Model, *, intro: str = "",
                     **kwargs: Any) -> HttpResponse:
    """The kernel's page, introduced by the object itself unless the caller says more."""
    return kernel_object_form_page(model_admin, request, obj, intro=intro or str(obj), **kwargs)
