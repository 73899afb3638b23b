from django.urls import path

from promotions import views

app_name = "promotions"

urlpatterns = [
    path("coupons/", views.claim_centre, name="centre"),
    path("coupons/<int:template_id>/claim/", views.claim, name="claim"),
    path("me/coupons/", views.my_coupons, name="mine"),
]
