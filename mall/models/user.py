from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.phone import mask_phone, validate_phone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra: object) -> "User":
        validate_phone(phone)
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A registered person. Signs in with a mainland mobile number and a password."""

    phone = models.CharField(_("mobile number"), max_length=11, unique=True,
                             validators=[validate_phone])
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # The staff referral-tree browser finds members by the last 4 digits of the number
        # (about 100 hits per value at a million users) and by a nickname prefix; both
        # would scan every user without these. Pattern ops make ``LIKE 'x%'`` indexable
        # under any collation (PostgreSQL; SQLite ignores the operator class).
        indexes = [
            models.Index(Right("phone", 4), name="user_phone_last4_idx"),
            models.Index(fields=["nickname"], name="user_nickname_prefix_idx",
                         opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.nickname or self.masked_phone

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        return self.nickname or self.masked_phone


class PhoneCode(models.Model):
    """A one-time verification code sent by SMS. Only its hash is stored."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        RESET_PASSWORD = "reset_password", _("password reset")
        SIGNIN = "signin", _("sign-in")

    phone = models.CharField(_("mobile number"), max_length=11, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.purpose}"
