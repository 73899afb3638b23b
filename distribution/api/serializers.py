"""Input and output shapes of the distribution API (reseller centre, team, levels).

Input serializers check shape only; the rules live in the services, whose domain errors
become ``{"code", "detail"}``. Money is a string with 2 decimals. Phones are masked.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.phone import mask_phone
from distribution.models import ApplicationState, JoinMode, Member, ResellerApplication, ResellerLevel

NULLABLE_URL = serializers.URLField(allow_null=True, help_text="Absolute URL, or null when there is none.")


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


# --- input -------------------------------------------------------------------------------------


class ApplySerializer(serializers.Serializer):
    real_name = serializers.CharField(max_length=40, help_text="2 to 20 characters.")
    contact_phone = serializers.CharField(max_length=20, help_text="Mainland China mobile number.")
    reason = serializers.CharField(max_length=600, required=False, allow_blank=True, default="",
                                   help_text="Optional, at most 500 characters.")


class BindSerializer(serializers.Serializer):
    invite_code = serializers.CharField(max_length=32, help_text="The inviter's code (case-insensitive).")


# --- output ------------------------------------------------------------------------------------


class LevelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResellerLevel
        fields = ["id", "name", "weight"]
        read_only_fields = fields


class LevelSerializer(serializers.ModelSerializer):
    min_own_sales = money(read_only=True)
    min_team_sales = money(read_only=True)
    min_settled_commission = money(read_only=True)

    class Meta:
        model = ResellerLevel
        fields = ["id", "name", "weight", "is_default", "auto_upgrade", "min_own_sales", "min_team_sales",
                  "min_settled_commission"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=ApplicationState.choices, read_only=True)
    contact_phone = serializers.SerializerMethodField(help_text="Masked: `138****1234`.")

    class Meta:
        model = ResellerApplication
        fields = ["id", "state", "real_name", "contact_phone", "reason", "created_at", "reviewed_at",
                  "reject_reason"]
        read_only_fields = fields

    def get_contact_phone(self, application: ResellerApplication) -> str:
        return mask_phone(application.contact_phone)


class UplineSerializer(serializers.Serializer):
    display_name = serializers.CharField(source="user.display_name",
                                         help_text="Nickname, or the masked phone without one.")


class DistributionMeSerializer(serializers.Serializer):
    """The signed-in member in the referral network (context: request, program, application,
    can_bind, poster_url)."""

    invite_code = serializers.CharField()
    share_url = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField(
        help_text="Resellers with a shop only, else null. Versioned: it changes when the poster does.")
    is_reseller = serializers.BooleanField()
    reseller_since = serializers.DateTimeField(allow_null=True)
    level = LevelBriefSerializer(allow_null=True)
    upline = UplineSerializer(source="parent", allow_null=True)
    can_bind = serializers.SerializerMethodField(
        help_text="Whether `distribution/bind/` can bind an inviter for this member now.")
    join_mode = serializers.SerializerMethodField()
    application = serializers.SerializerMethodField(help_text="The latest application, or null.")

    def _url(self, name: str, member: Member, suffix: str = "") -> str:
        path = reverse(name, args=[member.invite_code]) + suffix
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_share_url(self, member: Member) -> str:
        return self._url("distribution:share", member)

    def get_qr_url(self, member: Member) -> str:
        return self._url("distribution:share_qr", member)

    @extend_schema_field(NULLABLE_URL)
    def get_poster_url(self, member: Member) -> str | None:
        path = self.context.get("poster_url")
        if not path:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_can_bind(self, member: Member) -> bool:
        return bool(self.context.get("can_bind"))

    @extend_schema_field(serializers.ChoiceField(choices=JoinMode.choices))
    def get_join_mode(self, member: Member) -> str:
        return self.context["program"].join_mode

    @extend_schema_field(ApplicationSerializer(allow_null=True))
    def get_application(self, member: Member) -> dict | None:
        application = self.context.get("application")
        return ApplicationSerializer(application).data if application is not None else None


class TeamSummarySerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="Every member of the team (fresh within 30 s of a sign-up).")
    direct_count = serializers.IntegerField(help_text="Tier 1: direct downlines.")
    tier2_count = serializers.IntegerField(help_text="Tier 2: downlines of direct downlines.")
    paid_sales = money(help_text="The team's paid sales (paid minus refunded).")


class DownlineSerializer(serializers.ModelSerializer):
    nickname = serializers.CharField(source="user.nickname")
    phone = serializers.CharField(source="user.masked_phone", help_text="Masked: `138****1234`.")
    own_paid_sales = money()
    level_name = serializers.SerializerMethodField(help_text="The reseller level's name; empty for others.")

    class Meta:
        model = Member
        fields = ["nickname", "phone", "joined_at", "is_reseller", "level_name", "own_paid_sales"]
        read_only_fields = fields


    def get_level_name(self, obj: Member) -> str:
        return obj.level.name if obj.is_reseller and obj.level_id else ""


class ConditionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`own_sales`, `team_sales` or `settled_commission`.")
    required = money()
    current = money()
    met = serializers.BooleanField()
    percent = serializers.IntegerField(min_value=0, max_value=100)


class FiguresSerializer(serializers.Serializer):
    own_sales = money()
    team_sales = money()
    settled_commission = money()


class LevelsSerializer(serializers.Serializer):
    current = LevelBriefSerializer(allow_null=True)
    next_level = LevelBriefSerializer(allow_null=True, help_text="The next level reached automatically.")
    conditions = ConditionSerializer(many=True, help_text="The next level's conditions and my progress.")
    figures = FiguresSerializer(help_text="My sales figures.")
    levels = LevelSerializer(many=True)
