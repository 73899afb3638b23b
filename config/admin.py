"""The alerts list: read-only, acknowledged from the list (an action) by staff who may."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from common.admin import ReadOnlyAdmin
from config.alerts import alerts_acknowledge
from config.models import Alert


class OpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("1", pgettext_lazy("alert", "open")), ("0", pgettext_lazy("alert", "acknowledged"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("0", "1"):
            return queryset.filter(acknowledged_at__isnull=self.value() == "1")
        return queryset


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "kind", "subject", "acknowledged_at", "acknowledged_by")
    list_filter = (OpenFilter, "kind")
    search_fields = ("subject",)
    actions = ["acknowledge"]

    @admin.action(description=_("Acknowledge the selected alerts"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = alerts_acknowledge(alert_ids=list(queryset.values_list("pk", flat=True)), user=request.user)
        self.message_user(request, ngettext("%(n)s alert acknowledged.", "%(n)s alerts acknowledged.", done)
                          % {"n": done}, messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Alert | None = None) -> bool:
        # An alert's page stays read-only; on the list, "change" is the right to acknowledge.
        return obj is None and request.user.has_perm("project.change_alert")
