"""API sign-in tokens (``rest_framework.authtoken``): one token per member.

The token is the API's session, so it belongs to the API layer, not to the account services.
A password change or reset rotates it: anyone holding the old token is signed out.
"""

from django.db import transaction
from rest_framework.authtoken.models import Token

from mall.models import User


def token_issue(*, user: User) -> str:
    """The member's token, created on first sign-in (``get_or_create`` survives a race)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def token_rotate(*, user: User) -> str:
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def token_revoke(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
