from django.urls import path

from promotions import partner_views, views

app_name = "promotions"

urlpatterns = [
    path("coupons/", views.claim_centre, name="centre"),
    path("coupons/<int:template_id>/claim/", views.claim, name="claim"),
    path("me/coupons/", views.my_coupons, name="mine"),
    path("offers/", partner_views.offers, name="offers"),
    path("offers/<int:offer_id>/claim/", partner_views.offer_claim, name="offer_claim"),
    path("me/vouchers/", partner_views.my_vouchers, name="my_vouchers"),
    path("me/vouchers/<str:code>/qr.png", partner_views.voucher_qr, name="voucher_qr"),
    path("partner-coupon/<str:token>/", partner_views.partner_link, name="partner_link"),
    path("partners/", partner_views.partner_home, name="partner_home"),
    path("partners/<int:partner_id>/", partner_views.partner_dashboard, name="partner"),
    path("partners/<int:partner_id>/verify/", partner_views.partner_verify, name="partner_verify"),
    path(
        "partners/<int:partner_id>/statements/<int:year>-<int:month>.<str:fmt>",
        partner_views.partner_statement,
        name="partner_statement",
    ),
]
