"""收货地址: list, add, edit, delete, set default; and picking one for checkout
(``?select=1&next=/checkout/``: tapping an address goes back with ``?address=<id>``)."""

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode as django_urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError
from orders import selectors
from orders.forms import AddressForm
from orders.models import Address
from orders.regions import region_tree
from orders.services import address as address_services
from orders.views._common import domain_404, safe_next

FIELDS = ("receiver", "phone", "province", "city", "district", "detail")


def _with_address(url: str, address_id: int) -> str:
    """``/checkout/`` → ``/checkout/?address=7`` (other query parameters kept)."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("address="))
    query = f"{query}&{urlencode({'address': address_id})}".lstrip("&")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _list_url(request: HttpRequest) -> str:
    """Back to the list, keeping the picking mode."""
    keep = {k: request.GET[k] for k in ("select", "next") if request.GET.get(k)}
    base = reverse("orders:addresses")
    return f"{base}?{django_urlencode(keep)}" if keep else base


@login_required
@require_GET
def address_list(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, "")
    selecting = bool(request.GET.get("select")) and bool(next_url)
    addresses = list(selectors.address_list(user=request.user))
    return render(
        request,
        "orders/addresses.html",
        {
            "addresses": addresses,
            "selecting": selecting,
            "pick_urls": {a.pk: _with_address(next_url, a.pk) for a in addresses} if selecting else {},
            "query": request.GET.urlencode(),
            "new_url": reverse("orders:address_new") + (f"?{request.GET.urlencode()}" if request.GET else ""),
        },
    )


def _save(request: HttpRequest, form: AddressForm, address: Address | None) -> Address | None:
    values = {name: form.cleaned_data[name] for name in FIELDS}
    try:
        if address is None:
            return address_services.address_create(
                user=request.user, is_default=form.cleaned_data["is_default"], **values
            )
        saved = address_services.address_update(user=request.user, address_id=address.pk, **values)
        if form.cleaned_data["is_default"] and not saved.is_default:
            saved = address_services.address_set_default(user=request.user, address_id=saved.pk)
    except DomainError as exc:
        form.add_domain_error(exc)
        return None
    return saved


def _form_page(request: HttpRequest, address: Address | None) -> HttpResponse:
    if request.method == "POST":
        form = AddressForm(request.POST)
        saved = _save(request, form, address) if form.is_valid() else None
        if saved is not None:
            messages.success(request, _("Address saved."))
            next_url = safe_next(request, "")
            return redirect(_with_address(next_url, saved.pk) if next_url else _list_url(request))
    elif address is not None:
        initial = {name: getattr(address, name) for name in FIELDS}
        form = AddressForm(initial={**initial, "is_default": address.is_default})
    else:
        form = AddressForm(initial={"is_default": not selectors.address_default(user=request.user)})
    return render(
        request,
        "orders/address_form.html",
        {"form": form, "address": address, "regions": region_tree(), "next": safe_next(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def address_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    return _form_page(request, selectors.address_get_for_user(user=request.user, address_id=address_id))


@login_required
@require_POST
@domain_404
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    address_services.address_delete(user=request.user, address_id=address_id)
    messages.success(request, _("Address deleted."))
    return redirect(_list_url(request))


@login_required
@require_POST
@domain_404
def address_set_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address_services.address_set_default(user=request.user, address_id=address_id)
    messages.success(request, _("Default address changed."))
    return redirect(_list_url(request))
