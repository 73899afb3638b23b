"""Shoppers' photo uploads, checked and cleaned once for every feature that takes them:
after-sales evidence (``evidence.py``) and product reviews (``review.py``).

Each upload is read (at most 5 MB), opened by Pillow as JPEG, PNG or WebP (whatever its
name says), fully decoded, and re-encoded in the same format without its metadata (EXIF,
GPS), turned upright and at most 2048 px on a side. All of it happens before anything is
written, so a refused request leaves no row and no file; the callers write the files last,
under random names (``photo_rows_write``), and delete them again (``photo_files_delete``)
if the transaction fails after all.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import Model
from PIL import Image

from common.images import ImageTooBig, ImageUnreadable, image_open, image_read
from orders.errors import PhotoInvalid, PhotosTooMany, PhotoTooLarge

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 50_000_000  # bounds the memory a decode may take; phone photos are ≤ 48 MP
MAX_SIDE = 2048
# Pillow format → (file extension, encoder options).
FORMATS: dict[str, tuple[str, dict[str, Any]]] = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 85}),
}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str
    width: int
    height: int


def _display_name(upload: IO[bytes]) -> str:
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:40] or "?"


def _without_metadata(image: Image.Image, image_format: str) -> Image.Image:
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    return image


def _reencode(upload: IO[bytes], name: str) -> CleanPhoto:
    try:
        data = image_read(upload, max_bytes=MAX_PHOTO_BYTES)
        source, image_format = image_open(data, formats=tuple(FORMATS), max_pixels=MAX_PHOTO_PIXELS,
                                          draft=(MAX_SIDE, MAX_SIDE))
    except ImageTooBig:
        raise PhotoTooLarge.named(name) from None
    except ImageUnreadable:
        raise PhotoInvalid.named(name) from None
    image = _without_metadata(source, image_format)
    extension, options = FORMATS[image_format]
    out = BytesIO()
    try:
        image.save(out, image_format, **options)
    except (OSError, ValueError):
        raise PhotoInvalid.named(name) from None
    return CleanPhoto(content=out.getvalue(), extension=extension, width=image.width, height=image.height)


def photos_clean(*, files: Sequence[IO[bytes]], max_count: int) -> list[CleanPhoto]:
    """Check and re-encode the uploads; raise (having written nothing) on the first bad one."""
    files = [f for f in files if f is not None]
    if len(files) > max_count:
        raise PhotosTooMany()
    cleaned = []
    for upload in files:
        name = _display_name(upload)
        cleaned.append(_reencode(upload, name))
    return cleaned


def photo_rows_write(
    *, photos: Sequence[CleanPhoto], make_row: Callable[..., Model], written: list[str]
) -> list[Model]:
    """Build one unsaved row per photo with ``make_row(position=, width=, height=, size=)``,
    write its file to the row's ``image`` (the name goes to ``written`` at once, for the
    caller's cleanup) and return the rows for one ``bulk_create``."""
    rows = []
    for position, photo in enumerate(photos, start=1):
        row = make_row(position=position, width=photo.width, height=photo.height, size=len(photo.content))
        row.image.save(f"photo.{photo.extension}", ContentFile(photo.content), save=False)
        written.append(row.image.name)
        rows.append(row)
    return rows


def photo_files_delete(names: Iterable[str], *, storage: Storage) -> None:
    for name in names:
        storage.delete(name)


def photo_content_type(photo: Model) -> str:
    return CONTENT_TYPES.get(photo.image.name.rsplit(".", 1)[-1], "application/octet-stream")
