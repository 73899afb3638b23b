from django.utils.translation import gettext_lazy as _

from common.errors import DomainError


class SandboxApiError(Exception):
    """The sandbox API refused a call (WeChat's error code, e.g. ``NOT_ENOUGH``)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


class CashierTradeInvalid(DomainError):
    code = "cashier_trade_invalid"
    status = 409
    default_message = _("This payment has been closed or already paid.")
