"""Payment gateways by provider name: ``settings.PAYMENT_GATEWAYS`` maps each name to its
``Gateway`` class (a dotted path), so the order code depends on the interface only. Add a
provider by writing its Gateway class and naming it there."""

from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from orders.errors import PaymentProviderUnknown
from orders.payments.base import Gateway


@cache
def get_gateway(name: str) -> Gateway:
    path = settings.PAYMENT_GATEWAYS.get(name)
    if path is None:
        raise PaymentProviderUnknown()
    gateway_class: type[Gateway] = import_string(path)
    return gateway_class()


def provider_names() -> list[str]:
    return list(settings.PAYMENT_GATEWAYS)


def notify_url(provider: str) -> str:
    """The absolute URL the provider posts notices to (``PAYMENT_NOTIFY_BASE_URL`` + path)."""
    base = settings.PAYMENT_NOTIFY_BASE_URL.rstrip("/")
    return base + reverse("orders:payment-notify", kwargs={"provider": provider})
