"""Payment gateways by provider name. Add a provider by registering its Gateway class."""

from functools import cache

from django.conf import settings
from django.urls import reverse

from orders.errors import PaymentProviderUnknown
from orders.payments.base import Gateway


def _registry() -> dict[str, type[Gateway]]:
    from orders.payments.sandbox import SandboxGateway

    return {SandboxGateway.name: SandboxGateway}


@cache
def get_gateway(name: str) -> Gateway:
    gateway_class = _registry().get(name)
    if gateway_class is None:
        raise PaymentProviderUnknown()
    return gateway_class()


def provider_names() -> list[str]:
    return list(_registry())


def default_gateway() -> Gateway:
    return get_gateway(settings.PAYMENT_DEFAULT_PROVIDER)


def notify_url(provider: str) -> str:
    """The absolute URL the provider posts notices to (``PAYMENT_NOTIFY_BASE_URL`` + path)."""
    base = settings.PAYMENT_NOTIFY_BASE_URL.rstrip("/")
    return base + reverse("orders:payment-notify", kwargs={"provider": provider})
