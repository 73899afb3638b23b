"""A shop's logo and cover picture: checked, resized and re-encoded before anything is written.

An upload must be a real JPEG, PNG or WebP (opened by Pillow, whatever its name says) of at
most 5 MB. It is decoded fully, turned upright, stripped of its metadata (EXIF, GPS) and
cropped to the shape the shop pages show: a 400 px square logo, a 1080 × 480 cover.
"""

from dataclasses import dataclass
from io import BytesIO
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from mall.errors import ImageInvalid, ImageTooLarge

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # bounds the memory a decode may take
LOGO_SIZE = (400, 400)
COVER_SIZE = (1080, 480)
FORMATS = ("JPEG", "PNG", "WEBP")
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                  Image.DecompressionBombError)


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str  # "jpg" or "png"


def _read_bounded(upload: IO[bytes]) -> bytes:
    declared = getattr(upload, "size", None)
    if declared is not None and declared > MAX_IMAGE_BYTES:
        raise ImageTooLarge()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge()
    return data


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(BytesIO(data), formats=list(FORMATS)) as probe:
            image_format = probe.format or ""
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ImageInvalid()
            probe.verify()
        with Image.open(BytesIO(data), formats=[image_format]) as source:
            source.load()
            return ImageOps.exif_transpose(source)
    except _DECODE_ERRORS:
        raise ImageInvalid() from None


def shop_image_clean(*, upload: IO[bytes], kind: str) -> CleanImage:
    """``kind`` is ``"logo"`` or ``"cover"``. Raises ``ImageTooLarge`` / ``ImageInvalid``."""
    image = _decode(_read_bounded(upload))
    size = LOGO_SIZE if kind == "logo" else COVER_SIZE
    keep_alpha = kind == "logo" and image.mode in ("RGBA", "LA", "P") and image.has_transparency_data
    image = ImageOps.fit(image.convert("RGBA" if keep_alpha else "RGB"), size, Image.Resampling.LANCZOS)
    out = BytesIO()
    if keep_alpha:
        image.save(out, "PNG", optimize=True)
        return CleanImage(content=out.getvalue(), extension="png")
    image.save(out, "JPEG", quality=86, optimize=True)
    return CleanImage(content=out.getvalue(), extension="jpg")
