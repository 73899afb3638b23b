"""The compliance limits of distribution (禁止传销条例 art. 7), in one place.

- Commission is paid to at most ``MAX_TIERS`` upline tiers: refused by the rules service,
  the admin forms, the model validators and database CHECKs, which all read this.
- Recruiting never earns by itself: levels have no headcount condition (``ResellerLevel``).
"""

MAX_TIERS = 3
