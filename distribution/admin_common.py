"""Pieces shared by the earnings admin: read-only admins, masked member names, and staff
pages with a form (one object, or the objects an action selected) that run a service and
turn its domain error into a message."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from distribution.models import Member

OBJECT_FORM = "distribution/earnings/admin/object_form.html"
ACTION_FORM = "admin/distribution/action_form.html"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records and logs: staff read them; nobody adds, edits or deletes a row here."""

    show_full_result_count = False  # COUNT(*) over millions of rows on every page is wasted

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def member_label(member: Member) -> str:
    """A member as staff lists show them (PIPL): nickname and masked mobile number."""
    user = member.user
    return f"{user.nickname} ({user.masked_phone})" if user.nickname else user.masked_phone


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def object_form_page(model_admin: admin.ModelAdmin, request: HttpRequest, obj: Model, *,
                     title: str, form_class: type[forms.Form], run: Callable[[dict], object],
                     done: str, intro: str = "") -> HttpResponse:
    """GET shows the form; a valid POST runs the service and goes back to the object with a
    success message; a domain error (e.g. "your own withdrawal") is shown on the form page."""
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as exc:
            model_admin.message_user(request, str(exc.message), messages.ERROR)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(change_url(obj))
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "original": obj, "title": title, "intro": intro, "form": form,
               "change_url": change_url(obj)}
    return TemplateResponse(request, OBJECT_FORM, context)


def action_form_page(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, *,
                     title: str, action: str, form_class: type[forms.Form],
                     run: Callable[[Model, dict], object]) -> HttpResponse | None:
    """An admin action with an intermediate form: the changelist POST shows it; its own POST
    (``apply``) runs ``run`` per selected object, each in its own service transaction, and
    reports what was done and, one by one, what was refused and why."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        run_each(model_admin, request, queryset, lambda obj: run(obj, form.cleaned_data))
        return None
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": title, "form": form, "queryset": queryset, "action": action,
               "action_checkbox_name": ACTION_CHECKBOX_NAME}
    return TemplateResponse(request, ACTION_FORM, context)


def run_each(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet,
             run: Callable[[Model], object]) -> None:
    done = 0
    for obj in queryset:
        try:
            run(obj)
        except DomainError as exc:
            model_admin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, _("Done for %(count)s.") % {"count": done}, messages.SUCCESS)
