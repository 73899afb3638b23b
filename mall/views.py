"""The shopper-facing H5 pages of the mall: catalogue, shops, sign-up / sign-in, "me".

Views only orchestrate: read through ``mall.selectors``, write through
``mall.services``, and turn domain errors into form errors, messages or a styled 404.
"""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError, NotFound, RateLimited
from common.http import client_ip
from common.money import format_cny
from common.phone import normalize_phone
from mall import selectors
from mall.context import current_shop, remember_shop
from mall.errors import PhoneInvalid, ShopNotFound
from mall.forms import CodeSignInForm, PhoneCodeForm, SignInForm, SignUpForm
from mall.hooks import hooks
from mall.menu import me_menu
from mall.models import PhoneCode, Product
from mall.services.accounts import (
    phone_code_send,
    user_authenticate,
    user_authenticate_with_code,
    user_register,
)
from mall.sms import backends as sms_backends

PAGE_SIZE = 20
CATEGORY_PANEL_SIZE = 12
SORTS = ("default", "sales", "price_asc", "price_desc", "new")
_SIGNUP_DRAFT_KEY = "signup_draft"
_SIGNIN_CODE_DRAFT_KEY = "signin_code_draft"


# --- helpers ------------------------------------------------------------------------

def _not_found(request: HttpRequest, message: object | None = None) -> HttpResponse:
    context = {"message": message or _("The page you are looking for does not exist.")}
    return render(request, "404.html", context, status=404)


def too_many_attempts(request: HttpRequest, message: object) -> HttpResponse:
    """The styled 429 page (e.g. a share link over the client's invite-lookup limit)."""
    return render(request, "429.html", {"message": message}, status=429)


def _form_status(error: DomainError) -> int:
    """A form page shown again after a rate limit answers 429; other refusals 200, as usual."""
    return error.status if isinstance(error, RateLimited) else 200


def domain_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a selector's ``NotFound`` (unknown or off-shelf product, closed shop…) as
    the styled 404 page with the error's own message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return _not_found(request, exc.message)

    return wrapper


def _page(request: HttpRequest, queryset: QuerySet[Product]) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _sort(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "default")
    return sort if sort in SORTS else "default"


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _sign_in(request: HttpRequest, user: Any) -> None:
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    hooks.call("user_signed_in", request=request, user=user)


# --- catalogue ----------------------------------------------------------------------

@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "mall/home.html", {
        "categories": list(selectors.category_roots()[:9]),
        "page": _page(request, selectors.product_list()),
    })


@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    tree = selectors.category_tree()
    roots = [c for c in tree if c.parent_id is None]
    selected = next((c for c in roots if str(c.pk) == request.GET.get("root")), None)
    selected = selected or (roots[0] if roots else None)
    children = [c for c in tree if selected is not None and c.parent_id == selected.pk]
    products = (list(selectors.product_list(category=selected)[:CATEGORY_PANEL_SIZE])
                if selected is not None else [])
    return render(request, "mall/categories.html", {
        "roots": roots, "selected": selected, "children": children, "products": products,
    })


@require_GET
@domain_404
def category(request: HttpRequest, category_id: int) -> HttpResponse:
    category = selectors.category_get(category_id=category_id)
    sort = _sort(request)
    return render(request, "mall/category.html", {
        "category": category,
        "children": list(category.get_children().filter(is_active=True)),
        "sort": sort,
        "page": _page(request, selectors.product_list(category=category, sort=sort)),
    })


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # A NUL matches nothing and PostgreSQL refuses it in a query: searched without it.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:50]
    sort = _sort(request)
    page = _page(request, selectors.product_list(q=q, sort=sort)) if q else None
    return render(request, "mall/search.html", {"q": q, "sort": sort, "page": page})


def _sku_data(product: Product) -> dict[str, Any]:
    """What the SKU picker needs, embedded with ``json_script`` (money as strings). ``label``
    names a SKU in the order of the specs (红 / M), for the list shown without the script."""
    specs = [{"name": s.get("name", ""), "values": [str(v) for v in s.get("values", [])]}
             for s in product.spec_options or []]
    return {
        "specs": specs,
        "skus": [{"id": sku.pk, "specs": sku.specs, "price": str(sku.price),
                  "price_display": format_cny(sku.price), "stock": sku.stock,
                  "label": " / ".join(str((sku.specs or {}).get(s["name"], "")) for s in specs)}
                 for sku in product.skus.all()],
    }


