"""Return addresses (退货地址): which one an item goes back to, and the staff edits that
keep exactly one platform default.

The partial unique index allows at most one default; these services make sure there is
one as soon as a platform address exists: the first one becomes the default, the mark
only moves (under the default's row lock) and the default cannot be deleted.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orders.errors import ReturnAddressDefaultRequired, ReturnAddressInvalid
from orders.lock_objects import return_address_default_lock, return_address_lock
from orders.models import OrderItem, ReturnAddress


def return_address_for_item(*, order_item: OrderItem) -> ReturnAddress | None:
    """The address of the item's supplier, else the platform default (one query)."""
    candidates = list(
        ReturnAddress.objects.filter(
            Q(supplier__products=order_item.product_id) | Q(is_platform_default=True)
        )
    )
    own = next((address for address in candidates if address.supplier_id is not None), None)
    return own or next((address for address in candidates if address.is_platform_default), None)


def return_address_snapshot(address: ReturnAddress) -> dict[str, str]:
    """The after-sale's copy of ``address`` (its ``return_*`` fields)."""
    return {
        "return_receiver": address.receiver,
        "return_phone": address.phone,
        "return_province": address.province,
        "return_city": address.city,
        "return_district": address.district,
        "return_address_detail": address.detail,
        "return_note": address.note,
    }


@transaction.atomic
def return_address_save(*, address: ReturnAddress) -> ReturnAddress:
    """Create or update an address. The first platform address becomes the default; the
    default stays a platform address."""
    current = return_address_default_lock()
    if address.supplier_id is not None and (
        address.is_platform_default or (current is not None and current.pk == address.pk)
    ):
        raise ReturnAddressInvalid()
    if current is None and address.supplier_id is None:
        address.is_platform_default = True
    address.save()
    return address


@transaction.atomic
def return_address_make_default(*, address_id: int) -> ReturnAddress:
    """Move the platform-default mark to a platform address (idempotent)."""
    current = return_address_default_lock()
    address = return_address_lock(address_id=address_id)
    if address is None or address.supplier_id is not None:
        raise ReturnAddressInvalid()
    if current is not None and current.pk == address.pk:
        return address
    now = timezone.now()
    if current is not None:
        ReturnAddress.objects.filter(pk=current.pk).update(is_platform_default=False, updated_at=now)
    ReturnAddress.objects.filter(pk=address.pk).update(is_platform_default=True, updated_at=now)
    address.is_platform_default, address.updated_at = True, now
    return address


@transaction.atomic
def return_address_delete(*, address_id: int) -> None:
    """Delete an address; the platform default cannot go while it is the default."""
    current = return_address_default_lock()
    if current is not None and current.pk == address_id:
        raise ReturnAddressDefaultRequired()
    ReturnAddress.objects.filter(pk=address_id).delete()
