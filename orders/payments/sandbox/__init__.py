"""The payment sandbox: a stand-in for a third party (WeChat Pay), served by this site in
development and tests. Nothing in the real order code imports it (an import-linter
contract); the shop reaches it only as the gateway ``get_gateway("sandbox")``.

The provider's side ("WeChat Pay's servers"):

- ``models``: its own tables (trades, refunds), registered in the ``orders`` app (the
  model registry ``orders.models`` imports them so Django and migrations see them);
- ``provider``: the API the merchant calls (create, query, close, refund) and what the
  shopper does on the cashier page (pay, fail);
- ``notices``: signed, encrypted notices to the merchant's notify URL, re-sent on
  WeChat's back-off schedule until answered 2xx; ``tasks`` runs them on a worker (the
  re-sending sweep is in ``config/beat.py``);
- ``keys``: the platform key pair; ``views``/``urls``: the cashier page ``/pay/sandbox/<token>/``;
  ``lock_objects``, ``errors``: its row lock and its errors.

The shop's side: ``gateway.SandboxGateway``, a client that behaves like a WeChat Pay APIv3 one.
"""