def _price_text(product: Product) -> str:
    prices = sorted({sku.price for sku in product.skus.all()})
    if not prices:
        return ""
    if len(prices) == 1:
        return format_cny(prices[0])
    return f"{format_cny(prices[0])} - {format_cny(prices[-1])}"


def _share_landed(request: HttpRequest, *, product_id: int | None) -> None:
    """A share link or QR code (``?ref=<invite code>&src=…``) opened this page."""
    code = request.GET.get("ref", "")[:32]
    if code:
        hooks.call("share_landed", request=request, invite_code=code, src=request.GET.get("src", ""),
                   product_id=product_id)


@require_GET
@domain_404
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get(product_id=product_id)
    _share_landed(request, product_id=product.pk)
    shop = current_shop(request)
    skus = list(product.skus.all())
    # ?sku=<id>: the choice to keep after 加入购物车 without the script (a SKU of this product).
    selected = next((s for s in skus if str(s.pk) == request.GET.get("sku")), None)
    sku_data = {**_sku_data(product), "selected": selected.pk if selected else None}
    return render(request, "mall/product.html", {
        "product": product,
        "images": list(product.images.all()),
        "sku_data": sku_data,
        "selected_sku": selected,
        "price_text": _price_text(product),
        "total_stock": sum(s.stock for s in skus),
        "single_sku": skus[0] if len(skus) == 1 and not product.spec_options else None,
        "shop": None if shop.is_platform else shop,
    })


