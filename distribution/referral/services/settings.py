from distribution.models import ReferralSettings


def referral_settings_get() -> ReferralSettings:
    """The referral rules in force (see ``ReferralSettings.get_solo``)."""
    return ReferralSettings.get_solo()


def referral_settings_update(**values: object) -> ReferralSettings:
    obj, _ = ReferralSettings.objects.get_or_create(pk=1)
    for name, value in values.items():
        if not hasattr(obj, name) or name in ("id", "pk"):
            raise TypeError(f"unknown referral setting {name!r}")
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj
