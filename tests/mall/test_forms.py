"""Storefront forms: shape checks, and domain errors landing on the right field."""

import pytest

from common.errors import DomainError
from mall.errors import (
    CodeInvalid,
    PhoneInvalid,
    PhoneTaken,
    SignInRateLimited,
    WeakPassword,
    WrongCredentials,
)
from mall.forms import PhoneCodeForm, SignInForm, SignUpForm


def valid_signup(**changes):
    return {"phone": "13812345678", "code": "123456", "password": "Quanzi-strong-9", **changes}


def test_signup_form_accepts_complete_input_and_keeps_password_unstripped():
    form = SignUpForm(valid_signup(password=" spaced pass "))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["password"] == " spaced pass "
    assert form.cleaned_data["nickname"] == ""
    assert form.cleaned_data["invite_code"] == ""


@pytest.mark.parametrize("missing", ["phone", "code", "password"])
def test_signup_form_requires_phone_code_and_password(missing):
    data = valid_signup()
    del data[missing]

    form = SignUpForm(data)

    assert not form.is_valid()
    assert list(form.errors) == [missing]


def test_signup_form_has_no_code_field_when_codes_are_off(settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = False

    form = SignUpForm({"phone": "13812345678", "password": "Quanzi-strong-9"})

    assert "code" not in form.fields
    assert form.is_valid(), form.errors


def test_signup_form_refuses_an_overlong_nickname():
    form = SignUpForm(valid_signup(nickname="长" * 41))

    assert list(form.errors) == ["nickname"]


@pytest.mark.parametrize(("error", "field"), [
    (PhoneInvalid(), "phone"),
    (PhoneTaken(), "phone"),
    (WeakPassword("too short"), "password"),
    (CodeInvalid(), "code"),
    (DomainError("unknown inviter", code="invite_code_unknown"), "invite_code"),
    (SignInRateLimited(), "__all__"),
])
def test_signup_form_puts_domain_errors_on_their_field(error, field):
    form = SignUpForm(valid_signup())
    assert form.is_valid()

    form.add_domain_error(error)

    assert form.errors == {field: [str(error.message)]}


def test_domain_error_for_a_field_the_form_lacks_becomes_a_form_error(settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = False
    form = SignUpForm({"phone": "13812345678", "password": "Quanzi-strong-9"})
    assert form.is_valid()

    form.add_domain_error(CodeInvalid())

    assert form.errors == {"__all__": [str(CodeInvalid.default_message)]}


def test_signin_form_wrong_credentials_is_a_form_error():
    form = SignInForm({"phone": "13812345678", "password": "x"})
    assert form.is_valid()

    form.add_domain_error(WrongCredentials())

    assert form.non_field_errors() == [str(WrongCredentials.default_message)]


def test_phone_code_form_requires_a_phone():
    assert not PhoneCodeForm({}).is_valid()
    assert PhoneCodeForm({"phone": "13812345678"}).is_valid()
