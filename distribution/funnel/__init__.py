"""The share funnel (issue 11): visits of share links, the sign-ups and paid orders they
brought, rolled up per link and day; and the reseller's customers (我的客户).

- ``recording``: the one call a landing view makes (``share_visit_record``), and what
  sign-in and payment add (sign-up and order conversions).
- ``rollup``: the idempotent roll-up task's service.
- ``selectors``: the funnel figures and the customer list, always of one reseller.
- ``views`` / ``api`` / ``admin``: the H5 pages, the API and the staff changelists.
"""
