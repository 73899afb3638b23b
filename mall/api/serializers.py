"""Input and output shapes of the mall API.

Input serializers only validate and parse; the views hand ``validated_data`` to services and
selectors. Output serializers never expose supplier or cost data. Money is a string with 2
decimals (DRF ``DecimalField``), image URLs are absolute so the mini-program can load them.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mall.models import Category, PhoneCode, Product, Shop, ShopProduct, User

MAX_REORDER_IDS = 1000
NULLABLE_URL = serializers.URLField(allow_null=True, help_text="Absolute URL, or null when unset.")


def absolute_media_url(request: Any, file: FieldFile | None) -> str | None:
    if not file:
        return None
    url = file.url
    return request.build_absolute_uri(url) if request is not None else url


class _MediaURLMixin:
    def media_url(self, file: FieldFile | None) -> str | None:
        return absolute_media_url(self.context.get("request"), file)


# --- accounts -----------------------------------------------------------------------------


class SMSCodeRequestSerializer(serializers.Serializer):
    # The phone is checked by the service, which answers with the `invalid_phone` code.
    phone = serializers.CharField(max_length=64)
    purpose = serializers.ChoiceField(choices=PhoneCode.Purpose.choices, default=PhoneCode.Purpose.SIGNUP)


class SMSCodeSentSerializer(serializers.Serializer):
    sent = serializers.BooleanField()


class SignupSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=64)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                 help_text="SMS code from `auth/sms-codes/` (purpose `signup`).")
    nickname = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    invite_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                        help_text="The inviter's code: binds the new member under them.")


class SigninSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=64)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class SigninCodeSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=64,
                                 help_text="SMS code from `auth/sms-codes/` (purpose `signin`).")


class PasswordResetSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=64, help_text="SMS code (purpose `reset_password`).")
    new_password = serializers.CharField(max_length=128, trim_whitespace=False,
                                         style={"input_type": "password"})


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False,
                                         style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, trim_whitespace=False,
                                         style={"input_type": "password"})


class MeSerializer(_MediaURLMixin, serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone", read_only=True,
                                  help_text="Masked: `138****1234`.")
    avatar = serializers.SerializerMethodField()
    has_shop = serializers.SerializerMethodField()
    shop_id = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "phone", "nickname", "avatar", "date_joined", "has_shop", "shop_id"]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URL)
    def get_avatar(self, user: User) -> str | None:
        return self.media_url(user.avatar)

    def get_has_shop(self, user: User) -> bool:
        return self.get_shop_id(user) is not None

    def get_shop_id(self, user: User) -> int | None:
        shop = getattr(user, "shop", None)  # reverse one-to-one: missing → RelatedObjectDoesNotExist
        return shop.pk if shop is not None else None


class MeUpdateSerializer(serializers.Serializer):
    nickname = serializers.CharField(max_length=40, allow_blank=False)

    def validate_nickname(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Enter a nickname."))
        return value


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


class AuthResultSerializer(TokenSerializer):
    user = MeSerializer()


# --- catalogue ----------------------------------------------------------------------------


@dataclass
class CategoryNode:
    category: Category
    children: list["CategoryNode"] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.category.pk

    @property
    def name(self) -> str:
        return self.category.name

    @property
    def parent_id(self) -> int | None:
        return self.category.parent_id


def nest_categories(categories: list[Category], *, root_id: int | None = None) -> list[CategoryNode]:
    """Turn a tree-ordered flat list into nested nodes, in Python (no query per level).

    Roots are the categories without a parent, or only ``root_id`` when a subtree is nested.
    A node whose parent is not in the list (an inactive parent) is dropped with its subtree:
    hiding a category hides everything under it.
    """
    nodes: dict[int, CategoryNode] = {}
    roots: list[CategoryNode] = []
    for category in categories:
        node = CategoryNode(category)
        is_root = category.pk == root_id if root_id is not None else category.parent_id is None
        if is_root:
            roots.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
        else:
            continue
        nodes[category.pk] = node
    return roots


class CategoryNodeSerializer(_MediaURLMixin, serializers.Serializer):
    """One category with its active children, nested to any depth."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    icon = serializers.SerializerMethodField()
    parent_id = serializers.IntegerField(allow_null=True)

    @extend_schema_field(NULLABLE_URL)
    def get_icon(self, node: Any) -> str | None:
        return self.media_url(node.category.icon)


