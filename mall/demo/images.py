"""Product pictures and category icons drawn with Pillow: no downloads.

A soft diagonal gradient in the category's colours, a simple icon drawn with Pillow
primitives, and the product's short name when a CJK font is installed (without one the
pictures carry shapes and colour only).
"""

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFont

from common.fonts import cjk_font

Color = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Pen:
    """Where a shape goes: a box of radius ``r`` around (cx, cy), drawn in ``ink`` on ``bg``."""

    d: ImageDraw.ImageDraw
    cx: float
    cy: float
    r: float
    ink: RGBA
    bg: RGBA


Painter = Callable[[Pen], None]


def _rgb(hex_color: str) -> Color:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | None:
    found = cjk_font()
    return ImageFont.truetype(found[0], size, index=found[1]) if found else None


def _gradient(size: int, start: Color, end: Color, *, flip: bool) -> Image.Image:
    vertical = Image.linear_gradient("L").resize((size, size))
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90)
    mask = ImageChops.add(vertical, horizontal, scale=2.0)
    if flip:
        mask = mask.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return Image.composite(Image.new("RGB", (size, size), end), Image.new("RGB", (size, size), start),
                           mask)


# --- shapes ---------------------------------------------------------------------------------


def _heart(p: Pen) -> None:
    d, cx, cy, r, ink = p.d, p.cx, p.cy, p.r, p.ink
    lobe = r * 0.52
    d.ellipse((cx - 2 * lobe, cy - r * 0.6, cx, cy - r * 0.6 + 2 * lobe), fill=ink)
    d.ellipse((cx, cy - r * 0.6, cx + 2 * lobe, cy - r * 0.6 + 2 * lobe), fill=ink)
    d.polygon([(cx - 2 * lobe + r * 0.04, cy + r * 0.02), (cx + 2 * lobe - r * 0.04, cy + r * 0.02),
               (cx, cy + r * 0.95)], fill=ink)


def _drop(p: Pen) -> None:
    d, cx, cy, r, ink, bg = p.d, p.cx, p.cy, p.r, p.ink, p.bg
    body = r * 0.62
    d.ellipse((cx - body, cy + r * 0.3 - body, cx + body, cy + r * 0.3 + body), fill=ink)
    d.polygon([(cx, cy - r), (cx - body * 0.92, cy + r * 0.05), (cx + body * 0.92, cy + r * 0.05)],
              fill=ink)
    d.ellipse((cx - body * 0.45, cy + r * 0.15, cx - body * 0.15, cy + r * 0.45), fill=bg)


def _cookie(p: Pen) -> None:
    d, cx, cy, r, ink, bg = p.d, p.cx, p.cy, p.r, p.ink, p.bg
    d.ellipse((cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9), fill=ink)
    for angle, dist in ((20, 0.45), (110, 0.5), (200, 0.4), (290, 0.55), (0, 0.0)):
        x = cx + math.cos(math.radians(angle)) * r * dist
        y = cy + math.sin(math.radians(angle)) * r * dist
        d.ellipse((x - r * 0.1, y - r * 0.1, x + r * 0.1, y + r * 0.1), fill=bg)


def _leaf(p: Pen) -> None:
    d, cx, cy, r, ink, bg = p.d, p.cx, p.cy, p.r, p.ink, p.bg
    # A lens: two parabolic arcs meeting in points at both ends.
    points = [(x, 0.45 * r * (1 - (x / r) ** 2)) for x in (r * (i / 20 - 1) for i in range(41))]
    points += [(x, -y) for x, y in reversed(points)]
    rot = math.radians(-40)
    leaf = [(cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot))
            for x, y in points]
    d.polygon(leaf, fill=ink)
    d.line([leaf[0], leaf[40]], fill=bg, width=max(2, int(r * 0.06)))


def _house(p: Pen) -> None:
    d, cx, cy, r, ink, bg = p.d, p.cx, p.cy, p.r, p.ink, p.bg
    d.polygon([(cx, cy - r * 0.95), (cx - r, cy - r * 0.05), (cx + r, cy - r * 0.05)], fill=ink)
    d.rectangle((cx - r * 0.72, cy - r * 0.1, cx + r * 0.72, cy + r * 0.85), fill=ink)
    d.rectangle((cx - r * 0.18, cy + r * 0.3, cx + r * 0.18, cy + r * 0.85), fill=bg)


def _shirt(p: Pen) -> None:
    d, cx, cy, r, ink = p.d, p.cx, p.cy, p.r, p.ink
    d.polygon([(cx - r * 0.35, cy - r * 0.85), (cx - r, cy - r * 0.5), (cx - r * 0.75, cy - r * 0.05),
               (cx - r * 0.55, cy - r * 0.2), (cx - r * 0.55, cy + r * 0.9), (cx + r * 0.55, cy + r * 0.9),
               (cx + r * 0.55, cy - r * 0.2), (cx + r * 0.75, cy - r * 0.05), (cx + r, cy - r * 0.5),
               (cx + r * 0.35, cy - r * 0.85), (cx, cy - r * 0.6)], fill=ink)


