"""The staff audit log: one read-only list, filterable (kind, object type, staff member, day),
searchable, and exported as CSV with the same filters (streamed, constant memory); and the staff
groups' page with translated permission names."""

import csv
import json

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from common.admin import ReadOnlyAdmin, TranslatedPermissionsMixin

CSV_CHUNK = 2000


class StaffFilter(admin.SimpleListFilter):
    title = _("staff member")
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        actors = StaffAction.objects.order_by().values_list("actor_id", "actor_repr").distinct()
        return sorted({(str(pk), label) for pk, label in actors if pk is not None}, key=lambda a: a[1])

    def queryset(self, request: HttpRequest, queryset: object) -> object:
        return queryset.filter(actor_id=self.value()) if self.value() else queryset


def _pretty(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


@admin.register(StaffAction)
class StaffActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_repr", "kind", "what", "content_type", "object_repr",
                    "changes_display", "ip")
    list_filter = ("kind", "content_type", StaffFilter, "created_at")
    search_fields = ("object_repr", "=object_id", "actor_repr", "what")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)
    show_full_result_count = False
    fields = ("created_at", "actor_repr", "kind", "what", "content_type", "object_id", "object_repr",
              "ip", "path", "diff_display")
    readonly_fields = fields
    change_list_template = "admin/audit/staffaction/change_list.html"

    @admin.display(description=_("changed fields"))
    def changes_display(self, obj: StaffAction) -> str:
        return ", ".join(obj.changed_fields) or "—"

    @admin.display(description=_("before → after"))
    def diff_display(self, obj: StaffAction) -> str:
        before, after = obj.before or {}, obj.after or {}
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (name, _pretty(before.get(name)), _pretty(after.get(name))) for name in obj.changed_fields))
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("field"), _("before"), _("after"))
        return format_html('<table class="audit-diff" style="table-layout:fixed;word-break:break-all">'
                           "{}{}</table>", head, rows)

    def get_urls(self) -> list[URLPattern]:
        return [path("export.csv", self.admin_site.admin_view(self.export_view),
                     name="audit_staffaction_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered on the page, every row (not only this page), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)
        response = StreamingHttpResponse(_csv_rows(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="staff-audit.csv"'
        return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (a nickname may start with "=")."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def _csv_rows(queryset: object) -> object:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 Chinese correctly only with the BOM
    yield writer.writerow([str(_("time")), str(_("staff member")), str(_("kind")), str(_("operation")),
                           str(_("object type")), str(_("object id")), str(_("object")),
                           str(_("changed fields")), str(_("before")), str(_("after")),
                           str(_("client address")), str(_("page"))])
    for row in queryset.select_related("content_type").iterator(chunk_size=CSV_CHUNK):
        yield writer.writerow(_cell(v) for v in [
            localtime(row.created_at).isoformat(timespec="seconds"), row.actor_repr, row.get_kind_display(),
            row.what, row.content_type.name if row.content_type else "", row.object_id, row.object_repr,
            " ".join(row.changed_fields), _pretty(row.before), _pretty(row.after), row.ip or "", row.path])


# --- the staff groups' page -------------------------------------------------------------------
# Permission names in the staff member's language; the groups themselves are declared in
# config/roles.py (manage.py sync_roles). Importing django.contrib.auth.admin (above) registered
# Group already, whatever the order of INSTALLED_APPS, so it can be replaced here.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, DjangoGroupAdmin):
    pass
