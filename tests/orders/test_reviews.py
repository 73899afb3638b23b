"""口碑: a buyer reviews an order item once, after receipt, 1–5 stars, text and ≤ 3 photos;
the product page shows the average, the count and the latest visible reviews; staff hide a
review with a reason, and each decision is kept."""

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from orders.errors import (
    OrderItemNotFound,
    PhotoInvalid,
    PhotosTooMany,
    PhotoTooLarge,
    ReviewExists,
    ReviewNotAllowed,
    ReviewRatingInvalid,
    ReviewReasonRequired,
    ReviewStateChanged,
    ReviewTextTooLong,
)
from orders.models import Order, OrderState, Review, ReviewModeration, ReviewPhoto
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.review import review_create, review_hide, review_unhide
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory
from tests.orders.factories import AddressFactory, pay, place_order

pytestmark = pytest.mark.django_db
RANDOM_NAME = re.compile(r"^reviews/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def picture(name="photo.jpg", fmt="JPEG", size=(120, 90)):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def order_in(state: str, user=None, product=None) -> Order:
    user = user or UserFactory()
    sku = SKUFactory(price=Decimal("10.00"), stock=10, **({"product": product} if product else {}))
    order = place_order(user=user, address=AddressFactory(user=user), lines=[(sku, 1)])
    if state == OrderState.PENDING_PAYMENT:
        return order
    order = pay(order)
    if state == OrderState.PAID:
        return order
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    if state == OrderState.SHIPPED:
        order.refresh_from_db()
        return order
    order = order_confirm_receipt(order=order, actor=user)
    if state == OrderState.COMPLETED:
        Order.objects.filter(pk=order.pk).update(state=OrderState.COMPLETED)
        order.refresh_from_db()
    return order


def review(order, rating=5, text="很好", photos=()):
    return review_create(user=order.user, order_item_id=order.items.get().pk, rating=rating, text=text,
                         photos=photos)


# --- the rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", [OrderState.RECEIVED, OrderState.COMPLETED])
def test_a_received_item_is_reviewed_with_text_and_photos(state, media):
    order = order_in(state)

    saved = review(order, rating=4, text="  手感很好，物流快  ", photos=[picture(), picture("b.png", "PNG")])

    product_id = order.items.get().product_id
    assert (saved.rating, saved.text, saved.product_id) == (4, "手感很好，物流快", product_id)
    photos = list(saved.photos.order_by("position"))
    assert [p.position for p in photos] == [1, 2]
    assert all(RANDOM_NAME.match(p.image.name) for p in photos)
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize("state", [OrderState.PENDING_PAYMENT, OrderState.PAID, OrderState.SHIPPED])
def test_before_receipt_is_refused(state, media):
    order = order_in(state)

    with pytest.raises(ReviewNotAllowed) as refused:
        review(order, photos=[picture()])

    assert str(refused.value.message) == "确认收货后才能评价商品。"
    assert not Review.objects.exists() and stored_files(media) == []


def test_a_cancelled_order_cannot_be_reviewed():
    order = order_in(OrderState.PENDING_PAYMENT)
    Order.objects.filter(pk=order.pk).update(state=OrderState.CANCELLED)

    with pytest.raises(ReviewNotAllowed):
        review(order)


def test_once_per_item(media):
    order = order_in(OrderState.RECEIVED)
    review(order)

    with pytest.raises(ReviewExists) as refused:
        review(order, rating=1, text="改主意了", photos=[picture()])

    assert str(refused.value.message) == "您已评价过该商品。"
    assert list(Review.objects.values_list("rating", "text")) == [(5, "很好")]
    assert stored_files(media) == []


@pytest.mark.parametrize("rating", [0, 6, -1, "x", None, "4.5"])
def test_the_rating_is_1_to_5(rating):
    order = order_in(OrderState.RECEIVED)

    with pytest.raises(ReviewRatingInvalid) as refused:
        review(order, rating=rating)

    assert str(refused.value.message) == "请给商品打 1 到 5 星。"
    assert not Review.objects.exists()


def test_text_is_at_most_500_characters():
    order = order_in(OrderState.RECEIVED)

    with pytest.raises(ReviewTextTooLong):
        review(order, text="好" * 501)
    assert review(order, text="好" * 500).text == "好" * 500


@pytest.mark.parametrize(("files", "error", "message"), [
    (lambda: [picture(f"{i}.jpg") for i in range(4)], PhotosTooMany, "最多上传 3 张图片。"),
    (lambda: [picture(), SimpleUploadedFile("fake.jpg", b"not an image at all", "image/jpeg")],
     PhotoInvalid, None),
    (lambda: [SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024), "image/jpeg")],
     PhotoTooLarge, None),
])
def test_bad_photos_change_nothing(files, error, message, media):
    order = order_in(OrderState.RECEIVED)

    with pytest.raises(error) as refused:
        review(order, photos=files())

    if message:
        assert str(refused.value.message) == message
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()
    assert stored_files(media) == []


