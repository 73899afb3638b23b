"""The share poster (分享海报): a 750×1334 PNG drawn with Pillow, the size WeChat moments
and chats show well.

Red header with the shop's avatar (or its initial) and name; a card with up to four of the
shop's products (picture, title, price); the QR code of the member's share link with the
invite code beside it. Text is drawn with the installed CJK font (the one the demo
pictures use); without one, Pillow's built-in font draws the Latin parts only.

Drawing takes 100-250 ms, so the PNG is cached per member, invite code, shop update time,
products shown, avatar and language (``poster_spec``): its ``version`` is in the poster's
URL, so a browser may keep a poster for a day and still never show a stale one.
"""

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from common.fonts import cjk_font
from common.money import format_cny
from distribution.models import Member
from mall import selectors as mall_selectors
from mall.models import Shop

WIDTH, HEIGHT = 750, 1334
RED, RED_DARK, CORAL = (228, 57, 60), (184, 31, 34), (255, 107, 74)
INK, GREY, PAPER = (34, 34, 34), (153, 153, 153), (253, 243, 241)
CARD_TOP, CARD_X, CELL, GAP, CAPTION, PAD = 240, 40, 290, 20, 84, 26
QR_TOP = 1058  # the QR card: QR_TOP .. HEIGHT - 36
POSTER_PRODUCTS = 4
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class PosterProduct:
    title: str
    price: str  # already formatted, e.g. "¥59.90"
    image: bytes | None  # the picture's file content, or None for a placeholder


@dataclass(frozen=True)
class PosterTexts:
    tagline: str  # under the shop name
    scan_hint: str  # beside the QR code
    invite_label: str  # "Invite code"
    footer: str  # the platform's name
    empty: str  # when the shop lists nothing yet


# --- what a member's poster shows ---------------------------------------------------------


@dataclass(frozen=True)
class PosterSpec:
    shop: Shop
    share_url: str
    key: str  # the cache key; its digest is the poster's version

    @property
    def version(self) -> str:
        return self.key.rsplit(":", 1)[-1]


def poster_spec(*, request: HttpRequest, member: Member) -> PosterSpec | None:
    """``None`` unless the member is a reseller with a shop. Two small queries."""
    shop = Shop.objects.filter(owner_id=member.user_id).first() if member.is_reseller else None
    if shop is None:
        return None
    listed = list(mall_selectors.shop_products(shop=shop).values_list("pk", flat=True)[:POSTER_PRODUCTS])
    share_path = reverse("distribution:share", args=[member.invite_code])
    share_url = request.build_absolute_uri(f"{share_path}?src=poster")
    parts = (member.pk, member.invite_code, shop.pk, shop.updated_at.isoformat(), listed, shop.avatar.name,
             get_language(), share_url)
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return PosterSpec(shop=shop, share_url=share_url, key=f"distribution:poster:v1:{digest}")


def poster_versioned_url(spec: PosterSpec | None) -> str:
    return f"{reverse('distribution:poster')}?v={spec.version}" if spec else ""


def read_file(field_file: FieldFile) -> bytes | None:
    try:
        with field_file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None  # a missing file draws as a placeholder


def poster_products(shop: Shop) -> list["PosterProduct"]:
    """The first products the shop lists, in the shop's order, with their first picture."""
    found = []
    for product in mall_selectors.shop_products(shop=shop)[:POSTER_PRODUCTS]:
        image = next(iter(product.images.all()), None)
        found.append(PosterProduct(
            title=product.title, price=format_cny(product.min_price) if product.min_price else "",
            image=read_file(image.image) if image else None))
    return found


# --- drawing -------------------------------------------------------------------------------------
# ``font`` … ``open_image`` are shared with the product poster (``distribution/myshop/poster.py``).


def font(size: int) -> Font:
    found = cjk_font()
    if found is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(found[0], size, index=found[1])


def fit_text(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """``text`` cut with an ellipsis so that it fits in ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def wrap_text(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int) -> list[str]:
    """At most ``lines`` lines of ``text`` within ``width`` pixels (by character: CJK has no
    spaces), the last one cut with an ellipsis."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines - 1:
        cut = len(rest)
        while cut > 1 and draw.textlength(rest[:cut], font=font) > width:
            cut -= 1
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(fit_text(draw, rest, font, width))
    return out


def rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, *image.size), radius=radius, fill=255)
    out = Image.new("RGBA", image.size, (0, 0, 0, 0))
    out.paste(image, (0, 0), mask)
    return out


def circle(image: Image.Image, size: int) -> Image.Image:
    image = ImageOps.fit(image.convert("RGB"), (size, size))
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size, size), fill=255)
    out = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    out.paste(image, (0, 0), mask)
    return out


def open_image(content: bytes | None) -> Image.Image | None:
    if not content:
        return None
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        return None  # a broken upload draws as a placeholder, never as a 500
    return image.convert("RGB")


