"""The distribution admin, one module per sub-domain; Django imports this one, which
registers them all on ``admin.site``.

- ``referral.admin``: members (move, handover, invite codes), binding history, referral settings
- ``reseller.admin``: the programme, applications, levels and level changes
- ``commission.admin``: commission rules, level rates, product terms, records, the liability report
- ``wallet.admin``: wallets, ledger, withdrawals (review and payout), payout accounts
"""

from distribution.commission import admin as commission_admin
from distribution.referral import admin as referral_admin
from distribution.reseller import admin as reseller_admin
from distribution.wallet import admin as wallet_admin

__all__ = ["commission_admin", "referral_admin", "reseller_admin", "wallet_admin"]
