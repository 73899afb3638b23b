"""Small template helpers shared by every storefront page (and other apps' H5 pages)."""

from django import template
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from mall.menu import badges, me_menu
from mall.slots import slots

register = template.Library()

# First path segment → bottom tab. Other apps' pages may set ``{% block tab %}`` instead.
_TAB_PREFIXES = {"": "home", "c": "categories", "search": "home", "cart": "cart", "me": "me"}

# Colours for categories and shops that have no picture: picked by id, so stable.
_PALETTE = ("#f56c6c", "#ff9f43", "#2bb673", "#3a8ee6", "#8e6cf0", "#ee6fa8", "#17b3c1", "#d4a017")


@register.simple_tag(takes_context=True)
def tab_for_path(context: template.Context) -> str:
    request: HttpRequest | None = context.get("request")
    if request is None:
        return ""
    first = request.path.strip("/").split("/", 1)[0]
    return _TAB_PREFIXES.get(first, "")


@register.simple_tag(takes_context=True)
def me_tab_dot(context: template.Context) -> str:
    """What the other apps have new behind "我的" (``mall.menu``): a label, or "" for no dot."""
    request: HttpRequest | None = context.get("request")
    return "" if request is None else me_menu.tab_dot(request)


@register.simple_tag(takes_context=True)
def badge(context: template.Context, name: str) -> object:
    """A count another app shows here (``mall.menu.badges``): ``{% badge "cart" as n %}``."""
    request: HttpRequest | None = context.get("request")
    return 0 if request is None else badges.get(request, name)


@register.simple_tag(takes_context=True)
def slot(context: template.Context, place: str) -> str:
    """Every template the apps above mall registered for ``place`` (``mall.slots``), rendered
    with this page's context as ``{% include %}`` would."""
    parts = []
    for name in slots.templates(place):
        piece = context.template.engine.get_template(name)
        with context.push():
            parts.append(piece.render(context))
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, escaped by their own rules


@register.simple_tag
def optional_url(name: str, *args: object) -> str:
    """``reverse(name)``, or ``""`` while the app that provides the page is not built yet."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: object) -> str:
    """The current query string with ``changes`` applied (``None`` drops a key)."""
    request: HttpRequest | None = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return f"?{params.urlencode()}"


@register.filter
def swatch(obj: object) -> str:
    """A stable accent colour for an object without a picture."""
    pk = getattr(obj, "pk", None) or 0
    return _PALETTE[int(pk) % len(_PALETTE)]


@register.filter
def initial(text: object) -> str:
    return (str(text or "").strip()[:1] or "·").upper()


@register.filter
def cover_url(product: object) -> str:
    """URL of the product's first image, from the prefetched ``images`` (no extra query)."""
    images = list(product.images.all())  # type: ignore[attr-defined]
    if not images or not images[0].image:
        return ""
    return images[0].image.url


@register.filter
def html_lang(code: str) -> str:
    """Django language code → BCP 47 for ``<html lang>`` (``zh-hans`` → ``zh-Hans``)."""
    lang, _, script = (code or "").partition("-")
    if script and len(script) == 4:
        return f"{lang}-{script.title()}"
    if script:
        return f"{lang}-{script.upper()}"
    return lang


@register.filter
def fill(template_text: str, value: object) -> str:
    """``"{n} in stock"|fill:12`` → ``"12 in stock"``: the same msgid the page script fills."""
    return str(template_text).replace("{n}", str(value))
