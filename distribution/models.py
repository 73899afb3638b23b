"""Members, referral tree, commission and wallet. Lands with the referral and commission issues."""
