from datetime import timedelta

import pytest
from django.utils import timezone

from mall.errors import (
    CodeInvalid,
    CodeRateLimited,
    PhoneInvalid,
    PhoneTaken,
    SignInRateLimited,
    WeakPassword,
    WrongCredentials,
)
from mall.models import PhoneCode, User
from mall.services.accounts import (
    phone_code_send,
    phone_code_verify,
    user_authenticate,
    user_register,
)
from mall.sms import backends
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Quanzi-good-pass-1"
IP = "198.51.100.7"


def _send_and_read(phone: str) -> str:
    phone_code_send(phone=phone, ip=IP)
    message = backends.outbox[-1]
    assert message.phone == phone
    return message.params["code"]


def test_register_with_valid_code_creates_a_verified_user():
    code = _send_and_read("13612345678")

    user = user_register(phone="136 1234 5678", password=PASSWORD, code=code, nickname="小明")

    assert user.phone == "13612345678"
    assert user.check_password(PASSWORD)
    assert user.phone_verified_at is not None
    assert PhoneCode.objects.get(phone="13612345678").used_at is not None


@pytest.mark.parametrize("phone", ["12345", "23612345678", "1361234567a", ""])
def test_register_refuses_malformed_phone(phone):
    with pytest.raises(PhoneInvalid):
        user_register(phone=phone, password=PASSWORD, code="000000")
    assert not User.objects.exists()


def test_register_refuses_wrong_code_and_counts_the_attempt():
    code = _send_and_read("13612345678")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    with pytest.raises(CodeInvalid):
        user_register(phone="13612345678", password=PASSWORD, code=wrong)

    assert not User.objects.exists()
    assert PhoneCode.objects.get(phone="13612345678").attempts == 1


def test_code_dies_after_too_many_wrong_guesses(settings):
    code = _send_and_read("13612345678")
    for _ in range(settings.SMS_MAX_VERIFY_ATTEMPTS):
        with pytest.raises(CodeInvalid):
            phone_code_verify(phone="13612345678", code="999999" if code != "999999" else "000000")

    with pytest.raises(CodeInvalid):
        phone_code_verify(phone="13612345678", code=code)


def test_expired_code_is_refused():
    code = _send_and_read("13612345678")
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(CodeInvalid):
        phone_code_verify(phone="13612345678", code=code)


def test_code_cannot_be_used_twice():
    code = _send_and_read("13612345678")
    phone_code_verify(phone="13612345678", code=code)

    with pytest.raises(CodeInvalid):
        phone_code_verify(phone="13612345678", code=code)


def test_codes_are_rate_limited_per_phone():
    phone_code_send(phone="13612345678", ip=IP)

    with pytest.raises(CodeRateLimited):
        phone_code_send(phone="13612345678", ip=IP)
    assert PhoneCode.objects.count() == 1


def test_register_refuses_weak_password_and_keeps_the_code():
    code = _send_and_read("13612345678")

    with pytest.raises(WeakPassword):
        user_register(phone="13612345678", password="12345678", code=code)

    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None


def test_register_refuses_taken_phone():
    UserFactory(phone="13612345678")

    with pytest.raises(PhoneTaken):
        user_register(phone="13612345678", password=PASSWORD, code="123456")
    assert User.objects.count() == 1


def test_authenticate_accepts_the_right_password():
    user = UserFactory(phone="13612345678", password=PASSWORD)

    assert user_authenticate(phone="13612345678", password=PASSWORD, ip=IP) == user


def test_authenticate_refuses_wrong_password_and_unknown_phone_alike():
    UserFactory(phone="13612345678")

    with pytest.raises(WrongCredentials) as wrong:
        user_authenticate(phone="13612345678", password="nope-nope-nope", ip=IP)
    with pytest.raises(WrongCredentials) as unknown:
        user_authenticate(phone="13699999999", password="nope-nope-nope", ip=IP)
    assert str(wrong.value) == str(unknown.value)


def test_authenticate_refuses_an_address_after_repeated_failures_for_a_phone(settings):
    UserFactory(phone="13612345678", password=PASSWORD)
    for _ in range(settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS):
        with pytest.raises(WrongCredentials):
            user_authenticate(phone="13612345678", password="wrong-password", ip=IP)

    with pytest.raises(SignInRateLimited):
        user_authenticate(phone="13612345678", password=PASSWORD, ip=IP)


def test_a_refusing_registration_hook_leaves_no_user_and_gives_the_code_back():
    from common.errors import DomainError
    from mall.hooks import hooks

    def refuse(**kwargs):
        raise DomainError("refused", code="refused")

    code = _send_and_read("13612345678")
    hooks.register("user_registered", refuse)
    try:
        with pytest.raises(DomainError):
            user_register(phone="13612345678", password=PASSWORD, code=code)
    finally:
        hooks.unregister("user_registered", refuse)

    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None
    assert user_register(phone="13612345678", password=PASSWORD, code=code).phone == "13612345678"
