"""The distribution part of ``/api/v1/``: my place in the referral network, joining or
applying as a reseller, binding an inviter, my team and the levels.

Every endpoint is about the signed-in member ("my team"): there is no member id in any
URL, so nobody can ask for someone else's team (I7). Views only orchestrate: an input
serializer checks the shape, a service writes or a selector reads, an output serializer
shapes the answer. Domain errors become ``{"code", "detail"}`` (``common.api``).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import PAGE_NOT_FOUND, UNAUTHENTICATED, error_response, validated, validation_error_response
from common.db_routing import replica_reads
from common.http import client_ip
from distribution.api import serializers as s
from distribution.funnel.team import member_team_list, team_query
from distribution.models import BindSource, Member
from distribution.referral import selectors as referral_selectors
from distribution.referral.poster import poster_spec, poster_versioned_url
from distribution.referral.services.binding import member_bind
from distribution.referral.services.members import member_get_or_create_for_user
from distribution.reseller import selectors as reseller_selectors
from distribution.reseller.errors import ApplicationNotFound
from distribution.reseller.services.resellers import (
    reseller_application_withdraw,
    reseller_apply,
    reseller_join,
    reseller_program_get,
)

NETWORK = "referral network"
TEAM = "team"

JOIN_CONFLICT = error_response("Already a reseller (`already_reseller`), the programme does not take "
                               "members by themselves (`join_not_open`), or the account is suspended "
                               "(`member_inactive`).")
APPLY_CONFLICT = error_response(
    "Already a reseller (`already_reseller`), an application is already waiting "
    "(`application_already_open`), the programme is open to everyone (`join_directly`) or staff-only "
    "(`resellers_designated_only`), or the account is suspended (`member_inactive`).")


class DownlinePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 50


def _me(request: Request) -> Member:
    member = member_get_or_create_for_user(user=request.user)
    return Member.objects.select_related("user", "level", "parent__user").get(pk=member.pk)


def _me_data(request: Request, member: Member) -> dict[str, Any]:
    context = {
        "request": request, "program": reseller_program_get(),
        "can_bind": referral_selectors.member_can_bind(member=member),
        "application": reseller_selectors.reseller_application_latest(member=member),
        "poster_url": poster_versioned_url(poster_spec(request=request, member=member)),
    }
    return s.DistributionMeSerializer(member, context=context).data


class DistributionMeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[NETWORK], summary="My invite code, share links, level and reseller status",
                   responses={200: s.DistributionMeSerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        return Response(_me_data(request, _me(request)))


class JoinView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NETWORK], summary="Become a reseller at once (when the programme is open to everyone)",
        description="Free: no fee and no purchase. Opens my shop if I have none.", request=None,
        responses={200: s.DistributionMeSerializer, 401: UNAUTHENTICATED, 409: JOIN_CONFLICT},
    )
    def post(self, request: Request) -> Response:
        member = reseller_join(member=_me(request))
        return Response(_me_data(request, member))


class ApplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NETWORK], summary="Apply to become a reseller (staff review it)",
        request=s.ApplySerializer,
        responses={
            201: s.ApplicationSerializer,
            400: validation_error_response("`real_name_invalid`, `contact_phone_invalid`, "
                                           "`application_reason_too_long`, or invalid input (`invalid`)."),
            401: UNAUTHENTICATED, 409: APPLY_CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ApplySerializer, request.data)
        application = reseller_apply(member=_me(request), **data)
        return Response(s.ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[NETWORK], summary="Withdraw my application while it waits for review",
        responses={200: s.ApplicationSerializer, 401: UNAUTHENTICATED,
                   404: error_response("I have no application (`application_not_found`)."),
                   409: error_response("It was already reviewed or withdrawn (`application_not_open`).")},
    )
    def delete(self, request: Request) -> Response:
        member = _me(request)
        application = reseller_selectors.reseller_application_latest(member=member)
        if application is None:
            raise ApplicationNotFound()
        application = reseller_application_withdraw(application=application, member=member)
        return Response(s.ApplicationSerializer(application).data)


class BindView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NETWORK], summary="Bind an inviter by their invite code",
        description="Allowed by the bind mode only (by default: unbound members, shortly after sign-up).",
        request=s.BindSerializer,
        responses={
            200: s.DistributionMeSerializer,
            400: validation_error_response("`invite_code_malformed`, `invite_code_own`, or invalid "
                                           "input (`invalid`)."),
            401: UNAUTHENTICATED,
            404: error_response("No member has this code (`invite_code_unknown`)."),
            409: error_response("`already_bound`, `binding_window_closed`, `binding_cycle`, `tree_busy`."),
            429: error_response("Too many invite-code attempts (`invite_rate_limited`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.BindSerializer, request.data)
        member_bind(member=_me(request), invite_code=data["invite_code"], source=BindSource.CODE,
                    ip=client_ip(request))
        return Response(_me_data(request, _me(request)))


class TeamView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TEAM], summary="My team: size, tier-1 and tier-2 counts, team sales",
                   responses={200: s.TeamSummarySerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        member = _me(request)
        with replica_reads():  # figures only: may read the replica (common/db_routing.py)
            return Response(s.TeamSummarySerializer(reseller_selectors.team_summary(member=member)).data)


class DownlinesView(ListAPIView):
    permission_classes = [IsAuthenticated]
    queryset = Member.objects.none()  # for the schema generator; get_queryset asks the selector
    serializer_class = s.DownlineSerializer
    pagination_class = DownlinePagination
    filter_backends: list = []

    @extend_schema(tags=[TEAM], summary="My tier-1 or tier-2 downlines (phones masked)",
                   description="In join order by default; `sort=sales` puts the best sellers first. "
                               "`q` searches the nickname, or the last 4 digits of the phone.",
                   parameters=[OpenApiParameter("tier", int, enum=[1, 2]),
                               OpenApiParameter("q", str),
                               OpenApiParameter("sort", str, enum=["joined", "sales"])],
                   responses={200: s.DownlineSerializer, 401: UNAUTHENTICATED, 404: PAGE_NOT_FOUND,
                              400: error_response("`team_filter_invalid`.")})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.member = _me(request)  # who is asking: from the primary
        with replica_reads():  # the page of downlines: may read the replica
            return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Member]:
        params = self.request.query_params
        query = team_query(tier=params.get("tier"), q=params.get("q"), sort=params.get("sort"))
        member = getattr(self, "member", None) or _me(self.request)
        return member_team_list(member=member, query=query)


class LevelsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TEAM], summary="The reseller levels, my level and my progress to the next one",
        description="Levels go up on sales only (own, team, settled commission), never on headcount.",
        responses={200: s.LevelsSerializer, 401: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        member = _me(request)
        figures = reseller_selectors.member_sales_figures(member=member)
        progress = reseller_selectors.level_progress(member=member, figures=figures)
        return Response(s.LevelsSerializer({
            "current": progress.current, "next_level": progress.next_level,
            "conditions": progress.conditions, "figures": figures, "levels": progress.levels,
        }).data)
