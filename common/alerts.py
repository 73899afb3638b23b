"""Alerts: failures a person must look at (a wallet that does not reconcile, a referral
tree that differs from its rebuild, a refund the gateway confirmed that could not be
applied).

``alert_raise`` logs at ERROR on the ``quanzi.alerts`` logger; the logging configuration
(``config/settings/base.py``) sends that logger to the console, to the site admins by
email (Django's ``AdminEmailHandler``, ``DJANGO_ADMINS``) and to the alert store behind
the staff console's red banner (``config/alerts.py``), which stays until acknowledged.
The kernel only logs: who listens is the project's configuration.
"""

import logging

ALERT_LOGGER = "quanzi.alerts"


class AlertKind:
    WALLET_RECONCILIATION = "reconcile_wallets"
    REFERRAL_TREE_CHECK = "check_referral_tree"
    REFUND_ANOMALY = "refund_anomaly"


def alert_raise(*, kind: str, subject: str, details: str = "") -> None:
    """Raise an alert: ``subject`` is one line (the email subject, the banner text),
    ``details`` anything longer."""
    logging.getLogger(ALERT_LOGGER).error(
        "%s%s", subject, f"\n{details}" if details else "",
        extra={"alert_kind": kind, "alert_subject": subject, "alert_details": details},
    )
