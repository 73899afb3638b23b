"""Staff corrections of a wallet: who may make them, and never on their own wallet.

``wallet_adjust`` (``services.wallet``) posts the entry; this adds the staff checks the
admin relies on, the way ``services.withdrawals`` checks its reviewers.
"""

from decimal import Decimal

from django.db import transaction

from distribution.models import LedgerEntry, Wallet
from distribution.wallet.errors import SelfAdjustRefused, WalletAdjustForbidden, WalletNotFound
from distribution.wallet.services.wallet import wallet_adjust
from mall.models import User

ADJUST_PERMISSION = "distribution.change_wallet"


def can_adjust_wallets(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(ADJUST_PERMISSION))


@transaction.atomic
def wallet_staff_adjust(*, wallet_id: int, amount: Decimal, operator: User, reason: str) -> LedgerEntry:
    """Credit (positive) or debit (negative) a reseller's available balance, with a reason
    the reseller sees in their ledger. A debit may leave the wallet in debt."""
    if not can_adjust_wallets(operator):
        raise WalletAdjustForbidden()
    member_user_id = Wallet.objects.filter(pk=wallet_id).values_list("member__user_id", flat=True).first()
    if member_user_id is None:
        raise WalletNotFound()
    if member_user_id == operator.pk:
        raise SelfAdjustRefused()
    return wallet_adjust(wallet_id=wallet_id, amount=amount, operator=operator, reason=reason)
