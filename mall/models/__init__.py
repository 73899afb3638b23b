from mall.models.catalog import SKU, Category, Product, ProductImage, Supplier
from mall.models.shop import Shop, ShopProduct
from mall.models.user import PhoneCode, User

__all__ = [
    "SKU",
    "Category",
    "PhoneCode",
    "Product",
    "ProductImage",
    "Shop",
    "ShopProduct",
    "Supplier",
    "User",
]
