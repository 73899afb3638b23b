"""Share links (see "Share links" in ``distribution/README.md``).

Every link a reseller shares carries their invite code (in the path) and the channel it went
out through (``src``): ``/s/<invite code>/?src=link`` for the shop,
``/s/<invite code>/p/<product id>/?src=poster`` for a product. The landing views in
``distribution/views.py`` read them.
"""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

SOURCES = ("link", "qr", "poster")


def share_path(*, invite_code: str, product_id: int | None = None, src: str = "link") -> str:
    if src not in SOURCES:
        raise ValueError(f"unknown share source {src!r}")
    if product_id is None:
        path = reverse("distribution:share", args=[invite_code])
    else:
        path = reverse("distribution:share_product", args=[invite_code, product_id])
    return f"{path}?{urlencode({'src': src})}"


def share_url(request: HttpRequest, *, invite_code: str, product_id: int | None = None,
              src: str = "link") -> str:
    """The absolute share link (what is copied or encoded in a QR code)."""
    return request.build_absolute_uri(share_path(invite_code=invite_code, product_id=product_id, src=src))
