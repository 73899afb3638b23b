"""The product poster (商品海报): 750×1334 PNG with the product's picture, name and price, the
reseller's avatar and name, and a QR code of the product-in-shop share link (with the
invite code and ``src=poster``).

Drawn with the helpers and the CJK font of the invite poster (``referral/poster.py``). The
PNG is cached by its content: the key hashes everything drawn (title, price, picture,
reseller, avatar, link, language), so a price change makes a new poster and an unchanged
product is drawn once.
"""

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

import qrcode
from django.core.cache import cache
from django.utils.translation import get_language
from PIL import Image, ImageDraw, ImageOps

from common.money import format_cny
from distribution.referral.poster import (
    GREY,
    HEIGHT,
    INK,
    PAPER,
    RED,
    WIDTH,
    circle,
    fit_text,
    font,
    open_image,
    read_file,
    rounded,
    wrap_text,
)
from mall.models import Product, Shop, User

CACHE_SECONDS = 7 * 24 * 3600
PICTURE = 670  # the product picture's side
MARGIN = (WIDTH - PICTURE) // 2
QR_SIDE = 210


@dataclass(frozen=True)
class ProductPoster:
    """Everything the poster shows; its digest is the cache key."""

    title: str
    price: str  # formatted, e.g. "¥59.90"
    picture: str  # storage name of the product's first picture, "" for none
    reseller_name: str
    avatar: str  # storage name of the reseller's avatar (their shop logo), "" for none
    url: str  # what the QR code opens
    recommend: str  # "小雨 为你推荐"
    scan_hint: str
    language: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:32]
        return f"distribution:product-poster:v1:{digest}"


def product_poster_spec(*, product: Product, price: Decimal | None, picture: str, user: User, shop: Shop,
                        url: str, recommend: str, scan_hint: str) -> ProductPoster:
    return ProductPoster(title=product.title, price=format_cny(price) if price is not None else "",
                         picture=picture, reseller_name=user.display_name,
                         avatar=shop.avatar.name if shop.avatar else "", url=url, recommend=recommend,
                         scan_hint=scan_hint, language=get_language() or "")


def _picture(canvas: Image.Image, content: bytes | None, initial: str) -> None:
    picture = open_image(content)
    draw = ImageDraw.Draw(canvas)
    if picture is None:
        draw.rounded_rectangle((MARGIN, MARGIN, MARGIN + PICTURE, MARGIN + PICTURE), radius=24,
                               fill=(250, 236, 233))
        draw.text((WIDTH // 2, MARGIN + PICTURE // 2), initial, font=font(160), fill=(240, 200, 194),
                  anchor="mm")
        return
    tile = rounded(ImageOps.fit(picture, (PICTURE, PICTURE)), 24)
    canvas.paste(tile, (MARGIN, MARGIN), tile)


def _reseller(canvas: Image.Image, spec: ProductPoster, avatar: bytes | None, top: int) -> None:
    draw = ImageDraw.Draw(canvas)
    face = open_image(avatar)
    if face is not None:
        canvas.paste(disc := circle(face, 72), (MARGIN, top), disc)
    else:
        draw.ellipse((MARGIN, top, MARGIN + 72, top + 72), fill=(255, 240, 238))
        draw.text((MARGIN + 36, top + 36), (spec.reseller_name[:1] or "·"), font=font(34), fill=RED,
                  anchor="mm")
    width = WIDTH - 2 * MARGIN - QR_SIDE - 110
    draw.text((MARGIN + 88, top + 4), fit_text(draw, spec.reseller_name, font(28), width), font=font(28),
              fill=INK)
    draw.text((MARGIN + 88, top + 42), fit_text(draw, spec.recommend, font(22), width), font=font(22),
              fill=GREY)


def _qr(canvas: Image.Image, spec: ProductPoster, top: int) -> None:
    draw = ImageDraw.Draw(canvas)
    code = qrcode.make(spec.url, box_size=10, border=2).convert("RGB")
    code = code.resize((QR_SIDE, QR_SIDE), Image.Resampling.NEAREST)
    left = WIDTH - MARGIN - QR_SIDE
    canvas.paste(code, (left, top))
    for number, line in enumerate(wrap_text(draw, spec.scan_hint, font(20), QR_SIDE, 2)):
        draw.text((left + QR_SIDE // 2, top + QR_SIDE + 12 + number * 28), line, font=font(20), fill=GREY,
                  anchor="mt")


def product_poster_draw(spec: ProductPoster, *, picture: bytes | None, avatar: bytes | None) -> bytes:
    canvas = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((20, 20, WIDTH - 20, HEIGHT - 20), radius=28, fill=(255, 255, 255))
    _picture(canvas, picture, (spec.title[:1] or "·"))
    y = MARGIN + PICTURE + 30
    for line in wrap_text(draw, spec.title, font(34), WIDTH - 2 * MARGIN, 2):
        draw.text((MARGIN, y), line, font=font(34), fill=INK)
        y += 48
    draw.text((MARGIN, y + 10), spec.price, font=font(52), fill=RED)
    bottom = HEIGHT - 60 - QR_SIDE - 60
    draw.line((MARGIN, bottom - 24, WIDTH - MARGIN, bottom - 24), fill=(238, 238, 238), width=2)
    _reseller(canvas, spec, avatar, bottom + 40)
    _qr(canvas, spec, bottom)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def product_poster_png(spec: ProductPoster, *, product: Product, shop: Shop) -> bytes:
    """The poster from the cache, drawn on a miss."""
    png = cache.get(spec.key)
    if png is None:
        image = next((i for i in product.images.all() if i.image.name == spec.picture), None)
        png = product_poster_draw(spec, picture=read_file(image.image) if image else None,
                                  avatar=read_file(shop.avatar) if shop.avatar else None)
        cache.set(spec.key, png, CACHE_SECONDS)
    return png
