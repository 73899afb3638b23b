from io import StringIO

import pytest
from django.core.management import call_command

from promotions.models import CouponTemplate, Partner, PartnerStaff, ReturningCustomerRule

pytestmark = pytest.mark.django_db


def test_the_promotions_demo_is_complete_and_safe_to_load_twice():
    call_command("seed_promotions_demo", stdout=StringIO())
    call_command("seed_promotions_demo", stdout=StringIO())

    assert CouponTemplate.objects.filter(is_signup_gift=True).count() == 1
    assert CouponTemplate.objects.filter(in_claim_centre=True).count() == 1
    assert CouponTemplate.objects.filter(partner__isnull=False, link_token="xiaoshumiao-demo").count() == 1
    rule = ReturningCustomerRule.get_solo()
    assert rule.enabled and rule.template.name == "老客专享"
    partner = Partner.objects.get()
    staff = PartnerStaff.objects.get(partner=partner).user
    assert staff.phone == "13600000001" and staff.check_password("partner123")
    assert partner.offers.count() == 1
