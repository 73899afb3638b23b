import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from orders.hooks import hooks
from orders.payments import crypto


@pytest.fixture(scope="session")
def sandbox_key_dir(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("payment-keys")
    crypto.generate_key_pair(directory)
    return directory


@pytest.fixture(autouse=True)
def _payment_settings(settings, sandbox_key_dir):
    settings.PAYMENT_SANDBOX_KEY_DIR = sandbox_key_dir
    settings.PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH = ""
    settings.PAYMENT_SANDBOX_AUTOGENERATE_KEYS = False
    # Nothing listens here: a notice queued by a test without a live server is refused at once.
    settings.PAYMENT_NOTIFY_BASE_URL = "http://127.0.0.1:9"
    settings.PAYMENT_DEFAULT_PROVIDER = "sandbox"


@pytest.fixture
def platform_return_address(db):
    """Returns (退货退款) can only be approved once the goods have somewhere to go."""
    from tests.orders.factories import ReturnAddressFactory

    return ReturnAddressFactory()


@dataclass
class HookRecorder:
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self, name: str) -> Callable[..., None]:
        def record(**kwargs: Any) -> None:
            with self.lock:
                self.calls.setdefault(name, []).append(kwargs)

        return record

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.calls.get(name, [])


@pytest.fixture
def hook_calls() -> Iterator[HookRecorder]:
    recorder = HookRecorder()
    handlers = {
        name: recorder.handler(name)
        for name in ("order_created", "order_paid", "item_refunded")
    }
    for name, handler in handlers.items():
        hooks.register(name, handler)
    yield recorder
    for name, handler in handlers.items():
        hooks.unregister(name, handler)
