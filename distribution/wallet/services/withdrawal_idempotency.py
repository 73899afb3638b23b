"""A withdrawal request that also says whether this call created it.

``withdrawal_request`` returns the first withdrawal again for a repeated key; the API
answers 201 for the call that created it and 200 for every repeat. Telling them apart
needs the check and the request under one lock: the wallet's row lock, taken first here
(the same lock ``withdrawal_request`` takes next, in the same transaction), so two requests
with one key at once are serialized and exactly one of them sees no earlier withdrawal.
"""

from decimal import Decimal

from django.db import transaction

from distribution import lock_objects
from distribution.models import Member, Withdrawal
from distribution.wallet.services.wallet import wallet_for_member
from distribution.wallet.services.withdrawals import withdrawal_request


@transaction.atomic
def withdrawal_request_once(*, member: Member, amount: Decimal | str, payout_account_id: int,
                            idempotency_key: str) -> tuple[Withdrawal, bool]:
    """``(withdrawal, created)``; the rules and errors are ``withdrawal_request``'s."""
    wallet = lock_objects.wallet_lock(wallet_id=wallet_for_member(member=member).pk)
    existed = Withdrawal.objects.filter(wallet=wallet, idempotency_key=idempotency_key).exists()
    withdrawal = withdrawal_request(member=member, amount=amount, payout_account_id=payout_account_id,
                                    idempotency_key=idempotency_key)
    return withdrawal, not existed
