"""Admin pieces every app's staff console shares (STYLE rule 15: a helper lives once).

- ``ReadOnlyAdmin`` / ``ReadOnlyInline``: records and logs staff read; nobody adds, edits
  or deletes a row through them (changes go through services, behind buttons or actions).
- ``SingletonAdmin``: the page of a ``common.models.SingletonModel`` settings row.
- ``object_form_page``: a staff step on ONE object with an intermediate form (ship an
  order, approve an after-sale, record a payout): GET shows the form, a valid POST runs the
  service and goes back to the object; a domain error is shown on the form page.
- ``action_form_page``: an admin ACTION with an intermediate form over the selected objects
  (Django's delete-confirmation pattern): the changelist POST shows the form, its own POST
  runs the service once per object (``run_each``) and reports what was done and refused.

Both pages render ``admin/quanzi_action_form.html`` (``common/templates/``, on the
template ``DIRS`` in settings, since ``common`` is a plain package, not an app).
"""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError

ACTION_FORM_TEMPLATE = "admin/quanzi_action_form.html"


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records and logs: staff read them; nobody adds, edits or deletes a row here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added, edited or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SingletonAdmin(admin.ModelAdmin):
    """The one row of a ``SingletonModel``: the list goes straight to its change page (the row
    is created with its defaults on first visit); it is never added or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before the redirect, which would create the row
        return HttpResponseRedirect(change_url(self.model.get_solo()))


class ConfirmForm(forms.Form):
    """No fields: the page asks "Are you sure?" and Confirm runs the step."""


def object_form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    obj: Model,
    *,
    title: str,
    form_class: type[forms.Form],
    run: Callable[[Mapping[str, Any]], object],
    done: str | Callable[[Any], str],
    form_kwargs: Mapping[str, Any] | None = None,
    intro: str = "",
) -> HttpResponse:
    """A staff step on one object: GET shows ``form_class``; a valid POST calls
    ``run(cleaned_data)`` (the service) and redirects to the object with ``done``; a
    ``DomainError`` is shown as an error message above the form, and nothing changed.
    ``done`` may be a callable that makes the message from what ``run`` returned."""
    form = form_class(request.POST if request.method == "POST" else None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data)
        except DomainError as exc:
            model_admin.message_user(request, str(exc.message), messages.ERROR)
        else:
            model_admin.message_user(request, done(result) if callable(done) else done, messages.SUCCESS)
            return HttpResponseRedirect(change_url(obj))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "intro": intro,
        "form": form,
        "original": obj,
        "change_url": change_url(obj),
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


def action_form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    action: str,
    form_class: type[forms.Form],
    run: Callable[[Model, Mapping[str, Any]], object],
    intro: str = "",
) -> HttpResponse | None:
    """An admin action with an intermediate form: return this from the action. The changelist
    POST shows the form; its own POST (``apply``) calls ``run(obj, cleaned_data)`` per
    selected object, each in its own service transaction (``run_each``), and returns None,
    so Django goes back to the list with the messages."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        run_each(model_admin, request, queryset, lambda obj: run(obj, form.cleaned_data))
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


def run_each(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, run: Callable[[Model], object]
) -> int:
    """Run ``run(obj)`` for each object; one success message with the count, one error message
    per refusal (its domain error). Returns how many were done."""
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
    return done


REVEAL_PHONE_URL = "admin:distribution_sensitiveaccesslog_reveal_phone"


def masked_phone_cell(obj: Model, masked: str) -> str:
    """A masked mobile number in a staff list, with the link to reveal it (a logged step with a
    reason; the page is distribution's, which owns the sensitive data access log)."""
    meta = obj._meta
    url = reverse(REVEAL_PHONE_URL, args=[meta.app_label, meta.model_name, obj.pk])
    return format_html('{} <a class="reveal-phone" href="{}">{}</a>', masked, url, _("reveal"))


DEFAULT_PERMISSION_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """``财务 app | 提现 | 可审核提现``: the stored name is English (written at migrate time), so the
    label is rebuilt from the model's own (translated) names and its Meta.permissions."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    meta = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == meta.model_name and action in DEFAULT_PERMISSION_LABELS:
        text = DEFAULT_PERMISSION_LABELS[action] % {"model": meta.verbose_name}
    else:
        text = dict(meta.permissions).get(permission.codename, permission.name)
    return f"{meta.app_config.verbose_name} | {meta.verbose_name} | {text}"


class TranslatedPermissionsMixin:
    """Permission pickers (groups, users) labelled in the staff member's language."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field
