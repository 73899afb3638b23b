"""The payment gateway interface the orders services talk to.

- ``base``: the ``Gateway`` abstract class and the values that cross it (amounts in fen);
- ``registry``: ``get_gateway(name)``, the gateway classes named in ``settings.PAYMENT_GATEWAYS``;
- ``crypto``: WeChat Pay APIv3 signatures and AES-GCM, shared by every WeChat-like gateway;
- ``sandbox/``: a stand-in for WeChat Pay (its servers, its cashier page, its notices) and the
  shop-side client for it. The real order code never imports it (an import-linter contract):
  it reaches the sandbox only through ``get_gateway("sandbox")``.
"""
