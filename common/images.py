"""Reading an uploaded picture safely, once for every feature that takes one (shop logos and
covers in ``mall``, after-sales and review photos in ``orders``).

``image_read`` reads at most ``max_bytes`` (``ImageTooBig`` beyond), ``image_open`` opens the
bytes with Pillow as one of the allowed formats whatever the file's name says, refuses more
than ``max_pixels`` before decoding (the memory a decode may take), verifies, decodes fully
and turns the picture upright (``ImageUnreadable`` for anything that is not such a
picture). Each app turns the two exceptions into its own zh-hans domain error and decides
the size and encoding of what it keeps.
"""

from io import BytesIO
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

_DECODE_ERRORS = (
    UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
)


class ImageTooBig(Exception):
    """The upload is larger than the caller allows."""


class ImageUnreadable(Exception):
    """Not a picture of an allowed format, too many pixels, or broken."""


def image_read(upload: IO[bytes], *, max_bytes: int) -> bytes:
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise ImageTooBig()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageTooBig()
    return data


def image_open(
    data: bytes, *, formats: tuple[str, ...], max_pixels: int, draft: tuple[int, int] | None = None
) -> tuple[Image.Image, str]:
    """The decoded, upright picture and its Pillow format (``"JPEG"``, ``"PNG"``…). ``draft``:
    decode a JPEG at a reduced scale of at least that size (less memory and time)."""
    try:
        with Image.open(BytesIO(data), formats=list(formats)) as probe:
            image_format = probe.format or ""
            if probe.width * probe.height > max_pixels:
                raise ImageUnreadable()
            probe.verify()
        with Image.open(BytesIO(data), formats=[image_format]) as source:
            if draft is not None and image_format == "JPEG":
                source.draft("RGB", draft)
            source.load()
            return ImageOps.exif_transpose(source), image_format
    except _DECODE_ERRORS:
        raise ImageUnreadable() from None
