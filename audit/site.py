"""Every write made through the admin is audited, whatever app registers the page.

``AuditedAdminSite`` is ``admin.site`` (see ``apps.AuditedAdminConfig``): ``register`` mixes
``AuditedAdminMixin`` into each ModelAdmin, so an app's admin stays plain Django and a new
page is audited without anyone remembering to. The mixin hooks Django's own choke points:

- add / change form: the row (with its inlines' rows) before, taken in ``get_object`` inside
  the form's transaction, and after, in ``log_addition`` / ``log_change``, which Django calls in
  the same transaction once the form and inlines are saved; a change is recorded only if
  something changed (a save that a service refused leaves no row);
- delete (one, or the "delete selected" action): ``log_deletions``, before the rows go;
- list actions: every action function is wrapped; the selected rows are read before and after
  (the services write with guarded UPDATEs that model hooks would never see), and each row
  that changed or vanished gets an entry;
- the pages an admin adds in ``get_urls`` (ship, approve, record payout, move, adjust, …): a
  POST is recorded with the object before and after when it succeeded (a redirect, as
  ``object_form_page`` answers) or changed the object.

Domain logs (RuleChange, BindingHistory, LevelChange, SensitiveAccessLog, …) are kept by
their services as before; this is the one list across them all.
"""

import functools
import types
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from audit.services import audit_record, snapshot

MAX_ACTION_ROWS = 1000
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change", "autocomplete")
_BEFORE = "_audit_before"


def _befores(request: HttpRequest) -> dict:
    if not hasattr(request, _BEFORE):
        setattr(request, _BEFORE, {})
    return getattr(request, _BEFORE)


class AuditedAdminMixin:
    model: type[models.Model]

    # -- snapshots ----------------------------------------------------------------------------

    def _audit_children(self) -> list[tuple[type[models.Model], str]]:
        children = []
        for inline in getattr(self, "inlines", ()):
            fk = next((f for f in inline.model._meta.fields if f.is_relation and f.related_model
                       and issubclass(self.model, f.related_model) and f.name == (inline.fk_name or f.name)),
                      None)
            if fk is not None:
                children.append((inline.model, fk.name))
        return children

    def _audit_snapshot(self, obj: models.Model | None) -> dict | None:
        if obj is None or obj.pk is None:
            return None
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        return snapshot(fresh, children=self._audit_children())

    # -- add, change, delete ------------------------------------------------------------------

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if request.method == "POST" and obj is not None:
            _befores(request).setdefault((type(obj), obj.pk), self._audit_snapshot(obj))
        return obj

    def log_addition(self, request: HttpRequest, obj: models.Model, message: object) -> object:
        audit_record(request=request, kind="add", obj=obj, after=self._audit_snapshot(obj))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: models.Model, message: object) -> object:
        before = _befores(request).get((type(obj), obj.pk))
        after = self._audit_snapshot(obj)
        if before != after:
            audit_record(request=request, kind="change", obj=obj, before=before, after=after)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: object) -> object:
        for obj in queryset:
            audit_record(request=request, kind="delete", obj=obj, before=self._audit_snapshot(obj))
        return super().log_deletions(request, queryset)

    # -- list actions -------------------------------------------------------------------------

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        return {name: (_audited_action(func, name), name_, description)
                for name, (func, name_, description) in actions.items()}

    # -- pages added in get_urls ---------------------------------------------------------------

    def get_urls(self) -> list:
        meta = self.model._meta
        standard = {f"{meta.app_label}_{meta.model_name}_{view}" for view in STANDARD_VIEWS}
        urls = []
        prefix = f"{meta.app_label}_{meta.model_name}_"
        for pattern in super().get_urls():
            if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard:
                step = pattern.name.removeprefix(prefix)
                urls.append(URLPattern(pattern.pattern, _audited_step(self, pattern.callback, step),
                                       pattern.default_args, pattern.name))
            else:
                urls.append(pattern)
        return urls


def _audited_action(func: Callable, name: str) -> Callable:
    if getattr(func, "_audited", False):
        return func

    @functools.wraps(func)
    def wrapper(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet) -> object:
        objects = list(queryset[:MAX_ACTION_ROWS])
        before = {obj.pk: modeladmin._audit_snapshot(obj) for obj in objects}
        response = func(modeladmin, request, queryset)
        if name == "delete_selected":
            return response  # log_deletions recorded each row before it went
        for obj in objects:
            after = modeladmin._audit_snapshot(obj)
            if after != before[obj.pk]:
                audit_record(request=request, kind="action", obj=obj, what=name, before=before[obj.pk],
                             after=after, object_repr=str(obj))
        return response

    wrapper._audited = True
    return wrapper


def _audited_step(model_admin: AuditedAdminMixin, view: Callable, step: str) -> Callable:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if request.method != "POST" or not (user.is_active and user.is_staff):
            return view(request, *args, **kwargs)
        pk = _object_pk(kwargs)
        model = model_admin.model
        obj = model._default_manager.filter(pk=pk).first() if pk is not None else None
        before = model_admin._audit_snapshot(obj)
        response = view(request, *args, **kwargs)
        after = model_admin._audit_snapshot(obj)
        if 300 <= response.status_code < 400 or (obj is not None and after != before):
            audit_record(request=request, kind="step", obj=obj, model=model, what=step, before=before,
                         after=after)
        return response

    return wrapper


def _object_pk(kwargs: dict) -> object:
    """The page's own object: its int argument, or Django's ``<id>`` (the password page). A page
    about another model's row (``app_label`` / ``model_name`` in the URL) has none here."""
    if "model_name" in kwargs:
        return None
    for name, value in kwargs.items():
        if isinstance(value, int) or (name in ("id", "pk", "object_id") and str(value).isdigit()):
            return value
    return None


class AuditedAdminSite(AdminSite):
    def register(self, model_or_iterable: object, admin_class: type | None = None, **options: object) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = types.new_class(admin_class.__name__, (AuditedAdminMixin, admin_class),
                                          exec_body=lambda ns: ns.update(
                                              __module__=admin_class.__module__,
                                              __qualname__=admin_class.__qualname__,
                                              __doc__=admin_class.__doc__))
        super().register(model_or_iterable, admin_class, **options)