def _header(canvas: Image.Image, *, shop_name: str, avatar: bytes | None, initial: str,
            tagline: str) -> None:
    band = Image.linear_gradient("L").rotate(90).resize((WIDTH, 420))
    canvas.paste(Image.composite(Image.new("RGB", band.size, RED_DARK), Image.new("RGB", band.size, CORAL),
                                 band), (0, 0))
    draw = ImageDraw.Draw(canvas, "RGBA")  # RGBA: the decorative circle blends in
    draw.ellipse((560, -70, 800, 170), fill=(255, 255, 255, 36))
    draw.ellipse((52, 62, 188, 198), fill=(255, 255, 255))
    picture = open_image(avatar)
    if picture is not None:
        canvas.paste(face := circle(picture, 128), (56, 66), face)
    else:
        draw.ellipse((56, 66, 184, 194), fill=(255, 240, 238))
        draw.text((120, 130), initial, font=font(64), fill=RED, anchor="mm")
    draw.text((214, 92), fit_text(draw, shop_name, font(44), 480), font=font(44), fill=(255, 255, 255))
    draw.text((216, 156), fit_text(draw, tagline, font(26), 480), font=font(26), fill=(255, 228, 224))


def _cell(canvas: Image.Image, product: PosterProduct | None, *, x: int, y: int, initial: str) -> None:
    draw = ImageDraw.Draw(canvas)
    picture = open_image(product.image) if product else None
    if picture is not None:
        tile = rounded(ImageOps.fit(picture, (CELL, CELL)), 16)
        canvas.paste(tile, (x, y), tile)
    else:
        draw.rounded_rectangle((x, y, x + CELL, y + CELL), radius=16, fill=(250, 236, 233))
        draw.text((x + CELL // 2, y + CELL // 2), initial, font=font(96), fill=(240, 200, 194), anchor="mm")
    if product is not None:
        draw.text((x + 4, y + CELL + 10), fit_text(draw, product.title, font(25), CELL - 8), font=font(25),
                  fill=INK)
        draw.text((x + 4, y + CELL + 46), product.price, font=font(28), fill=RED)


def _products(canvas: Image.Image, products: Sequence[PosterProduct], *, initial: str, empty: str) -> None:
    draw = ImageDraw.Draw(canvas)
    bottom = CARD_TOP + PAD + 2 * (CELL + CAPTION) + GAP + 6
    draw.rounded_rectangle((CARD_X, CARD_TOP, WIDTH - CARD_X, bottom), radius=24, fill=(255, 255, 255))
    shown = list(products[:POSTER_PRODUCTS])
    left = (WIDTH - 2 * CELL - GAP) // 2
    for index in range(4):
        row, col = divmod(index, 2)
        x = left + col * (CELL + GAP)
        y = CARD_TOP + PAD + row * (CELL + CAPTION + GAP)
        _cell(canvas, shown[index] if index < len(shown) else None, x=x, y=y, initial=initial)
    if not shown:
        draw.text((WIDTH // 2, (CARD_TOP + bottom) // 2), empty, font=font(30), fill=GREY, anchor="mm")


def _qr(canvas: Image.Image, *, url: str, invite_code: str, texts: PosterTexts) -> None:
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((CARD_X, QR_TOP, WIDTH - CARD_X, HEIGHT - 36), radius=24, fill=(255, 255, 255))
    size = HEIGHT - 36 - QR_TOP - 44
    code = qrcode.make(url, box_size=10, border=1).convert("RGB")
    code = code.resize((size, size), Image.Resampling.NEAREST)
    canvas.paste(code, (CARD_X + 22, QR_TOP + 22))
    left, width = CARD_X + 22 + size + 28, WIDTH - CARD_X - 22 - (CARD_X + 22 + size + 28)
    for number, line in enumerate(wrap_text(draw, texts.scan_hint, font(28), width, 2)):
        draw.text((left, QR_TOP + 26 + number * 38), line, font=font(28), fill=INK)
    draw.text((left, QR_TOP + 104), texts.invite_label, font=font(22), fill=GREY)
    draw.text((left, QR_TOP + 132), fit_text(draw, invite_code, font(46), width), font=font(46), fill=RED)
    draw.text((left, QR_TOP + 194), fit_text(draw, texts.footer, font(22), width), font=font(22), fill=GREY)


def poster_draw(*, shop_name: str, avatar: bytes | None, products: Sequence[PosterProduct], share_url: str,
                invite_code: str, texts: PosterTexts) -> bytes:
    """The poster as PNG bytes."""
    initial = (shop_name.strip()[:1] or "·").upper()
    canvas = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    _header(canvas, shop_name=shop_name, avatar=avatar, initial=initial, tagline=texts.tagline)
    _products(canvas, products, initial=initial, empty=texts.empty)
    _qr(canvas, url=share_url, invite_code=invite_code, texts=texts)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
