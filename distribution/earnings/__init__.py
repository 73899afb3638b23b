"""我的收益: the reseller's earnings surfaces (pages and API): overview, commission
records, promoted orders, the wallet's ledger, withdrawals and payout accounts. It reads
through ``earnings/selectors.py`` and writes only through the wallet and commission
services (``distribution/wallet``, ``distribution/commission``); the staff admin of the
same data lives beside those services."""
