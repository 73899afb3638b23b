"""mall.slots: the places on mall's pages where the apps above it put their pieces."""

import pytest
from django.template import Context, Engine
from django.test import RequestFactory

from mall.slots import PLACES, slots


def test_a_place_that_mall_does_not_have_is_refused_at_registration():
    with pytest.raises(ValueError, match="no place"):
        slots.register("product.nowhere", "x.html")


def test_every_place_of_the_product_shop_and_home_pages_has_its_pieces_registered():
    assert slots.templates("product.price") == ["distribution/slots/product_price.html"]
    assert slots.templates("product.offers") == ["promotions/includes/product_coupons.html"]
    assert slots.templates("product.reviews") == ["orders/slots/product_reviews.html"]
    assert slots.templates("home.banners") == ["promotions/includes/signup_banner.html"]
    assert {place for place in PLACES if not slots.templates(place)} == set()


def test_a_slot_renders_its_templates_in_order_with_the_context_and_nothing_when_empty():
    engine = Engine(
        libraries={"storefront": "mall.templatetags.storefront"},
        loaders=[("django.template.loaders.locmem.Loader",
                  {"one.html": "[{{ product }}]", "two.html": "<b>{{ product }}</b>"})],
    )
    page = engine.from_string('{% load storefront %}{% slot "product.price" %}|{% slot "shop.header" %}')
    saved = slots.templates("product.price"), slots.templates("shop.header")
    try:
        for name in saved[0]:
            slots.unregister("product.price", name)
        for name in saved[1]:
            slots.unregister("shop.header", name)
        slots.register("product.price", "one.html")
        slots.register("product.price", "two.html")

        html = page.render(Context({"product": "<奶粉>", "request": RequestFactory().get("/")}))
    finally:
        for name in ("one.html", "two.html"):
            slots.unregister("product.price", name)
        for name in saved[0]:
            slots.register("product.price", name)
        for name in saved[1]:
            slots.register("shop.header", name)

    assert html == "[&lt;奶粉&gt;]<b>&lt;奶粉&gt;</b>|"