def _device(p: Pen) -> None:
    d, cx, cy, r, ink, bg = p.d, p.cx, p.cy, p.r, p.ink, p.bg
    d.rounded_rectangle((cx - r * 0.55, cy - r, cx + r * 0.55, cy + r), radius=r * 0.15, fill=ink)
    d.rounded_rectangle((cx - r * 0.45, cy - r * 0.82, cx + r * 0.45, cy + r * 0.65), radius=r * 0.05,
                        fill=bg)
    d.ellipse((cx - r * 0.08, cy + r * 0.75, cx + r * 0.08, cy + r * 0.91), fill=bg)


def _cross(p: Pen) -> None:
    d, cx, cy, r, ink = p.d, p.cx, p.cy, p.r, p.ink
    arm = r * 0.32
    d.rounded_rectangle((cx - arm, cy - r * 0.9, cx + arm, cy + r * 0.9), radius=arm * 0.4, fill=ink)
    d.rounded_rectangle((cx - r * 0.9, cy - arm, cx + r * 0.9, cy + arm), radius=arm * 0.4, fill=ink)


SHAPES: dict[str, Painter] = {
    "heart": _heart, "drop": _drop, "cookie": _cookie, "leaf": _leaf,
    "house": _house, "shirt": _shirt, "device": _device, "cross": _cross,
}


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    else:
        image.save(buffer, fmt, optimize=True)
    return buffer.getvalue()


def _centered_text(d: ImageDraw.ImageDraw, text: str, *, y: float, size: int, font_px: int,
                   fill: Color) -> None:
    font = _font(font_px)
    if font is None or not text:
        return
    width = d.textlength(text, font=font)
    d.text(((size - width) / 2, y), text, font=font, fill=fill)


BUBBLES = (((0.12, 0.18, 0.16), (0.88, 0.3, 0.22), (0.2, 0.92, 0.2)),
           ((0.85, 0.12, 0.14), (0.1, 0.55, 0.18), (0.9, 0.88, 0.24)),
           ((0.5, 0.05, 0.2), (0.05, 0.9, 0.15), (0.95, 0.6, 0.16)))


def draw_product_image(*, label: str, colors: tuple[str, str], ink: str, shape: str, variant: int,
                       size: int = 750, seed: int = 0) -> bytes:
    """A square JPEG. ``variant`` 0 is the cover; 1 a second, differently composed picture.
    ``seed`` varies the background so products of one category don't look identical."""
    start, end = _rgb(colors[0]), _rgb(colors[1])
    ink_rgb = _rgb(ink)
    image = _gradient(size, start, end, flip=(variant + seed) % 2 == 1)
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for i, (x, fy, fr) in enumerate(BUBBLES[seed % len(BUBBLES)]):
        fx = 1 - x if variant == 1 else x
        d.ellipse(((fx - fr) * size, (fy - fr) * size, (fx + fr) * size, (fy + fr) * size),
                  fill=(255, 255, 255, 70 + 20 * i))
    cy, r = (0.42, 0.22) if variant == 0 else (0.36, 0.17)
    d.ellipse(((0.5 - r * 1.45) * size, (cy - r * 1.45) * size, (0.5 + r * 1.45) * size,
               (cy + r * 1.45) * size), fill=(255, 255, 255, 170))
    SHAPES[shape](Pen(d, size * 0.5, size * cy, size * r, (*ink_rgb, 255), (*end, 255)))
    image = Image.alpha_composite(image.convert("RGBA"), layer)
    text = ImageDraw.Draw(image)
    _centered_text(text, label, y=size * (0.74 if variant == 0 else 0.64), size=size,
                   font_px=int(size * 0.1), fill=ink_rgb)
    if variant == 1:
        _centered_text(text, "品质甄选 · 产地直供", y=size * 0.8, size=size, font_px=int(size * 0.05),
                       fill=ink_rgb)
    return _encode(image, "JPEG")


def draw_category_icon(*, colors: tuple[str, str], ink: str, shape: str, size: int = 160) -> bytes:
    """A round PNG icon with a transparent background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.ellipse((0, 0, size - 1, size - 1), fill=(*_rgb(colors[0]), 255), outline=(*_rgb(colors[1]), 255),
              width=max(2, size // 40))
    SHAPES[shape](Pen(d, size / 2, size / 2, size * 0.3, (*_rgb(ink), 255), (*_rgb(colors[0]), 255)))
    return _encode(image, "PNG")
