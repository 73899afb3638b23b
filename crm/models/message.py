"""The one outbox: every message to a member, whatever made it (pack, SOP, repurchase
reminder, staff), goes through ``Message`` and the dispatcher (``services/dispatch.py``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("in-site message")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat subscribe message")


class QuietPolicy(models.TextChoices):
    DEFER = "defer", _("defer until quiet hours end")
    DROP = "drop", _("drop")


class SourceKind(models.TextChoices):
    PACK = "pack", _("audience pack")
    SOP = "sop", _("SOP step")
    REPURCHASE = "repurchase", _("repurchase reminder")
    STAFF = "staff", _("staff")


class MessageTemplate(models.Model):
    """Text with variables ``{nickname}``, ``{product}``, ``{coupon}`` (``crm/rendering.py``)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.INBOX)
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=200, blank=True,
                            help_text=_("A page of this site, starting with /, e.g. /p/12/."))
    quiet_policy = models.CharField(_("in quiet hours"), max_length=10, choices=QuietPolicy.choices,
                                    default=QuietPolicy.DEFER)
    # Optional integration point for the promotions app (not a dependency): the key of a
    # coupon template granted with the message through settings.CRM_COUPON_GRANT.
    coupon_template = models.CharField(_("coupon template key"), max_length=64, blank=True)
    wechat_template_id = models.CharField(_("WeChat template id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.name


class MessageState(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    SKIPPED_CAP = "skipped_cap", _("skipped by the cap")
    DROPPED_QUIET = "dropped_quiet", _("dropped in quiet hours")
    SKIPPED_CONSENT = "skipped_consent", _("no consent or unsubscribed")


class Delivery(models.TextChoices):
    NONE = "", _("not sent")
    PENDING = "pending", _("handing to the provider")
    SENDING = "sending", _("with the provider")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    LOST = "lost", _("outcome unknown (not retried)")


class Message(models.Model):
    State = MessageState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="crm_messages", verbose_name=_("member"))
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="messages", verbose_name=_("template"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    quiet_policy = models.CharField(_("in quiet hours"), max_length=10, choices=QuietPolicy.choices)
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=200, blank=True)
    coupon_template = models.CharField(_("coupon template key"), max_length=64, blank=True)
    source_kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    # One message per (source, member, occasion): a retried enqueue inserts nothing.
    dedupe_key = models.CharField(_("dedupe key"), max_length=120, unique=True)
    priority = models.SmallIntegerField(_("priority"), default=0, help_text=_("Higher goes first."))
    state = models.CharField(_("state"), max_length=16, choices=MessageState.choices,
                             default=MessageState.QUEUED)
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    deferred_count = models.PositiveSmallIntegerField(_("times deferred"), default=0)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True,
                                default=Delivery.NONE)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_error = models.CharField(_("delivery error"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["not_before", "id"], name="crm_msg_due",
                         condition=Q(state=MessageState.QUEUED)),
            models.Index(fields=["user", "sent_at"], name="crm_msg_user_sent",
                         condition=Q(sent_at__isnull=False)),
            models.Index(fields=["source_kind", "source_id"], name="crm_msg_source"),
            models.Index(fields=["user", "-sent_at"], name="crm_msg_inbox",
                         condition=Q(channel=Channel.INBOX, state=MessageState.SENT)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=MessageState.SENT, sent_at__isnull=False)
                | (~Q(state=MessageState.SENT) & Q(sent_at__isnull=True)),
                name="crm_msg_sent_at_iff_sent"),
        ]

    def __str__(self) -> str:
        return self.title
