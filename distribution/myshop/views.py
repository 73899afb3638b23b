"""我的小店 and 选品 H5 pages (the reseller centre), the product poster and the 素材 page.

Every page is the signed-in reseller's own: the shop is looked up from the user, never from
the URL. A form that names a shop (``shop_id``) that is not theirs is refused with a
message and changes nothing. Views only orchestrate: selectors read, ``mall.services.shops``
writes, domain errors become messages.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError, NotFound
from distribution.models import Member
from distribution.myshop import selectors
from distribution.myshop.links import share_url
from distribution.myshop.poster import product_poster_png, product_poster_spec
from mall import selectors as mall_selectors
from mall.models import Product, ProductMaterial, Shop
from mall.services import shops as shop_services
from mall.services.shop_images import shop_image_clean


def reseller_shop_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, a reseller, with a shop; else back to the reseller centre, which says how
    to become one. Passes ``member`` and ``shop`` to the view."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member, shop = selectors.reseller_with_shop(user=request.user)
        if member is None or shop is None or not (member.is_reseller and member.is_active):
            messages.info(request, _("Become a reseller to open your own shop."))
            return redirect("distribution:center")
        return view(request, *args, member=member, shop=shop, **kwargs)

    return wrapper


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _int(value: object, default: int | None = None) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


# --- 我的小店 -------------------------------------------------------------------------------------


@reseller_shop_view
@require_GET
def shop_manage(request: HttpRequest, *, member: Member, shop: Shop) -> HttpResponse:
    rows = selectors.shop_rows(member=member, shop=shop)
    for row in rows:
        row.link = share_url(request, invite_code=member.invite_code, product_id=row.product_id)
    return render(request, "distribution/myshop/shop.html", {
        "member": member, "shop": shop, "rows": rows, "tab": "me",
        "shop_link": share_url(request, invite_code=member.invite_code),
        # Row actions are "<products_base><id>/pin/" etc. (see urls.py): one reverse, not 800.
        "products_base": reverse("myshop:toggle", args=[0]).removesuffix("0/toggle/"),
    })


@reseller_shop_view
@require_GET
def picks(request: HttpRequest, *, member: Member, shop: Shop) -> HttpResponse:
    sort = request.GET.get("sort", "commission")
    sort = sort if sort in selectors.PICK_SORTS else "commission"
    category_id = _int(request.GET.get("category"))
    q = request.GET.get("q", "").replace("\x00", "").strip()[:50]  # a NUL matches nothing
    page = max(1, _int(request.GET.get("page"), 1) or 1)
    result = selectors.picks_page(member=member, shop=shop, category_id=category_id, q=q, sort=sort,
                                  page=page)
    return render(request, "distribution/myshop/picks.html", {
        "member": member, "shop": shop, "result": result, "sort": sort, "q": q,
        "category_id": category_id, "categories": selectors.category_roots(), "tab": "me",
        "sorts": [("commission", _("Commission")), ("sales", _("Sales")),
                  ("price_asc", _("Price ↑")), ("price_desc", _("Price ↓"))],
    })


def _shop_action(request: HttpRequest, *, shop: Shop, action: Callable[[], object], success: str,
                 default_next: str) -> HttpResponseRedirect:
    """Check the shop the form names, run the service; a domain error becomes a toast."""
    try:
        mall_selectors.shop_get_owned(owner=request.user, shop_id=request.POST.get("shop_id"))
        action()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return _back(request, default_next)


@reseller_shop_view
@require_POST
def toggle(request: HttpRequest, product_id: int, *, member: Member, shop: Shop) -> HttpResponseRedirect:
    """加入我的小店 / 移出小店: one tap either way."""
    if shop.listings.filter(product_id=product_id).exists():
        def unlist() -> None:
            shop_services.shop_unlist_product(shop=shop, product_id=product_id)
        return _shop_action(request, shop=shop, default_next=reverse("myshop:shop"), action=unlist,
                            success=_("Removed from your shop."))
    return _shop_action(request, shop=shop, default_next=reverse("myshop:shop"),
                        action=lambda: shop_services.shop_list_product(shop=shop, product_id=product_id),
                        success=_("Added to your shop."))


@reseller_shop_view
@require_POST
def pin(request: HttpRequest, product_id: int, *, member: Member, shop: Shop) -> HttpResponseRedirect:
    pinned = request.POST.get("pinned") == "1"
    return _shop_action(request, shop=shop, default_next=reverse("myshop:shop"),
                        action=lambda: shop_services.shop_pin_product(shop=shop, product_id=product_id,
                                                                      pinned=pinned),
                        success=_("Pinned to the top.") if pinned else _("Unpinned."))


@reseller_shop_view
@require_POST
def move(request: HttpRequest, product_id: int, *, member: Member, shop: Shop) -> HttpResponseRedirect:
    offset = -1 if request.POST.get("direction") == "up" else 1
    return _shop_action(request, shop=shop, default_next=reverse("myshop:shop"),
                        action=lambda: shop_services.shop_move_product(shop=shop, product_id=product_id,
                                                                       offset=offset),
                        success=_("Order saved."))


# --- the shop's profile ----------------------------------------------------------------------------


class ProfileForm(forms.Form):
    shop_id = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=gettext_lazy("Shop name"), max_length=40)
    intro = forms.CharField(label=gettext_lazy("Introduction"), max_length=200, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    logo = forms.FileField(label=gettext_lazy("Logo"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    cover = forms.FileField(label=gettext_lazy("Cover picture"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))


@reseller_shop_view
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, *, member: Member, shop: Shop) -> HttpResponse:
    """Name, introduction, logo and cover. Pictures are checked and resized before anything
    is saved: a bad one refuses the whole form."""
    form = ProfileForm(request.POST or None, request.FILES or None,
                       initial={"shop_id": shop.pk, "name": shop.name, "intro": shop.intro})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        images, field = {}, None
        try:
            mall_selectors.shop_get_owned(owner=request.user, shop_id=data["shop_id"])
            for field in ("logo", "cover"):  # on an error, ``field`` names the picture refused
                if data.get(field):
                    images[field] = shop_image_clean(upload=data[field], kind=field)
            field = None
            shop_services.shop_update(shop=shop, name=data["name"], intro=data["intro"], **images)
        except DomainError as exc:
            form.add_error(field, str(exc.message))
        else:
            messages.success(request, _("Your shop is updated."))
            return redirect("myshop:profile")
    return render(request, "distribution/myshop/profile.html", {
        "member": member, "shop": Shop.objects.get(pk=shop.pk), "form": form, "tab": "me"})


# --- sharing: poster and 素材 ----------------------------------------------------------------------


def _product_on_sale(product_id: int) -> Product:
    return mall_selectors.product_get(product_id=product_id)


@reseller_shop_view
@require_GET
def product_poster(request: HttpRequest, product_id: int, *, member: Member, shop: Shop) -> HttpResponse:
    try:
        product = _product_on_sale(product_id)
    except NotFound as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    skus = list(product.skus.all())
    first = next(iter(product.images.all()), None)
    spec = product_poster_spec(
        product=product, price=min((s.price for s in skus), default=None),
        picture=first.image.name if first else "", user=member.user, shop=shop,
        url=share_url(request, invite_code=member.invite_code, product_id=product.pk, src="poster"),
        recommend=_("Good things I picked for you"),
        scan_hint=_("Scan to buy in my shop"))
    response = HttpResponse(product_poster_png(spec, product=product, shop=shop), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    response["ETag"] = f'"{spec.key.rsplit(":", 1)[-1]}"'
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="poster-{product.pk}.png"'
    return response


@reseller_shop_view
@require_GET
def materials(request: HttpRequest, product_id: int, *, member: Member, shop: Shop) -> HttpResponse:
    try:
        product = _product_on_sale(product_id)
    except NotFound as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    items = list(ProductMaterial.objects.filter(product=product, is_active=True)
                 .prefetch_related("images").order_by("sort_order", "id"))
    return render(request, "distribution/myshop/materials.html", {
        "member": member, "shop": shop, "product": product, "items": items, "tab": "me",
        "link": share_url(request, invite_code=member.invite_code, product_id=product.pk)})
