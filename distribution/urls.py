from django.urls import path, re_path

from distribution import views
from distribution.funnel import views as funnel_views

app_name = "distribution"

# Share links are typed and pasted: accept them with or without a trailing slash.
urlpatterns = [
    re_path(r"^s/(?P<code>[0-9A-Za-z-]{1,32})/?$", views.share, name="share"),
    re_path(r"^s/(?P<code>[0-9A-Za-z-]{1,32})/qr\.png$", views.share_qr, name="share_qr"),
    re_path(r"^s/(?P<code>[0-9A-Za-z-]{1,32})/p/(?P<product_id>[0-9]{1,12})/?$", views.share_product,
            name="share_product"),
    # The reseller centre: always the signed-in member's own (no member id in any URL).
    path("distribution/", views.center, name="center"),
    path("distribution/join/", views.join, name="join"),
    path("distribution/apply/", views.apply, name="apply"),
    path("distribution/apply/withdraw/", views.apply_withdraw, name="apply_withdraw"),
    path("distribution/bind/", views.bind, name="bind"),
    path("distribution/team/", views.team, name="team"),
    path("distribution/poster.png", views.poster, name="poster"),
    path("distribution/funnel/", funnel_views.funnel, name="funnel"),
    path("distribution/funnel/links/<int:link_id>/", funnel_views.funnel_link, name="funnel_link"),
    path("distribution/customers/", funnel_views.customers, name="customers"),
]
