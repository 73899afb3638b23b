from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        from mall.hooks import hooks as mall_hooks

        mall_hooks.register("user_registered", on_user_registered)


def on_user_registered(*, user, invite_code: str | None, source: str) -> None:
    """Runs inside the sign-up transaction: a bad invite code refuses the whole sign-up."""
    from distribution.services.members import member_create_for_user

    member_create_for_user(user=user, invite_code=invite_code, source=source)
