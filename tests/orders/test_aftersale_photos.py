"""Photos on an after-sales request (售后凭证): up to 3 real JPEG/PNG/WebP pictures of at
most 5 MB, re-encoded without metadata, seen only by their owner and by staff."""

import os
import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.errors import AfterSaleAlreadyOpen, PhotoInvalid, PhotosTooMany, PhotoTooLarge
from orders.models import AfterSale, AfterSalePhoto, OrderEvent
from orders.services import aftersale as aftersale_services
from orders.services.aftersale import aftersale_request
from orders.services.fulfilment import order_confirm_receipt, order_ship
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import AddressFactory, pay, place_order

pytestmark = pytest.mark.django_db
RANDOM_NAME = re.compile(r"^aftersales/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def picture(name="photo.jpg", fmt="JPEG", size=(120, 90), color=(200, 40, 40), **options):
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def six_megabyte_png() -> SimpleUploadedFile:
    """Noise does not compress: a 1600×1400 PNG of it weighs a little over 6 MB."""
    buffer = BytesIO()
    Image.frombytes("RGB", (1600, 1400), os.urandom(1600 * 1400 * 3)).save(buffer, "PNG")
    data = buffer.getvalue()
    assert 6 * 1024 * 1024 < len(data) < 7 * 1024 * 1024
    return SimpleUploadedFile("big.png", data, content_type="image/png")


def received_order(user):
    address = user.addresses.first() or AddressFactory(user=user)
    sku = SKUFactory(price=Decimal("10.00"), stock=10)
    order = pay(place_order(user=user, address=address, lines=[(sku, 1)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    return order_confirm_receipt(order=order, actor=user)


def form_url(order) -> str:
    return f"/orders/{order.number}/items/{order.items.get().pk}/aftersale/"


def form_data(photos) -> dict:
    return {"kind": "return_and_refund", "quantity": 1, "amount": "", "reason": "商品破损", "photos": photos}


def nothing_created(media: Path) -> bool:
    rows = AfterSale.objects.exists() or AfterSalePhoto.objects.exists()
    return not rows and stored_files(media) == []


# --- the H5 form -----------------------------------------------------------------------------


def test_three_photos_are_accepted_re_encoded_and_stored_under_random_names(client, media):
    user = UserFactory()
    client.force_login(user)
    order = received_order(user)
    photos = [
        picture("a.jpg"),
        picture("b.png", "PNG", size=(64, 64)),
        picture("c.webp", "WEBP", size=(3000, 1500)),  # scaled to 2048 px wide
    ]

    response = client.post(form_url(order), form_data(photos))

    aftersale = AfterSale.objects.get()
    assert response["Location"] == f"/aftersales/{aftersale.pk}/"
    rows = list(aftersale.photos.order_by("position"))
    assert [(p.position, p.width, p.height) for p in rows] == [(1, 120, 90), (2, 64, 64), (3, 2048, 1024)]
    assert [p.image.name.rsplit(".", 1)[1] for p in rows] == ["jpg", "png", "webp"]
    assert all(RANDOM_NAME.match(p.image.name) for p in rows)
    assert len({p.image.name for p in rows}) == 3
    assert stored_files(media) == sorted(media / p.image.name for p in rows)
    assert [p.size for p in rows] == [(media / p.image.name).stat().st_size for p in rows]
    page = client.get(f"/aftersales/{aftersale.pk}/").content.decode()
    assert page.count('data-testid="aftersale-photo"') == 3
    for photo in rows:
        assert f'src="/aftersales/{aftersale.pk}/photos/{photo.pk}/"' in page


def test_a_fourth_photo_is_refused_and_nothing_is_created(client, media):
    user = UserFactory()
    client.force_login(user)
    order = received_order(user)

    response = client.post(form_url(order), form_data([picture(f"{n}.jpg") for n in range(4)]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"photos": ["最多上传 3 张图片。"]}
    assert nothing_created(media)
    assert not OrderEvent.objects.filter(kind="aftersale_requested").exists()


def test_a_file_that_is_not_a_picture_renamed_jpg_is_refused(client, media):
    user = UserFactory()
    client.force_login(user)
    order = received_order(user)
    fake = SimpleUploadedFile("发票.jpg", b"%PDF-1.4 not a picture at all" * 50, content_type="image/jpeg")

    response = client.post(form_url(order), form_data([picture("ok.jpg"), fake]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"photos": ["发票.jpg 不是 JPEG、PNG 或 WebP 图片。"]}
    assert nothing_created(media)


def test_a_six_megabyte_picture_is_refused(client, media):
    user = UserFactory()
    client.force_login(user)
    order = received_order(user)

    response = client.post(form_url(order), form_data([six_megabyte_png()]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"photos": ["big.png 超过 5 MB。"]}
    assert nothing_created(media)


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (lambda: picture("anim.gif", "GIF"), PhotoInvalid),  # a real picture, but not an allowed type
        (lambda: SimpleUploadedFile("cut.png", picture("x.png", "PNG").read()[:200]), PhotoInvalid),
        (lambda: SimpleUploadedFile("empty.jpg", b""), PhotoInvalid),
        (six_megabyte_png, PhotoTooLarge),
    ],
)
def test_the_service_refuses_bad_pictures_before_writing_anything(upload, error, media):
    user = UserFactory()
    order = received_order(user)

    with pytest.raises(error):
        aftersale_request(
            user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
            photos=[upload()],
        )  # fmt: skip

    assert nothing_created(media)


def test_more_than_three_photos_are_refused_by_the_service_too(media):
    user = UserFactory()
    order = received_order(user)

    with pytest.raises(PhotosTooMany):
        aftersale_request(
            user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
            photos=[picture() for _ in range(4)],
        )  # fmt: skip

    assert nothing_created(media)


def test_a_refusal_for_another_reason_leaves_no_photo_behind(media):
    user = UserFactory()
    order = received_order(user)
    item_id = order.items.get().pk
    aftersale_request(user=user, order_item_id=item_id, kind="refund_only", quantity=1, reason="破损")

    with pytest.raises(AfterSaleAlreadyOpen):
        aftersale_request(
            user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
            photos=[picture()],
        )  # fmt: skip

    assert AfterSale.objects.count() == 1
    assert not AfterSalePhoto.objects.exists() and stored_files(media) == []


def test_files_written_before_a_failure_in_the_transaction_are_deleted(monkeypatch, media):
    user = UserFactory()
    order = received_order(user)
    attach = aftersale_services.aftersale_photos_attach

    def attach_then_fail(**kwargs):
        attach(**kwargs)
        assert len(stored_files(media)) == 2
        raise RuntimeError("the database went away")

    monkeypatch.setattr(aftersale_services, "aftersale_photos_attach", attach_then_fail)

    with pytest.raises(RuntimeError):
        aftersale_request(
            user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
            photos=[picture(), picture("b.png", "PNG")],
        )  # fmt: skip

    assert nothing_created(media)


def test_metadata_is_stripped_and_the_photo_turned_upright(media):
    user = UserFactory()
    order = received_order(user)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "Quanzi Phone"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # a GPS IFD

    aftersale = aftersale_request(
        user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
        photos=[picture("gps.jpg", size=(200, 100), exif=exif.tobytes())],
    )  # fmt: skip

    photo = aftersale.photos.get()
    with Image.open(media / photo.image.name) as stored:
        assert (stored.format, stored.size) == ("JPEG", (100, 200))
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    assert (photo.width, photo.height) == (100, 200)


# --- who may see them ----------------------------------------------------------------------------


def _with_photo(user) -> tuple[AfterSale, AfterSalePhoto]:
    order = received_order(user)
    aftersale = aftersale_request(
        user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损",
        photos=[picture()],
    )  # fmt: skip
    return aftersale, aftersale.photos.get()


def test_the_owner_gets_the_photo_and_another_member_gets_404(client):
    owner, other = UserFactory(), UserFactory()
    aftersale, photo = _with_photo(owner)
    url = f"/aftersales/{aftersale.pk}/photos/{photo.pk}/"

    client.force_login(other)
    theirs = client.get(url)
    their_page = client.get(f"/aftersales/{aftersale.pk}/")
    client.force_login(owner)
    mine = client.get(url)

    assert (theirs.status_code, their_page.status_code) == (404, 404)
    assert (mine.status_code, mine["Content-Type"], mine["Cache-Control"]) == (
        200, "image/jpeg", "private, max-age=3600",
    )  # fmt: skip
    assert b"".join(mine.streaming_content) == (Path(photo.image.path)).read_bytes()


def test_a_visitor_is_sent_to_sign_in_for_a_photo(client):
    aftersale, photo = _with_photo(UserFactory())

    response = client.get(f"/aftersales/{aftersale.pk}/photos/{photo.pk}/")

    assert response.status_code == 302 and response["Location"].startswith("/signin/")


def test_a_photo_id_under_another_aftersale_is_404_even_for_its_owner(client):
    owner = UserFactory()
    first, _ = _with_photo(owner)
    _, second_photo = _with_photo(owner)
    client.force_login(owner)

    assert client.get(f"/aftersales/{first.pk}/photos/{second_photo.pk}/").status_code == 404


def test_staff_review_shows_the_photos_as_thumbnails(client):
    aftersale, photo = _with_photo(UserFactory())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(f"/admin/orders/aftersale/{aftersale.pk}/change/").content.decode()
    image = client.get(f"/aftersales/{aftersale.pk}/photos/{photo.pk}/")

    assert "售后图片" in page
    assert (
        f'<a href="/aftersales/{aftersale.pk}/photos/{photo.pk}/" target="_blank" rel="noopener">'
        f'<img src="/aftersales/{aftersale.pk}/photos/{photo.pk}/" alt="" class="aftersale-photo"'
    ) in page
    assert (image.status_code, image["Content-Type"]) == (200, "image/jpeg")


def test_staff_without_the_aftersale_permission_get_404(client):
    aftersale, photo = _with_photo(UserFactory())
    client.force_login(UserFactory(is_staff=True))

    assert client.get(f"/aftersales/{aftersale.pk}/photos/{photo.pk}/").status_code == 404


# --- the API ----------------------------------------------------------------------------------


def api_client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_api_takes_photos_as_multipart_and_lists_them(media):
    user = UserFactory()
    api = api_client(user)
    order = received_order(user)

    response = api.post(
        f"/api/v1/orders/{order.number}/items/{order.items.get().pk}/aftersales/",
        {
            "kind": "refund_only",
            "quantity": 1,
            "reason": "商品破损",
            "photos": [picture(), picture("b.png", "PNG")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    aftersale = AfterSale.objects.get()
    photos = list(aftersale.photos.order_by("position"))
    assert response.json()["photos"] == [
        {"id": p.pk, "position": p.position, "width": 120, "height": 90,
         "url": f"http://testserver/api/v1/aftersales/{aftersale.pk}/photos/{p.pk}/"}
        for p in photos
    ]  # fmt: skip
    got = api.get(f"/api/v1/aftersales/{aftersale.pk}/photos/{photos[1].pk}/")
    assert (got.status_code, got["Content-Type"]) == (200, "image/png")
    theirs = api_client(UserFactory()).get(f"/api/v1/aftersales/{aftersale.pk}/photos/{photos[1].pk}/")
    assert (theirs.status_code, theirs.json()) == (404, {"code": "photo_not_found", "detail": "图片不存在。"})


@pytest.mark.parametrize(
    ("photos", "code", "detail"),
    [
        (lambda: [picture() for _ in range(4)], "photos_too_many", "最多上传 3 张图片。"),
        (
            lambda: [SimpleUploadedFile("x.jpg", b"GIF89a nope")],
            "photo_invalid",
            "x.jpg 不是 JPEG、PNG 或 WebP 图片。",
        ),
        (lambda: [six_megabyte_png()], "photo_too_large", "big.png 超过 5 MB。"),
    ],
)
def test_the_api_refuses_bad_photos_and_creates_nothing(photos, code, detail, media):
    user = UserFactory()
    order = received_order(user)

    response = api_client(user).post(
        f"/api/v1/orders/{order.number}/items/{order.items.get().pk}/aftersales/",
        {"kind": "refund_only", "quantity": 1, "reason": "商品破损", "photos": photos()},
        format="multipart",
    )

    assert (response.status_code, response.json()) == (400, {"code": code, "detail": detail})
    assert nothing_created(media)


def test_a_json_request_without_photos_still_works(media):
    user = UserFactory()
    order = received_order(user)

    response = api_client(user).post(
        f"/api/v1/orders/{order.number}/items/{order.items.get().pk}/aftersales/",
        {"kind": "refund_only", "quantity": 1, "reason": "商品破损"},
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["photos"], body["return_address"]) == (201, [], None)
