"""Staff users of each desk, for the role and audit tests."""

from django.contrib.auth.models import Group

from config.roles import FINANCE, OPS, SERVICE, roles_sync
from mall.models import User
from tests.mall.factories import UserFactory

GROUPS = (OPS, FINANCE, SERVICE)


def desk_user(group: str | None) -> User:
    """An active staff member of ``group`` (None: a superuser)."""
    roles_sync()
    if group is None:
        return UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)
