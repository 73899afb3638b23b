# The commission tests pay and refund real orders through the sandbox gateway.
import pytest

from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_share_link_ids():
    """The share-link id memo lives as long as the process; a test database reuses ids."""
    from distribution.funnel.recording import forget_link_ids

    forget_link_ids()
    yield
    forget_link_ids()