@require_GET
@domain_404
def shop(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = selectors.shop_get(shop_id=shop_id)
    remember_shop(request, shop)
    _share_landed(request, product_id=None)
    return render(request, "mall/shop.html", {
        "shop": shop, "page": _page(request, selectors.shop_products(shop=shop)),
    })


# --- accounts -----------------------------------------------------------------------

def _dev_code_message(phone: str) -> str | None:
    """In DEBUG with the console SMS backend, the code itself, so the demo is usable."""
    if not (settings.DEBUG and sms_backends.is_console_backend() and sms_backends.outbox):
        return None
    last = sms_backends.outbox[-1]
    if last.phone != phone:  # another visitor's code, sent in between
        return None
    return _("Development mode verification code: %(code)s") % {"code": last.params.get("code", "")}


def _invite_source(request: HttpRequest, invite_code: str) -> str:
    session_code = request.session.get("invite_code")
    if session_code and session_code == invite_code:
        return request.session.get("invite_source", "link")
    return "code"


def _with_next(url_name: str, next_url: str, **params: str) -> str:
    query = {key: value for key, value in {**params, "next": next_url}.items() if value}
    target = reverse(url_name)
    return f"{target}?{urlencode(query)}" if query else target


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, reverse("mall:me"))
    if request.user.is_authenticated:
        return redirect(next_url)
    status = 200
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            invite_code = data["invite_code"].strip() or None
            try:
                user = user_register(
                    phone=data["phone"], password=data["password"], code=data.get("code"),
                    nickname=data["nickname"], invite_code=invite_code,
                    source=_invite_source(request, invite_code or ""), ip=client_ip(request),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                status = _form_status(exc)
            else:
                request.session.pop(_SIGNUP_DRAFT_KEY, None)
                _sign_in(request, user)
                messages.success(request, _("Welcome! Your account is ready."))
                return redirect(next_url)
    else:
        draft = request.session.pop(_SIGNUP_DRAFT_KEY, {})
        form = SignUpForm(initial={"invite_code": request.session.get("invite_code", ""), **draft})
    return render(request, "mall/signup.html", {
        "form": form, "next": next_url, "requires_code": settings.SIGNUP_REQUIRES_SMS_CODE,
    }, status=status)


def _send_code(request: HttpRequest, purpose: str) -> tuple[str, DomainError | None]:
    """Send the code; returns the normalized phone and the error, if any."""
    form = PhoneCodeForm(request.POST)
    if not form.is_valid():
        return "", PhoneInvalid()
    try:
        record = phone_code_send(phone=form.cleaned_data["phone"], purpose=purpose, ip=client_ip(request))
    except DomainError as exc:
        return "", exc
    return record.phone, None


def _code_sent_response(request: HttpRequest, *, purpose: str, back: str, draft_key: str,
                        draft_fields: tuple[str, ...]) -> HttpResponse:
    """Send a code. JSON for the page's script; without JS, back to the form ``back``."""
    phone, error = _send_code(request, purpose)
    dev_message = None if error else _dev_code_message(phone)
    if "application/json" in request.headers.get("Accept", ""):
        if error is not None:
            return JsonResponse({"code": error.code, "detail": str(error.message)}, status=error.status)
        return JsonResponse({"detail": _("Verification code sent."), "dev_message": dev_message})
    if error is not None:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Verification code sent."))
        if dev_message:
            messages.info(request, dev_message)
    # Post/redirect/get, keeping what was typed (never the password) for the form.
    request.session[draft_key] = {key: request.POST.get(key, "")[:40] for key in draft_fields}
    return redirect(_with_next(back, _next_url(request, "")))


@require_POST
def signup_code(request: HttpRequest) -> HttpResponse:
    return _code_sent_response(request, purpose=PhoneCode.Purpose.SIGNUP, back="mall:signup",
                               draft_key=_SIGNUP_DRAFT_KEY, draft_fields=("phone", "nickname", "invite_code"))


@require_POST
def signin_code_send(request: HttpRequest) -> HttpResponse:
    return _code_sent_response(request, purpose=PhoneCode.Purpose.SIGNIN, back="mall:signin_code",
                               draft_key=_SIGNIN_CODE_DRAFT_KEY, draft_fields=("phone",))


# Errors after which the password page points to SMS-code sign-in, the way in that the
# password limits never close.
_CODE_SIGNIN_HINTS = frozenset({"signin_code_required", "signin_rate_limited"})


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, reverse("mall:me"))
    if request.user.is_authenticated:
        return redirect(next_url)
    status, suggest_code = 200, False
    form = SignInForm(request.POST) if request.method == "POST" else SignInForm()
    if form.is_bound and form.is_valid():
        try:
            user = user_authenticate(phone=form.cleaned_data["phone"], password=form.cleaned_data["password"],
                                     ip=client_ip(request))
        except DomainError as exc:
            form.add_domain_error(exc)
            status, suggest_code = _form_status(exc), exc.code in _CODE_SIGNIN_HINTS
        else:
            _sign_in(request, user)
            return redirect(next_url)
    phone = normalize_phone(form.data.get("phone", ""))[:11] if form.is_bound else ""
    return render(request, "mall/signin.html", {
        "form": form, "next": next_url, "suggest_code": suggest_code,
        "code_signin_url": _with_next("mall:signin_code", _next_url(request, ""), phone=phone),
    }, status=status)


@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """Sign in with an SMS code: always open, also when password sign-in is limited."""
    next_url = _next_url(request, reverse("mall:me"))
    if request.user.is_authenticated:
        return redirect(next_url)
    status = 200
    if request.method == "POST":
        form = CodeSignInForm(request.POST)
        if form.is_valid():
            try:
                user = user_authenticate_with_code(phone=form.cleaned_data["phone"],
                                                   code=form.cleaned_data["code"], ip=client_ip(request))
            except DomainError as exc:
                form.add_domain_error(exc)
                status = _form_status(exc)
            else:
                request.session.pop(_SIGNIN_CODE_DRAFT_KEY, None)
                _sign_in(request, user)
                return redirect(next_url)
    else:
        draft = request.session.pop(_SIGNIN_CODE_DRAFT_KEY, {})
        form = CodeSignInForm(initial={"phone": request.GET.get("phone", "")[:20], **draft})
    return render(request, "mall/signin_code.html", {
        "form": form, "next": next_url,
        "password_signin_url": _with_next("mall:signin", _next_url(request, "")),
    }, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("mall:home")


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    try:
        own_shop = selectors.shop_get_for_owner(owner=request.user)
    except ShopNotFound:
        own_shop = None
    return render(request, "mall/me.html", {"own_shop": own_shop, "extra_menu": me_menu.items(request)})


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "mall/cart.html")
