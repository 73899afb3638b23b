from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound, RateLimited


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = _("This product does not exist or is no longer on sale.")


class SKUNotFound(NotFound):
    code = "sku_not_found"
    default_message = _("This product option does not exist.")


class CategoryNotFound(NotFound):
    code = "category_not_found"
    default_message = _("This category does not exist.")


class ShopNotFound(NotFound):
    code = "shop_not_found"
    default_message = _("This shop does not exist or is closed.")


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    default_message = _("Insufficient stock (库存不足).")


class StockBelowZero(DomainError):
    code = "stock_below_zero"
    default_message = _("Stock cannot go below zero.")


class InvalidPrice(DomainError):
    code = "invalid_price"
    default_message = _("Enter a price above zero with at most 2 decimal places.")


class ProductNotSellable(DomainError):
    code = "product_not_sellable"
    default_message = _("A product needs at least one active SKU before it goes on shelf.")


class InvalidSpecs(DomainError):
    code = "invalid_specs"
    default_message = _("The product specs are not valid.")


class StockChanged(DomainError):
    """Staff edited a stock that orders moved since the page was rendered (``now`` is the stock)."""

    code = "stock_changed"
    status = 409

    def __init__(self, *, now: int) -> None:
        self.now = now
        message = _("Stock changed to %(now)s while you were editing (orders came in). "
                    "Enter the new quantity again.")
        super().__init__(lazy(lambda: str(message) % {"now": now}, str)())


class PhoneInvalid(DomainError):
    code = "invalid_phone"
    default_message = _("Enter a valid mainland China mobile number (11 digits starting with 1).")


class PhoneTaken(DomainError):
    code = "phone_taken"
    status = 409
    default_message = _("This mobile number is already registered. Please sign in.")


class WrongCredentials(DomainError):
    code = "wrong_credentials"
    status = 400
    default_message = _("Wrong mobile number or password.")


class WeakPassword(DomainError):
    code = "weak_password"
    default_message = _("The password is too weak.")


class CodeInvalid(DomainError):
    code = "code_invalid"
    default_message = _("The verification code is wrong or has expired.")


class CodeRateLimited(RateLimited):
    code = "code_rate_limited"
    default_message = _("Verification codes are sent too often. Please try again later.")


class SignInRateLimited(RateLimited):
    code = "signin_rate_limited"
    default_message = _("Too many failed sign-ins from this network. Sign in with an SMS verification "
                        "code, or try again in 15 minutes.")


class SignInCodeRequired(DomainError):
    """Password sign-in is off for a phone under attack from many addresses; the SMS code works."""

    code = "signin_code_required"
    status = 403
    default_message = _("To protect this account, sign in with an SMS verification code for now.")


class AccountInactive(DomainError):
    code = "account_inactive"
    status = 403
    default_message = _("This account is disabled. Please contact customer service.")


class PhoneNotRegistered(DomainError):
    code = "phone_not_registered"
    default_message = _("This mobile number is not registered yet. Please sign up.")


class ShopExists(DomainError):
    code = "shop_exists"
    status = 409
    default_message = _("This member already has a shop.")


class ImageInvalid(DomainError):
    code = "image_invalid"
    default_message = _("This file is not a picture. Please choose a JPEG, PNG or WebP image.")


class ImageTooLarge(DomainError):
    code = "image_too_large"
    status = 413
    default_message = _("This picture is too large. Please choose one of at most 5 MB.")


class NotYourShop(DomainError):
    code = "shop_not_yours"
    status = 403
    default_message = _("This is not your shop. You can only manage your own shop.")


class ProductNotInShop(DomainError):
    code = "product_not_in_shop"
    status = 404
    default_message = _("This product is not in your shop.")
