from django.urls import path

from distribution.api import views
from distribution.funnel import api as funnel_api

# Mounted under /api/v1/ in the `api` namespace (config/urls.py). Every route is about the
# signed-in member: no member id in any URL.
urlpatterns = [
    path("distribution/me/", views.DistributionMeView.as_view(), name="distribution-me"),
    path("distribution/join/", views.JoinView.as_view(), name="distribution-join"),
    path("distribution/apply/", views.ApplyView.as_view(), name="distribution-apply"),
    path("distribution/bind/", views.BindView.as_view(), name="distribution-bind"),
    path("distribution/team/", views.TeamView.as_view(), name="distribution-team"),
    path("distribution/team/downlines/", views.DownlinesView.as_view(), name="distribution-downlines"),
    path("distribution/levels/", views.LevelsView.as_view(), name="distribution-levels"),
    path("distribution/funnel/", funnel_api.FunnelView.as_view(), name="distribution-funnel"),
    path("distribution/funnel/links/<int:link_id>/", funnel_api.FunnelLinkView.as_view(),
         name="distribution-funnel-link"),
    path("distribution/customers/", funnel_api.CustomersView.as_view(), name="distribution-customers"),
]
