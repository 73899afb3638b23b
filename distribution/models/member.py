"""Members: one node per user in the referral forest (django-mptt, gapped numbering).

How the tree columns are kept (the full design is in ``distribution/tree/__init__.py``):

- ``parent`` is the truth. It is written at sign-up, at once; the commission engine walks it.
- ``lft``/``rght``/``tree_id``/``depth`` are django-mptt's nested-set columns, maintained by
  deferred, set-based placement under the tree's advisory lock. A member whose
  ``lft = rght = 0`` is *pending*: bound to its parent but not yet numbered.
- Numbering is *gapped*: intervals keep spare room so a placement batch writes only its own
  rows. The numbers are not dense, but their order is exactly what a rebuild gives: ranking
  every ``lft``/``rght`` of a tree reproduces ``Member.objects.partial_rebuild()``'s numbers.
  So django-mptt helpers that do arithmetic on ``rght - lft`` are overridden below.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from common.fields import MoneyField

# Columns only the tree engine writes (``QuerySet.update`` in distribution.referral.tree).
TREE_FIELDS = frozenset({"parent", "lft", "rght", "tree_id", "depth"})


class TreeWriteRefused(ValueError):
    """A programming error: member rows and tree columns are written by the services only."""


class ResellerLevel(models.Model):
    """A reseller level (分销等级): its rates (``LevelRate``) and its upgrade conditions.

    Automatic upgrade conditions are SALES ONLY — own paid sales, team paid sales, settled
    commission — never headcount (禁止传销条例 art. 7; there is deliberately no such field).
    A level reached automatically needs at least one positive condition (a CHECK), so no
    level is ever handed out for merely signing people up. ``services.levels`` applies them.
    """

    name = models.CharField(_("name"), max_length=40)
    weight = models.PositiveIntegerField(_("weight"), unique=True,
                                         help_text=_("Higher weight means a higher level."))
    is_default = models.BooleanField(_("default level"), default=False)
    auto_upgrade = models.BooleanField(
        _("automatic upgrade"), default=False,
        help_text=_("Resellers reach this level by themselves once every sales condition below holds."))
    min_own_sales = MoneyField(_("own paid sales at least"), default=0)
    min_team_sales = MoneyField(_("team paid sales at least"), default=0)
    min_settled_commission = MoneyField(_("settled commission at least"), default=0)

    class Meta:
        verbose_name = _("reseller level")
        verbose_name_plural = _("reseller levels")
        ordering = ["weight"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="reseller_level_single_default"),
            models.CheckConstraint(
                condition=Q(min_own_sales__gte=0, min_team_sales__gte=0, min_settled_commission__gte=0),
                name="reseller_level_conditions_not_negative",
                violation_error_message=_("Upgrade conditions cannot be negative.")),
            models.CheckConstraint(
                condition=Q(auto_upgrade=False) | Q(min_own_sales__gt=0) | Q(min_team_sales__gt=0)
                | Q(min_settled_commission__gt=0),
                name="reseller_level_auto_needs_a_sales_condition",
                violation_error_message=_("A level reached automatically needs at least one sales "
                                          "condition above zero.")),
        ]

    def __str__(self) -> str:
        return self.name


class BindSource(models.TextChoices):
    LINK = "link", _("share link")
    QR = "qr", _("QR code")
    CODE = "code", _("invite code")
    STAFF = "staff", _("staff")
    HANDOVER = "handover", _("handover")


class Member(MPTTModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="member", verbose_name=_("user"))
    # The index is (parent, id) below: children in join order, and the placement's
    # "next placed sibling by id" lookup.
    parent = TreeForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="children", db_index=False, verbose_name=_("upline"))
    # Unique through a Meta constraint, not unique=True: that would also add a
    # varchar_pattern_ops index on PostgreSQL, one more index every row write pays.
    invite_code = models.CharField(_("invite code"), max_length=16)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    bound_at = models.DateTimeField(_("bound at"), null=True, blank=True)
    bind_source = models.CharField(_("bound through"), max_length=10, choices=BindSource.choices,
                                   blank=True)
    is_reseller = models.BooleanField(_("reseller"), default=False)
    reseller_since = models.DateTimeField(_("reseller since"), null=True, blank=True)
    # No index: every index on this table is paid again by each row a placement rewrites.
    level = models.ForeignKey(ResellerLevel, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="members", db_index=False, verbose_name=_("level"))
    is_active = models.BooleanField(_("active"), default=True)
    # Maintained by the orders hook (paid minus refunded, this member's own purchases);
    # team sales are SUM(own_paid_sales) over the MPTT range.
    own_paid_sales = MoneyField(_("own paid sales"), default=0)

    # django-mptt's columns, declared here so that their types and indexes are ours:
    # 64-bit gapped numbers, and no single-column indexes (see the Meta indexes).
    lft = models.PositiveBigIntegerField(editable=False, default=0)
    rght = models.PositiveBigIntegerField(editable=False, default=0)
    tree_id = models.PositiveIntegerField(editable=False)
    depth = models.PositiveIntegerField(_("depth"), editable=False)

    class MPTTMeta:
        level_attr = "depth"  # ``level`` is the reseller level
        order_insertion_by = ["id"]  # siblings in join order: what partial_rebuild() gives

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["id"]
        indexes = [
            # Team figures: COUNT / SUM over (tree_id, lft) ranges as index-only scans.
            models.Index(fields=["tree_id", "lft"], include=["rght", "depth", "own_paid_sales"],
                         name="member_tree_lft_idx"),
            models.Index(fields=["parent", "id"], name="member_parent_id_idx"),
            # Pending placement: tiny, because placed rows are not in it.
            models.Index(fields=["tree_id"], condition=Q(lft=0), name="member_pending_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["invite_code"], name="member_invite_code_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="member_not_own_parent"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=0, lft=1) | Q(parent__isnull=False, depth__gt=0),
                name="member_root_shape",
            ),
            models.CheckConstraint(
                condition=Q(lft=0, rght=0) | Q(lft__gt=0, rght__gt=models.F("lft")),
                name="member_interval_shape",
            ),
            models.CheckConstraint(condition=Q(own_paid_sales__gte=0), name="member_sales_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.invite_code})"

    @property
    def is_placed(self) -> bool:
        return self.lft > 0

    def save(self, *args, **kwargs) -> None:
        """Save business fields only; never the tree columns.

        A full ``save()`` of an instance loaded before a placement would write stale
        ``lft``/``rght`` back and corrupt the tree, and django-mptt's own ``save()`` would
        renumber half the tree under no lock. So rows are created by
        ``member_create_for_user`` and moved by ``member_move``; here the tree columns are
        left out of every UPDATE.
        """
        if self._state.adding:
            raise TreeWriteRefused(
                "Create members with distribution.referral.services.members.member_create_for_user().")
        deferred = self.get_deferred_fields()
        cached_parent = self._mptt_cached_fields.get("parent", DeferredAttribute)
        if ("parent_id" not in deferred and cached_parent is not DeferredAttribute
                and self.parent_id != cached_parent):
            raise TreeWriteRefused(
                "Change an upline with distribution.referral.services.moves.member_move().")
        update_fields = kwargs.pop("update_fields", None)
        if update_fields is None:
            update_fields = [f.name for f in self._meta.concrete_fields
                             if not f.primary_key and f.name not in TREE_FIELDS
                             and f.attname not in deferred]
        elif TREE_FIELDS & set(update_fields):
            raise TreeWriteRefused("Tree columns are written by distribution.referral.tree only.")
        models.Model.save(self, *args, update_fields=update_fields, **kwargs)

    def delete(self, *args, **kwargs):
        raise TreeWriteRefused("Members are never deleted; deactivate them instead.")

    # django-mptt answers these with rght - lft arithmetic, which gaps make wrong.
    def get_descendant_count(self) -> int:
        if not self.is_placed:
            return 0
        return Member.objects.filter(tree_id=self.tree_id, lft__gt=self.lft, lft__lt=self.rght).count()

    def is_leaf_node(self) -> bool:
        return not Member.objects.filter(parent_id=self.pk).exists()

    def get_leafnodes(self, include_self: bool = False):
        return self.get_descendants(include_self=include_self).filter(children__isnull=True)
