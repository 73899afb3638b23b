"""Delivery addresses. One default per member: the partial unique index enforces it, and
these services keep it true by locking the member's addresses before moving the flag."""

from django.db import transaction

from common.phone import PHONE_RE, normalize_phone
from mall.models import User
from orders.errors import AddressInvalid, AddressNotFound, AddressRegionInvalid
from orders.lock_objects import addresses_lock_for_user
from orders.models import Address
from orders.regions import region_code

LIMITS = {"receiver": 40, "province": 20, "city": 20, "district": 20, "detail": 120}


def _clean(
    *, receiver: str, phone: str, province: str, city: str, district: str, detail: str
) -> dict[str, str]:
    values = {
        "receiver": receiver,
        "province": province,
        "city": city,
        "district": district,
        "detail": detail,
    }
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    if any(not value or len(value) > LIMITS[name] for name, value in cleaned.items()):
        raise AddressInvalid()
    phone = normalize_phone(phone)
    if not PHONE_RE.match(phone):
        raise AddressInvalid()
    cleaned["phone"] = phone
    # Only a real (province, city, district) chain from the offline division data; the
    # street is the only free text.
    code = region_code(province=cleaned["province"], city=cleaned["city"], district=cleaned["district"])
    if code is None:
        raise AddressRegionInvalid()
    cleaned["region_code"] = code
    return cleaned


def _owned(addresses: list[Address], address_id: int) -> Address:
    for address in addresses:
        if address.pk == address_id:
            return address
    raise AddressNotFound()


@transaction.atomic
def address_create(
    *,
    user: User,
    receiver: str,
    phone: str,
    province: str,
    city: str,
    district: str,
    detail: str,
    is_default: bool = False,
) -> Address:
    """Add an address. The member's first address becomes the default."""
    fields = _clean(
        receiver=receiver, phone=phone, province=province, city=city, district=district, detail=detail
    )
    addresses = addresses_lock_for_user(user_id=user.pk)
    make_default = is_default or not addresses
    if make_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(user=user, is_default=make_default, **fields)


@transaction.atomic
def address_update(
    *,
    user: User,
    address_id: int,
    receiver: str,
    phone: str,
    province: str,
    city: str,
    district: str,
    detail: str,
) -> Address:
    fields = _clean(
        receiver=receiver, phone=phone, province=province, city=city, district=district, detail=detail
    )
    address = _owned(addresses_lock_for_user(user_id=user.pk), address_id)
    for name, value in fields.items():
        setattr(address, name, value)
    address.save(update_fields=[*fields, "updated_at"])
    return address


@transaction.atomic
def address_set_default(*, user: User, address_id: int) -> Address:
    address = _owned(addresses_lock_for_user(user_id=user.pk), address_id)
    Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Delete an address; if it was the default, the most recently used other one takes over.
    Orders keep their own copy of the address, so deleting never changes an order."""
    addresses = addresses_lock_for_user(user_id=user.pk)
    address = _owned(addresses, address_id)
    address.delete()
    if address.is_default:
        successor = Address.objects.filter(user=user).order_by("-updated_at", "-pk").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default", "updated_at"])
