from decimal import Decimal

import factory

from mall.models import SKU, Category, Product, Shop, Supplier, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("phone",)

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    nickname = factory.Sequence(lambda n: f"会员{n}")
    password = factory.django.Password("Quanzi-test-123")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"供应商{n}")
    contact_name = "张经理"
    contact_phone = "13800000000"
    settlement_account_name = factory.SelfAttribute("name")
    settlement_bank = "招商银行杭州分行"
    settlement_account_no = "6225880000000000"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"分类{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"测试商品{n}")
    status = Product.Status.ON_SHELF


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SKU

    product = factory.SubFactory(ProductFactory)
    specs = factory.Sequence(lambda n: {"规格": f"款式{n}"})
    spec_key = factory.LazyAttribute(lambda o: SKU.make_spec_key(o.specs))
    price = Decimal("99.00")
    cost_price = Decimal("60.00")
    stock = 10


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"小店{n}")
