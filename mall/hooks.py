"""Hooks that ``mall`` calls and higher apps register handlers for.

``user_registered(user, invite_code, source)`` runs inside the sign-up transaction:
the referral app must create the member node (and refuse a bad invite code) atomically
with the user, so a failed binding leaves no half-registered user behind.
"""

from common.hooks import HookRegistry

hooks = HookRegistry(("user_registered",))
