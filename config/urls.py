from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import ReadyView, healthz
from config.metrics import metrics_view

admin.site.site_header = _("Quanzi staff console")
admin.site.site_title = _("Quanzi staff console")
admin.site.index_title = _("Operations")
# The admin home shows the console's dashboard above the app list (console/templates).
admin.site.index_template = "console/admin_index.html"

# Each app owns its part of /api/v1/ and of the H5 site.
api_v1 = [
    path("", include("mall.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("distribution.api.urls")),
    path("", include("distribution.earnings.api_urls")),
    path("", include("distribution.myshop.api_urls")),
    path("", include("promotions.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", ReadyView.as_view(), name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/console/", include("console.urls")),  # reports and exports, staff only
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("orders.urls")),
    path("", include("orders.payments.sandbox.urls")),  # the stand-in provider's cashier page
    path("", include("distribution.urls")),
    path("", include("distribution.earnings.urls")),
    path("", include("distribution.myshop.urls")),
    path("", include("crm.urls")),
    path("", include("promotions.urls")),
    path("", include("mall.urls")),
]

# JSON under /api/, the site's page elsewhere (common/api.py).
handler400 = "common.api.api_or_page_bad_request"
handler404 = "common.api.api_or_page_not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