# Declared after the class so the field can refer to it: the schema becomes a recursive $ref.
CategoryNodeSerializer._declared_fields["children"] = CategoryNodeSerializer(many=True)


class ProductListQuerySerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="Only this category and its descendants.",
        error_messages={"does_not_exist": _("This category does not exist."),
                        "incorrect_type": _("This category does not exist.")},
    )
    q = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                              help_text="Text searched in title, subtitle and category name.")
    sort = serializers.ChoiceField(
        choices=[("default", _("default")), ("sales", _("best-selling")),
                 ("price_asc", _("price, low to high")), ("price_desc", _("price, high to low")),
                 ("new", _("newest"))],
        required=False, default="default",
    )


class ProductListItemSerializer(_MediaURLMixin, serializers.ModelSerializer):
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True,
                                         help_text="Lowest active SKU price; null when none is for sale.")
    total_stock = serializers.SerializerMethodField()
    cover = serializers.SerializerMethodField(help_text="First image, absolute URL.")
    category_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Product
        fields = ["id", "title", "subtitle", "min_price", "total_stock", "sales_count", "cover",
                  "category_id"]
        read_only_fields = fields

    def get_total_stock(self, product: Product) -> int:
        return product.total_stock or 0

    @extend_schema_field(NULLABLE_URL)
    def get_cover(self, product: Product) -> str | None:
        images = product.images.all()  # prefetched by the selector, in gallery order
        return self.media_url(images[0].image) if images else None


class SKUSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    specs = serializers.DictField(child=serializers.CharField(), help_text='e.g. {"颜色": "红", "尺码": "M"}')
    spec_text = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    stock = serializers.IntegerField()
    is_available = serializers.SerializerMethodField()

    def get_is_available(self, sku: Any) -> bool:
        return sku.stock > 0


class SpecOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField())


class ProductDetailSerializer(_MediaURLMixin, serializers.ModelSerializer):
    images = serializers.SerializerMethodField()
    spec_options = SpecOptionSerializer(many=True)
    skus = SKUSerializer(many=True, help_text="Active SKUs only.")
    min_price = serializers.SerializerMethodField()
    max_price = serializers.SerializerMethodField()
    description = serializers.CharField(help_text="HTML written by staff.")
    category_id = serializers.IntegerField()

    class Meta:
        model = Product
        fields = ["id", "title", "subtitle", "category_id", "min_price", "max_price", "sales_count",
                  "images", "spec_options", "skus", "description"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.URLField(), help_text="Absolute URLs."))
    def get_images(self, product: Product) -> list[str | None]:
        return [self.media_url(image.image) for image in product.images.all()]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_min_price(self, product: Product) -> str | None:
        prices = [sku.price for sku in product.skus.all()]
        return f"{min(prices):.2f}" if prices else None

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_max_price(self, product: Product) -> str | None:
        prices = [sku.price for sku in product.skus.all()]
        return f"{max(prices):.2f}" if prices else None


# --- shops --------------------------------------------------------------------------------


class ShopSerializer(_MediaURLMixin, serializers.ModelSerializer):
    avatar = serializers.SerializerMethodField()
    owner_name = serializers.SerializerMethodField(
        help_text="Nickname, or masked phone; empty for the platform shop.")

    class Meta:
        model = Shop
        fields = ["id", "name", "intro", "avatar", "is_platform", "owner_name"]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_URL)
    def get_avatar(self, shop: Shop) -> str | None:
        return self.media_url(shop.avatar)

    def get_owner_name(self, shop: Shop) -> str:
        return shop.owner.display_name if shop.owner_id else ""


class MyShopSerializer(ShopSerializer):
    class Meta(ShopSerializer.Meta):
        fields = [*ShopSerializer.Meta.fields, "is_active"]
        read_only_fields = fields


class MyShopUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40, required=False)
    intro = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Enter a shop name."))
        return value


class ListProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1)


class ShopListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShopProduct
        fields = ["product_id", "sort_order", "added_at"]
        read_only_fields = fields


class ReorderSerializer(serializers.Serializer):
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=MAX_REORDER_IDS, allow_empty=False,
        help_text="These products first, in this order; the others keep their order after them.",
    )

    def validate_product_ids(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("A product appears more than once."))
        return value


class ListedProductIdsSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=serializers.IntegerField(),
                                        help_text="Every listed product, in the shop's order.")
