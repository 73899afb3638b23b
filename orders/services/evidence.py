"""Photos attached to an after-sales request (售后凭证): at most 3, checked and cleaned by
``photos.py`` (shared with product reviews) before anything is written."""

from collections.abc import Iterable, Sequence
from typing import IO

from orders.models import MAX_AFTERSALE_PHOTOS, AfterSale, AfterSalePhoto
from orders.services.photos import CleanPhoto, photo_content_type, photo_rows_write, photos_clean
from orders.services.photos import photo_files_delete as _delete

__all__ = ["aftersale_photos_attach", "aftersale_photos_clean", "photo_content_type", "photo_files_delete"]


def aftersale_photos_clean(*, files: Sequence[IO[bytes]]) -> list[CleanPhoto]:
    return photos_clean(files=files, max_count=MAX_AFTERSALE_PHOTOS)


def aftersale_photos_attach(
    *, aftersale: AfterSale, photos: Sequence[CleanPhoto], written: list[str]
) -> list[AfterSalePhoto]:
    """Write the files (their names go to ``written`` at once, for the caller's cleanup) and the rows."""
    def make_row(**fields: int) -> AfterSalePhoto:
        return AfterSalePhoto(aftersale=aftersale, **fields)

    rows = photo_rows_write(photos=photos, make_row=make_row, written=written)
    return AfterSalePhoto.objects.bulk_create(rows)


def photo_files_delete(names: Iterable[str]) -> None:
    _delete(names, storage=AfterSalePhoto._meta.get_field("image").storage)
