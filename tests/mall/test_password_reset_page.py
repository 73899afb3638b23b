"""忘记密码 on the H5 pages: the sign-in page links to it; an SMS code and a new password
reset it (the API's service); a wrong code or an unknown number change nothing."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from mall.models import PhoneCode
from mall.sms import backends as sms_backends
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
PHONE = "13812340001"
OLD, NEW = "Quanzi-test-123", "Brand-new-pass-9"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms_backends.outbox.clear()
    yield
    sms_backends.outbox.clear()


def send_reset_code(client, phone: str = PHONE) -> str:
    response = client.post(reverse("mall:password_reset_code"), {"phone": phone},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return sms_backends.outbox[-1].params["code"]


def test_the_sign_in_page_links_to_forgot_password(client):
    page = client.get(reverse("mall:signin")).content.decode()

    assert f'href="{reverse("mall:password_reset")}' in page
    assert "忘记密码" in page


def test_a_code_and_a_new_password_reset_it_and_sign_out_the_api_token(client):
    user = UserFactory(phone=PHONE)
    old_token = Token.objects.create(user=user).key
    code = send_reset_code(client)

    response = client.post(reverse("mall:password_reset"), {"phone": PHONE, "code": code, "password": NEW},
                           follow=True)

    user.refresh_from_db()
    assert response.redirect_chain[-1][0] == reverse("mall:signin")
    assert user.check_password(NEW)
    assert not Token.objects.filter(key=old_token).exists()
    assert "密码已重置" in response.content.decode()
    assert PhoneCode.objects.get(phone=PHONE).purpose == PhoneCode.Purpose.RESET_PASSWORD


def test_the_code_is_sent_for_the_reset_purpose_without_script(client):
    UserFactory(phone=PHONE)

    response = client.post(reverse("mall:password_reset_code"), {"phone": PHONE})

    assert (response.status_code, response["Location"]) == (302, reverse("mall:password_reset"))
    assert PhoneCode.objects.get(phone=PHONE).purpose == PhoneCode.Purpose.RESET_PASSWORD
    assert client.get(response["Location"]).context["form"].initial["phone"] == PHONE


@pytest.mark.parametrize("case", ["wrong_code", "unknown_phone", "weak_password"])
def test_refusals_change_nothing_and_say_why_in_chinese(client, case):
    user = UserFactory(phone=PHONE)
    code = send_reset_code(client)
    data = {"phone": PHONE, "code": code, "password": NEW}
    if case == "wrong_code":
        data["code"] = "000000" if code != "000000" else "111111"
    elif case == "unknown_phone":
        data["phone"] = "13812349999"
    else:
        data["password"] = "12345678"

    response = client.post(reverse("mall:password_reset"), data)

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.check_password(OLD)
    errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    assert ("验证码" in errors) if case != "weak_password" else ("密码" in errors)


def test_the_favicon_is_linked_and_served(client):
    page = client.get(reverse("mall:home")).content.decode()

    assert 'rel="icon"' in page and "mall/favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("mall/favicon.ico")
