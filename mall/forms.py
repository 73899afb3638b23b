"""Forms of the storefront pages.

They check the shape of the input only (present, not too long). The rules (is the phone
valid, taken, is the password strong enough, is the code right) live in
``mall.services.accounts``; the views turn its domain errors into form errors with
``add_domain_error`` so a page shows them next to the field they are about.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError

# Domain error code → the form field it is about; anything else is a form-wide error.
_ERROR_FIELDS = {
    "invalid_phone": "phone",
    "phone_taken": "phone",
    "code_rate_limited": "phone",
    "weak_password": "password",
    "code_invalid": "code",
    "phone_not_registered": "phone",
}
# The referral app's invite errors (InviteCodeUnknown, InviteCodeOwn…) share this prefix.
_INVITE_ERROR_PREFIX = "invite"


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "tel", "placeholder": _("11-digit mobile number"),
        }),
    )


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Verification code"), max_length=6,
        widget=forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6-digit code"),
        }),
    )


class DomainErrorFormMixin:
    def add_domain_error(self, error: DomainError) -> None:
        field = _ERROR_FIELDS.get(error.code)
        if field is None and error.code.startswith(_INVITE_ERROR_PREFIX):
            field = "invite_code"
        if field not in self.fields:  # type: ignore[attr-defined]
            field = None
        self.add_error(field, str(error.message))  # type: ignore[attr-defined]


class SignUpForm(DomainErrorFormMixin, forms.Form):
    phone = _phone_field()
    code = _code_field()
    nickname = forms.CharField(
        label=_("Nickname"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "placeholder": _("Optional")}),
    )
    invite_code = forms.CharField(
        label=_("Invite code"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": _("Optional")}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={
            "autocomplete": "new-password", "placeholder": _("At least 8 characters, not all digits"),
        }),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not settings.SIGNUP_REQUIRES_SMS_CODE:
            del self.fields["code"]


class SignInForm(DomainErrorFormMixin, forms.Form):
    phone = _phone_field()
    password = forms.CharField(
        label=_("Password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                          "placeholder": _("Password")}),
    )


class PhoneCodeForm(DomainErrorFormMixin, forms.Form):
    phone = _phone_field()


class CodeSignInForm(DomainErrorFormMixin, forms.Form):
    phone = _phone_field()
    code = _code_field()


class PasswordResetForm(DomainErrorFormMixin, forms.Form):
    """忘记密码: the phone, the SMS code sent to it, and the new password."""

    phone = _phone_field()
    code = _code_field()
    password = forms.CharField(
        label=_("New password"), max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={
            "autocomplete": "new-password", "placeholder": _("At least 8 characters, not all digits"),
        }),
    )