def test_a_big_photo_is_shrunk_to_2048_px():
    order = order_in(OrderState.RECEIVED)

    saved = review(order, photos=[picture(size=(4000, 1000))])

    assert (saved.photos.get().width, saved.photos.get().height) == (2048, 512)


def test_someone_elses_item_is_not_found():
    order = order_in(OrderState.RECEIVED)

    with pytest.raises(OrderItemNotFound):
        review_create(user=UserFactory(), order_item_id=order.items.get().pk, rating=5)
    assert not Review.objects.exists()


# --- the pages ------------------------------------------------------------------------------


def form_url(order) -> str:
    return reverse("orders:review_new", args=[order.number, order.items.get().pk])


def test_the_order_page_offers_a_review_then_says_reviewed(client):
    order = order_in(OrderState.RECEIVED)
    client.force_login(order.user)
    detail = reverse("orders:detail", args=[order.number])
    assert form_url(order) in client.get(detail).content.decode()

    data = {"rating": "5", "text": "推荐", "photos": [picture()]}
    response = client.post(form_url(order), data, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == detail
    assert "感谢您的评价" in page and 'data-testid="item-reviewed"' in page and form_url(order) not in page
    assert Review.objects.get().photos.count() == 1


def test_the_form_refuses_bad_input_in_chinese_and_saves_nothing(client, media):
    order = order_in(OrderState.RECEIVED)
    client.force_login(order.user)

    no_stars = client.post(form_url(order), {"text": "推荐"})
    not_image = client.post(form_url(order), {"rating": "5", "photos": [SimpleUploadedFile("a.jpg", b"x")]})

    assert "请给商品打 1 到 5 星" in no_stars.content.decode()
    assert "不是 JPEG、PNG 或 WebP 图片" in not_image.content.decode()
    assert not Review.objects.exists() and stored_files(media) == []


def test_the_form_of_an_unreceived_order_goes_back_with_a_message(client):
    order = order_in(OrderState.SHIPPED)
    client.force_login(order.user)

    response = client.post(form_url(order), {"rating": "5"}, follow=True)

    assert "确认收货后才能评价商品" in response.content.decode()
    assert not Review.objects.exists()


def test_another_members_item_is_a_404(client):
    order = order_in(OrderState.RECEIVED)
    client.force_login(UserFactory())

    assert client.get(form_url(order)).status_code == 404


def test_the_product_page_shows_average_count_and_recent_visible_reviews(client):
    product = ProductFactory(title="手冲咖啡豆")
    staff = UserFactory(is_staff=True)
    texts = {5: "香气足", 4: "还不错", 3: "一般般", 1: "广告"}
    for rating, text in texts.items():
        review(order_in(OrderState.RECEIVED, product=product), rating=rating, text=text)
    hidden = Review.objects.get(text="广告")
    review_hide(review_id=hidden.pk, actor=staff, reason="广告内容")

    page = client.get(reverse("mall:product", args=[product.pk])).content.decode()

    assert re.search(r'data-testid="review-count">\(3\)', page)
    assert re.search(r'data-testid="review-average">4\.0<', page)
    assert re.findall(r'data-testid="review-text">([^<]*)<', page) == ["一般般", "还不错", "香气足"]
    assert "广告" not in page
    listing = client.get(reverse("orders:product_reviews", args=[product.pk])).content.decode()
    assert "香气足" in listing and "广告" not in listing


def test_a_product_without_reviews_says_so(client):
    product = SKUFactory().product

    page = client.get(reverse("mall:product", args=[product.pk])).content.decode()

    assert 'data-testid="reviews-empty"' in page and "暂无评价" in page


def test_reviewer_names_show_one_character_and_never_the_phone(client):
    user = UserFactory(nickname="王小明", phone="13912345678")
    order = order_in(OrderState.RECEIVED, user=user)
    review(order)

    page = client.get(reverse("mall:product", args=[order.items.get().product_id])).content.decode()

    assert "王**" in page and "小明" not in page and "5678" not in page


def test_the_product_page_reads_reviews_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    product = ProductFactory()
    for _ in range(6):
        review(order_in(OrderState.RECEIVED, product=product), photos=[picture()])
    url = reverse("mall:product", args=[product.pk])
    client.get(url)  # warm caches (shipping rule, content types)

    with django_assert_max_num_queries(12):
        client.get(url)


def test_hidden_review_photos_are_served_only_to_the_author_and_staff(client, django_user_model):
    order = order_in(OrderState.RECEIVED)
    photo = review(order, photos=[picture()]).photos.get()
    url = reverse("orders:review_photo", args=[photo.pk])
    assert client.get(url).status_code == 200  # public while visible

    staff = UserFactory(is_staff=True, is_superuser=True)
    review_hide(review_id=photo.review_id, actor=staff, reason="图片不雅")

    assert client.get(url).status_code == 404
    client.force_login(order.user)
    assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(url).status_code == 200


# --- moderation ----------------------------------------------------------------------------


def test_hiding_needs_a_reason_and_keeps_who_when_why():
    saved = review(order_in(OrderState.RECEIVED))
    staff = UserFactory(is_staff=True)

    with pytest.raises(ReviewReasonRequired):
        review_hide(review_id=saved.pk, actor=staff, reason="  ")
    assert not Review.objects.get().is_hidden

    hidden = review_hide(review_id=saved.pk, actor=staff, reason="含广告")
    assert (hidden.is_hidden, hidden.hidden_reason, hidden.hidden_by_id) == (True, "含广告", staff.pk)
    assert hidden.hidden_at is not None
    with pytest.raises(ReviewStateChanged):
        review_hide(review_id=saved.pk, actor=staff, reason="再次")

    shown = review_unhide(review_id=saved.pk, actor=staff, reason="误判")
    assert (shown.is_hidden, shown.hidden_reason) == (False, "")
    assert list(ReviewModeration.objects.values_list("action", "reason", "actor_id")) == [
        ("hide", "含广告", staff.pk), ("unhide", "误判", staff.pk),
    ]


def test_staff_hide_a_review_in_the_admin_with_a_reason(client):
    saved = review(order_in(OrderState.RECEIVED))
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    changelist = reverse("admin:orders_review_changelist")

    form = client.post(changelist, {"action": "hide_reviews", "_selected_action": [saved.pk]})
    assert form.status_code == 200 and "reason" in form.content.decode()
    refused = client.post(changelist, {"action": "hide_reviews", "_selected_action": [saved.pk], "apply": "1",
                                       "reason": ""})
    assert refused.status_code == 200 and not Review.objects.get().is_hidden

    client.post(changelist, {"action": "hide_reviews", "_selected_action": [saved.pk], "apply": "1",
                             "reason": "刷单评价"})

    saved.refresh_from_db()
    assert (saved.is_hidden, saved.hidden_reason, saved.hidden_by_id) == (True, "刷单评价", staff.pk)
    page = client.get(reverse("admin:orders_review_change", args=[saved.pk])).content.decode()
    assert "刷单评价" in page


def test_staff_without_the_permission_cannot_hide(client):
    saved = review(order_in(OrderState.RECEIVED))
    client.force_login(UserFactory(is_staff=True))  # no orders.change_review

    client.post(reverse("admin:orders_review_changelist"),
                {"action": "hide_reviews", "_selected_action": [saved.pk], "apply": "1", "reason": "x"})

    assert not Review.objects.get().is_hidden
