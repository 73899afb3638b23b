"""The staff groups' page, with permission names in the staff member's language. The groups
themselves are declared in ``config/roles.py`` (``manage.py sync_roles``)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group

from common.admin import TranslatedPermissionsMixin

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, DjangoGroupAdmin):
    pass
