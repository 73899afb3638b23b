"""Input and output shapes of the orders API.

Input serializers only check shape (types, lengths); the rules live in the services, whose
domain errors become ``{"code", "detail"}``. Output serializers never expose cost prices.
Money is a string with 2 decimals; images are absolute URLs.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mall.api.serializers import NULLABLE_URL, absolute_media_url
from orders import labels
from orders.api.discount_serializers import DiscountPreviewFields, discount_key_field
from orders.models import AfterSale, AfterSaleKind, AfterSalePhoto, Order, OrderEvent, OrderItem, Refund
from orders.selectors import TABS, AfterSaleOption, CartLine

MAX_QUANTITY = 99
MAX_LINES = 50


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def _first_image(request: Any, product: Any) -> str | None:
    images = list(product.images.all())  # prefetched by the selectors
    return absolute_media_url(request, images[0].image) if images else None


class _ImageMixin:
    @extend_schema_field(NULLABLE_URL)
    def get_image(self, obj: Any) -> str | None:
        product = obj.product if hasattr(obj, "product") else obj.sku.product
        return _first_image(self.context.get("request"), product)


# --- cart ----------------------------------------------------------------------------------


class CartLineSerializer(_ImageMixin, serializers.Serializer):
    sku_id = serializers.IntegerField(source="sku.pk")
    product_id = serializers.IntegerField(source="sku.product_id")
    title = serializers.CharField(source="sku.product.title")
    spec_text = serializers.CharField(source="sku.spec_text")
    specs = serializers.DictField(source="sku.specs", child=serializers.CharField())
    price = money(source="sku.price")
    stock = serializers.IntegerField(source="sku.stock")
    quantity = serializers.IntegerField()
    line_amount = money()
    image = serializers.SerializerMethodField()
    problem = serializers.ChoiceField(
        choices=["", "off_shelf", "insufficient_stock"],
        help_text="Why the line cannot be bought now; empty when it can.",
    )
    can_buy = serializers.BooleanField()


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    subtotal = money(help_text="Of the lines that can be bought now.")
    shipping_fee = money()
    total = money()


def cart_data(lines: list[CartLine], summary: dict, context: dict) -> dict:
    return CartSerializer({"lines": lines, **summary}, context=context).data


class CartItemAddSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class CartItemQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


# --- addresses -----------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receiver = serializers.CharField()
    phone = serializers.CharField(help_text="The member's own address: shown in full.")
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    detail = serializers.CharField()
    full_text = serializers.CharField()
    is_default = serializers.BooleanField()


class AddressInputSerializer(serializers.Serializer):
    receiver = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20, help_text="Mainland mobile number, 11 digits.")
    province = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=20)
    district = serializers.CharField(max_length=20)
    detail = serializers.CharField(max_length=120)
    is_default = serializers.BooleanField(default=False)


# --- checkout ------------------------------------------------------------------------------


class CheckoutLineSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CheckoutPreviewRequestSerializer(serializers.Serializer):
    lines = CheckoutLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    address_id = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Empty: the default address."
    )
    discount_key = discount_key_field(preview=True)


class PricedLineSerializer(_ImageMixin, serializers.Serializer):
    sku_id = serializers.IntegerField(source="sku.pk")
    product_id = serializers.IntegerField(source="sku.product_id")
    title = serializers.CharField(source="sku.product.title")
    spec_text = serializers.CharField(source="sku.spec_text")
    unit_price = money()
    quantity = serializers.IntegerField()
    line_amount = money()
    discount_amount = money()
    paid_amount = money()
    image = serializers.SerializerMethodField()
    problem = serializers.CharField(help_text="Why the line cannot be bought now; empty when it can.")


class CheckoutPreviewSerializer(DiscountPreviewFields):
    lines = PricedLineSerializer(many=True)
    subtotal = money()
    discount_amount = money()
    shipping_fee = money()
    total_amount = money()
    address = AddressSerializer(allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())
    can_submit = serializers.BooleanField(help_text="No problems and an address.")


class OrderCreateSerializer(serializers.Serializer):
    lines = CheckoutLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    address_id = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    from_cart = serializers.BooleanField(
        default=False, help_text="Remove the bought SKUs from the cart (a cart checkout, not buy-now)."
    )
    shop_id = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The shop the shopper came through; empty, unknown or closed: the platform shop.",
    )
    discount_key = discount_key_field(preview=False)
    client_token = serializers.RegexField(
        r"^[A-Za-z0-9_\-:.]{8,64}$", required=False, default="",
        help_text="Idempotency key (or the `Idempotency-Key` header): repeating the request with the "
                  "same key returns the first order instead of creating another.",
    )


class OrderListQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=list(TABS), default="all", required=False)


# --- orders --------------------------------------------------------------------------------


class AfterSaleOptionSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=AfterSaleKind.choices),
        help_text="What may be asked for now; empty when nothing may.",
    )
    max_quantity = serializers.IntegerField()
    max_amount = money(help_text="What the not-yet-refunded units paid: the most a refund can be.")
    has_open = serializers.BooleanField(help_text="An after-sale is in progress on this item.")


class OrderItemSerializer(_ImageMixin, serializers.ModelSerializer):
    title = serializers.CharField(source="product_title")
    spec_text = serializers.CharField(source="sku_spec_text")
    image = serializers.SerializerMethodField()

    class Meta:
        model = OrderItem
        fields = [
            "id", "sku_id", "product_id", "title", "spec_text", "sku_specs", "unit_price", "quantity",
            "line_amount", "discount_amount", "paid_amount", "refunded_quantity", "refunded_amount",
            "image",
        ]  # fmt: skip
        read_only_fields = fields


class OrderItemDetailSerializer(OrderItemSerializer):
    aftersale = serializers.SerializerMethodField()

    class Meta(OrderItemSerializer.Meta):
        fields = [*OrderItemSerializer.Meta.fields, "window_closes_at", "aftersale"]
        read_only_fields = fields

    @extend_schema_field(AfterSaleOptionSerializer)
    def get_aftersale(self, item: OrderItem) -> dict:
        option: AfterSaleOption = self.context["options"][item.pk]
        return AfterSaleOptionSerializer(option).data


class ShopBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    """An order as listed: what a card in 我的订单 shows."""

    state_display = serializers.SerializerMethodField(help_text="The shopper's word: 待付款, 待发货 …")
    shop = ShopBriefSerializer()
    items = OrderItemSerializer(many=True)
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "number", "state", "state_display", "shop", "items", "item_count", "subtotal",
            "discount_amount", "shipping_fee", "total_amount", "created_at", "payment_deadline",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state_display(self, order: Order) -> str:
        return labels.order_state_label(order)

    def get_item_count(self, order: Order) -> int:
        return sum(item.quantity for item in order.items.all())


class AddressSnapshotSerializer(serializers.Serializer):
    receiver = serializers.CharField()
    phone = serializers.CharField(source="masked_receiver_phone", help_text="Masked: `138****8000`.")
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    detail = serializers.CharField(source="address_detail")


class TimelineEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = OrderEvent
        fields = ["kind", "label", "message", "at"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["refund_no", "amount", "state", "created_at", "succeeded_at"]
        read_only_fields = fields


class ReturnAddressSerializer(serializers.Serializer):
    """Where the goods go back: the copy taken when staff approved the return."""

    receiver = serializers.CharField(source="return_receiver")
    phone = serializers.CharField(source="return_phone", help_text="The warehouse's number, in full.")
    province = serializers.CharField(source="return_province")
    city = serializers.CharField(source="return_city")
    district = serializers.CharField(source="return_district")
    detail = serializers.CharField(source="return_address_detail")
    note = serializers.CharField(source="return_note")
    copy_text = serializers.CharField(
        source="return_address_copy_text",
        help_text="Receiver, phone and address in one line, for a copy button.",
    )


class AfterSalePhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="1 to 3, in the order they were attached.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField(
        help_text="GET it with the member's token; only the owner (and staff) may."
    )

    def get_url(self, photo: AfterSalePhoto) -> str:
        path = reverse("api:aftersale-photo", args=[photo.aftersale_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AfterSaleSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    product_title = serializers.CharField(source="order_item.product_title")
    state_display = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    return_address = serializers.SerializerMethodField()
    photos = AfterSalePhotoSerializer(many=True)

    class Meta:
        model = AfterSale
        fields = [
            "id", "order_number", "order_item_id", "product_title", "kind", "state", "state_display",
            "quantity", "amount", "reason", "reject_reason", "return_address", "return_carrier",
            "return_tracking_no", "photos", "created_at", "updated_at", "refund",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReturnAddressSerializer(allow_null=True))
    def get_return_address(self, aftersale: AfterSale) -> dict | None:
        """Set once staff approve a return (退货退款); null before, and for a refund only."""
        return ReturnAddressSerializer(aftersale).data if aftersale.has_return_address else None

    def get_state_display(self, aftersale: AfterSale) -> str:
        return labels.aftersale_state_label(aftersale)

    @extend_schema_field(RefundSerializer(allow_null=True))
    def get_refund(self, aftersale: AfterSale) -> dict | None:
        live = [r for r in aftersale.refunds.all() if r.state != Refund.State.FAILED]
        return RefundSerializer(live[0]).data if live else None


class OrderAfterSaleSerializer(serializers.ModelSerializer):
    state_display = serializers.SerializerMethodField()

    class Meta:
        model = AfterSale
        fields = ["id", "order_item_id", "kind", "state", "state_display", "quantity", "amount", "created_at"]
        read_only_fields = fields

    def get_state_display(self, aftersale: AfterSale) -> str:
        return labels.aftersale_state_label(aftersale)


class OrderDetailSerializer(OrderSerializer):
    items = OrderItemDetailSerializer(many=True)
    state_hint = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    timeline = TimelineEventSerializer(many=True, source="events")
    aftersales = OrderAfterSaleSerializer(many=True)

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields, "state_hint", "note", "address", "carrier", "tracking_no",
            "paid_at", "shipped_at", "received_at", "completed_at", "cancelled_at", "cancel_reason",
            "timeline", "aftersales",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state_hint(self, order: Order) -> str:
        return labels.order_state_hint(order)

    @extend_schema_field(AddressSnapshotSerializer)
    def get_address(self, order: Order) -> dict:
        return AddressSnapshotSerializer(order).data


class CashierSerializer(serializers.Serializer):
    cashier_url = serializers.URLField(help_text="Open it in the web view: the payment provider's cashier.")


class TabCountsSerializer(serializers.Serializer):
    pending_payment = serializers.IntegerField()
    to_ship = serializers.IntegerField()
    to_receive = serializers.IntegerField()
    completed = serializers.IntegerField()
    aftersales = serializers.IntegerField(help_text="Orders with an after-sale in progress.")


# --- after-sales ---------------------------------------------------------------------------


class AfterSaleRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AfterSaleKind.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    reason = serializers.CharField(max_length=200)
    amount = money(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Empty: what the units paid (also the most it may be).",
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        help_text="Send as multipart/form-data: up to 3 JPEG, PNG or WebP pictures, 5 MB each "
        "(`photos_too_many`, `photo_invalid`, `photo_too_large`).",
    )


class ShipBackSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=40)
    tracking_no = serializers.CharField(max_length=40)
