from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/export/<slug:table>.<slug:fmt>", views.export_report, name="export-report"),
    path("finance/export/<slug:dataset>.<slug:fmt>", views.export_finance, name="export-finance"),
]
