# The promotions tests pay and refund real orders through the sandbox gateway.
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401
