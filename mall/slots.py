"""Places on mall's pages where the apps above mall put their own pieces (a registry, like
``hooks.py``): mall never names their templates, their tag libraries or their URLs.

An app registers a template for a place in its ``AppConfig.ready``; the page's
``{% slot "<place>" %}`` renders every template registered there, in registration order,
with the page's context (as ``{% include %}`` would), and nothing when none is. The
template loads its own app's tag libraries. A place not listed in ``PLACES`` is refused at
registration, so a typo fails at start-up instead of leaving a page silently without it.
"""

PLACES = {
    "home.banners": "slides of the home page's banner carousel (新人礼: promotions)",
    "product.price": "beside the product's price (分享赚: distribution)",
    "product.offers": "under the product's title card (coupon chips: promotions)",
    "product.reseller": "the reseller's bar and the invite banner (我的小店, share sheet: distribution)",
    "product.reviews": "the reviews block (口碑: orders)",
    "shop.header": "in the shop's header (分享赚 of the shop: distribution)",
    "shop.banner": "under the shop's header (the invite banner: distribution)",
}


class Slots:
    def __init__(self) -> None:
        self._templates: dict[str, list[str]] = {}

    def register(self, place: str, template_name: str) -> None:
        if place not in PLACES:
            raise ValueError(f"no place {place!r} on mall's pages; the places are {sorted(PLACES)}")
        names = self._templates.setdefault(place, [])
        if template_name not in names:
            names.append(template_name)

    def unregister(self, place: str, template_name: str) -> None:
        self._templates.get(place, []).remove(template_name)

    def templates(self, place: str) -> list[str]:
        return list(self._templates.get(place, ()))


slots = Slots()
