"""The reseller's earnings surfaces (pages, API, 分享赚 preview) and the staff admin of
commission rules, records, wallets and withdrawals. The engine itself lives in
``distribution.services`` (commission, wallet, withdrawals); this package only reads it
through ``selectors`` and writes through those services."""
