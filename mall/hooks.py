"""Hooks that ``mall`` calls and higher apps register handlers for.

- ``user_registered(user, invite_code, source, ip)`` runs INSIDE the sign-up transaction:
  the referral app must create the member node (and refuse a bad invite code, or one over
  the invite-lookup limit of the client address ``ip``) atomically with the user, so a
  failed binding leaves no half-registered user behind.
- ``user_signed_in(request, user)`` runs after a successful sign-in or sign-up, in the
  request (e.g. the orders app merges the anonymous session cart into the member's).
- ``share_landed(request, invite_code, src, product_id)`` runs when a shop or product page
  is opened with ``?ref=<invite code>`` (a reseller's share link or QR code; ``src`` is
  ``link`` / ``qr`` / ``poster``, ``product_id`` is None on the shop page): the referral
  app records the visit for the reseller's share funnel and remembers the invite. It
  must be cheap and must never fail the page.
"""

from common.hooks import HookRegistry

hooks = HookRegistry(("user_registered", "user_signed_in", "share_landed"))
