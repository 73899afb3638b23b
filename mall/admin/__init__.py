"""Staff admin of the mall app, by what it is about:

- ``users``: members and staff accounts, and the (read-only, masked) SMS verification codes;
- ``catalogue``: suppliers, the category tree, products with their images and SKUs;
- ``shops``: the shops (微店) and their listings, and the recommended selection new shops start with;
- ``materials``: the 素材库 (copy texts and pictures per product, for resellers to share).

Admin writes are plain model-form saves, with two guards that matter for money and stock
(see ``catalogue``): a SKU's stock is written only when staff edited it and nobody moved it
since (``sku_stock_lock_unchanged``), and edited rows are saved with ``update_fields`` of what
the form changed, so counters that orders maintain are never overwritten with stale values.
The rules the forms check (spec options, SKU specs, the stock check) are the catalogue
services' (``mall/services/catalog.py``); the forms only call them.
"""

from mall.admin import catalogue, materials, shops, users

__all__ = ["catalogue", "materials", "shops", "users"]
