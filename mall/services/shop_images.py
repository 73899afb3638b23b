"""A shop's logo and cover picture: checked, resized and re-encoded before anything is written.

An upload must be a real JPEG, PNG or WebP (opened by Pillow, whatever its name says) of at
most 5 MB. It is decoded fully, turned upright, stripped of its metadata (EXIF, GPS) and
cropped to the shape the shop pages show: a 400 px square logo, a 1080 × 480 cover.
"""

from dataclasses import dataclass
from io import BytesIO
from typing import IO

from PIL import Image, ImageOps

from common.images import ImageTooBig, ImageUnreadable, image_open, image_read
from mall.errors import ImageInvalid, ImageTooLarge

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # bounds the memory a decode may take
LOGO_SIZE = (400, 400)
COVER_SIZE = (1080, 480)
FORMATS = ("JPEG", "PNG", "WEBP")


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str  # "jpg" or "png"


def shop_image_clean(*, upload: IO[bytes], kind: str) -> CleanImage:
    """``kind`` is ``"logo"`` or ``"cover"``. Raises ``ImageTooLarge`` / ``ImageInvalid``."""
    try:
        image, _format = image_open(image_read(upload, max_bytes=MAX_IMAGE_BYTES), formats=FORMATS,
                                    max_pixels=MAX_IMAGE_PIXELS)
    except ImageTooBig:
        raise ImageTooLarge() from None
    except ImageUnreadable:
        raise ImageInvalid() from None
    size = LOGO_SIZE if kind == "logo" else COVER_SIZE
    keep_alpha = kind == "logo" and image.mode in ("RGBA", "LA", "P") and image.has_transparency_data
    image = ImageOps.fit(image.convert("RGBA" if keep_alpha else "RGB"), size, Image.Resampling.LANCZOS)
    out = BytesIO()
    if keep_alpha:
        image.save(out, "PNG", optimize=True)
        return CleanImage(content=out.getvalue(), extension="png")
    image.save(out, "JPEG", quality=86, optimize=True)
    return CleanImage(content=out.getvalue(), extension="jpg")
