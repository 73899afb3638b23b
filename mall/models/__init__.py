from mall.models.catalog import SKU, Category, Product, ProductImage, Supplier
from mall.models.material import MaterialImage, ProductMaterial
from mall.models.shop import RecommendedProduct, Shop, ShopProduct
from mall.models.user import PhoneCode, User

__all__ = [
    "SKU",
    "Category",
    "MaterialImage",
    "PhoneCode",
    "Product",
    "ProductImage",
    "ProductMaterial",
    "RecommendedProduct",
    "Shop",
    "ShopProduct",
    "Supplier",
    "User",
]
