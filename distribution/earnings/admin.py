"""The earnings admin: importing this module registers, on ``admin.site``, the ModelAdmins
of commission rules and records (``admin_rules``) and of wallets, withdrawals and payout
accounts (``admin_wallets``). ``distribution/admin.py`` imports it."""

from distribution.earnings import admin_rules, admin_wallets

__all__ = ["admin_rules", "admin_wallets"]
