from django.urls import path

from promotions.api import views

urlpatterns = [
    path("coupons/", views.ClaimCentreView.as_view(), name="coupon-centre"),
    path("coupons/<int:template_id>/claim/", views.ClaimView.as_view(), name="coupon-claim"),
    path("me/coupons/", views.MyCouponsView.as_view(), name="my-coupons"),
    path("coupon-grants/", views.GrantView.as_view(), name="coupon-grants"),
]
