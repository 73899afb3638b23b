from django.urls import re_path

from distribution import views

app_name = "distribution"

# Share links are typed and pasted: accept them with or without a trailing slash.
urlpatterns = [
    re_path(r"^s/(?P<code>[0-9A-Za-z-]{1,32})/?$", views.share, name="share"),
    re_path(r"^s/(?P<code>[0-9A-Za-z-]{1,32})/qr\.png$", views.share_qr, name="share_qr"),
]
