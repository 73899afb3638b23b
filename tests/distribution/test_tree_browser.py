"""The staff referral-tree browser: search, chain, downlines, moves, permissions, no internals."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from distribution.models import BindingHistory, Member
from distribution.referral.browser import selectors
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact, snapshot
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("admin:distribution_member_tree")


def _staff(client, *codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="distribution",
                                                         codename__in=codenames))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def viewer(client):
    return _staff(client, "view_member")


@pytest.fixture
def mover(client):
    return _staff(client, "view_member", "change_member")


def _member(phone: str, nickname: str = "", parent: Member | None = None, **fields) -> Member:
    return MemberFactory(user=UserFactory(phone=phone, nickname=nickname), parent=parent, **fields)


def _result_ids(response) -> list[int]:
    html = response.content.decode()
    pattern = r'data-testid="result">\s*<a class="tree-name" href="[^"]*/tree/(\d+)/"'
    return [int(pk) for pk in re.findall(pattern, html)]


# --- search --------------------------------------------------------------------------


def test_search_by_full_phone_finds_the_member_and_shows_the_number_masked(viewer):
    member = _member("13812345678", "小雨")
    _member("13912345678", "阿杰")

    response = viewer.get(SEARCH, {"q": "138 1234 5678"})

    assert response.status_code == 200
    assert _result_ids(response) == [member.pk]
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html.replace('value="138 1234 5678"', "")


def test_search_by_last_4_digits_is_ambiguous_and_paginated(viewer):
    same = [_member(f"13{i:05d}4321", f"尾号{i}") for i in range(25)]
    _member("13800001234", "别的尾号")
    assert {m.user.phone[-4:] for m in same} == {"4321"}

    first = viewer.get(SEARCH, {"q": "4321"})
    second = viewer.get(SEARCH, {"q": "4321", "kind": "last4", "page": 2})

    assert _result_ids(first) == [m.pk for m in same[:20]]
    assert 'data-testid="next"' in first.content.decode()
    assert _result_ids(second) == [m.pk for m in same[20:]]
    assert 'data-testid="next"' not in second.content.decode()
    assert 'data-testid="previous"' in second.content.decode()


def test_search_by_invite_code_in_any_case(viewer):
    member = _member("13800000001")
    _member("13800000002")

    response = viewer.get(SEARCH, {"q": member.invite_code.lower()})

    assert _result_ids(response) == [member.pk]


def test_search_by_nickname_prefix(viewer):
    wang = [_member(f"1380000000{i}", f"王小{i}") for i in range(3)]
    _member("13800000009", "李王")

    auto = viewer.get(SEARCH, {"q": "王小"})
    explicit = viewer.get(SEARCH, {"q": "王", "kind": "nickname"})

    assert _result_ids(auto) == [m.pk for m in wang]
    assert _result_ids(explicit) == [m.pk for m in wang]


def test_a_search_that_matches_nothing_says_so(viewer):
    _member("13800000001", "小雨")

    response = viewer.get(SEARCH, {"q": "9999"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert _result_ids(response) == []
    assert "没有找到" in response.content.decode()


def test_search_kind_reads_the_query():
    member = _member("13800000001", "ABCDEFGH")

    assert selectors.search_kind("13800000001") == "phone"
    assert selectors.search_kind("0001") == "last4"
    assert selectors.search_kind(member.invite_code) == "code"
    assert selectors.search_kind("ABCDEFGH") == "nickname"  # code-shaped, but nobody has that code
    assert list(selectors.member_search(query="12a4", kind="last4")) == []
    assert list(selectors.member_search(query="x", kind="bogus")) == []


@pytest.mark.postgres
def test_last_4_and_nickname_searches_can_use_their_indexes():
    from django.db import connection, transaction

    queries = [selectors.member_search(query="4321", kind="last4"),
               selectors.member_search(query="王", kind="nickname")]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for queryset in queries:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    assert "user_phone_last4_idx" in plans[0]
    assert "user_nickname_prefix_idx" in plans[1]


# --- the member page: chain, downlines ---------------------------------------------


def test_the_member_page_shows_the_chain_from_the_root(viewer):
    root = _member("13800000001", "根")
    a = _member("13800000002", "甲", parent=root)
    b = _member("13800000003", "乙", parent=a)
    c = _member("13800000004", "丙", parent=b)
    _member("13800000005", "旁支", parent=a)

    html = viewer.get(reverse("admin:distribution_member_tree_member", args=[c.pk])).content.decode()

    chain = re.findall(r'data-testid="chain-upline"><a href="[^"]*/tree/(\d+)/"', html)
    assert [int(pk) for pk in chain] == [root.pk, a.pk, b.pk]
    assert [m.pk for m in selectors.upline_chain(member=c)] == [root.pk, a.pk, b.pk]
    assert selectors.upline_chain(member=root) == []


def test_downlines_are_paginated_with_team_figures(viewer):
    parent = _member("13800000001", "上级")
    children = [_member(f"1380001{i:04d}", f"下级{i}", parent=parent) for i in range(23)]
    _member("13800020001", "孙一", parent=children[0], own_paid_sales=Decimal("12.30"))
    _member("13800020002", "孙二", parent=children[0], own_paid_sales=Decimal("0.70"))

    html = viewer.get(reverse("admin:distribution_member_tree_member", args=[parent.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    fragment = viewer.get(reverse("admin:distribution_member_tree_children", args=[parent.pk]),
                          {"page": 2}).content.decode()
    expanded = viewer.get(reverse("admin:distribution_member_tree_children", args=[children[0].pk]))

    listed = [int(pk) for pk in re.findall(r'data-testid="downline" data-member="(\d+)"', html)]
    assert listed == [m.pk for m in children[:20]]
    assert 'data-testid="more"' in html
    assert [int(pk) for pk in re.findall(r'data-member="(\d+)"', fragment)] == [m.pk for m in children[20:]]
    assert 'data-testid="more"' not in fragment
    assert len(re.findall(r'data-testid="downline"', expanded.content.decode())) == 2
    first = selectors.downlines_page(member=parent).rows[0]
    assert (first.member.pk, first.direct_count, first.team.size, first.team.paid_sales) == (
        children[0].pk, 2, 2, Decimal("13.00"))
    assert "团队 2 人" in html and "¥13.00" in html
    assert 'data-testid="member-team-size">25<' in html


def test_team_figures_of_a_pending_downline_are_zero_until_placed(viewer):
    parent = _member("13800000001", "上级")
    pending = _member("13800000002", "刚加入", parent=parent, place=False)

    row = selectors.downlines_page(member=parent).rows[0]

    assert (row.member.pk, row.team.size, row.team.paid_sales) == (pending.pk, 0, Decimal("0.00"))


def test_no_tree_internals_on_any_browser_page(mover):
    root = _member("13800000001", "根")
    member = _member("13800000002", "甲", parent=root)
    _member("13800000003", "乙", parent=member)
    member.refresh_from_db()
    pages = [reverse("admin:distribution_member_tree_member", args=[member.pk]),
             reverse("admin:distribution_member_tree_children", args=[root.pk]),
             reverse("admin:distribution_member_tree_move", args=[member.pk]),
             reverse("admin:distribution_member_tree_handover", args=[member.pk]),
             f"{SEARCH}?q=0002"]

    for url in pages:
        for language in ("en", "zh-hans"):
            html = mover.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            for internal in ("tree_id", "tree id", "lft", "rght", "depth", "层级", "深度"):
                assert internal not in html.lower(), (url, internal)
            for number in (member.lft, member.rght, root.rght):  # gapped numbers: long, unmistakable
                assert len(str(number)) > 6 and str(number) not in html, (url, number)
            assert "13800000002" not in html


# --- moves and handovers --------------------------------------------------------------


def test_move_a_member_through_the_browser_with_a_reason(mover):
    root, other = _member("13800000001", "根"), _member("13800000009", "新上级")
    member = _member("13800000002", "甲", parent=root)
    url = reverse("admin:distribution_member_tree_move", args=[member.pk])
    before = snapshot()

    confirm = mover.post(url, {"new_upline": other.user.phone, "reason": "客户申诉"},
                         HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert confirm.status_code == 200
    assert 'data-testid="confirm-summary"' in confirm.content.decode()
    assert "新上级" in confirm.content.decode()
    assert snapshot() == before  # the first step changes nothing

    done = mover.post(url, {"new_upline": other.user.phone, "reason": "客户申诉", "confirmed": "1"})

    assert done.status_code == 302
    assert done["Location"] == reverse("admin:distribution_member_tree_member", args=[member.pk])
    assert Member.objects.get(pk=member.pk).parent_id == other.pk
    history = BindingHistory.objects.get(member=member, source="staff")
    assert (history.operator_id, history.reason, history.old_parent_id) == (
        mover.user.pk, "客户申诉", root.pk)
    assert_forest_exact()


def test_moving_under_own_downline_is_refused_in_chinese_and_changes_nothing(mover):
    root = _member("13800000001", "根")
    member = _member("13800000002", "甲", parent=root)
    downline = _member("13800000003", "乙", parent=member)
    url = reverse("admin:distribution_member_tree_move", args=[member.pk])
    before = snapshot()

    step = mover.post(url, {"new_upline": downline.invite_code, "reason": "x"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    forced = mover.post(url, {"new_upline": downline.invite_code, "reason": "x", "confirmed": "1"},
                        HTTP_ACCEPT_LANGUAGE="zh-hans")

    for response in (step, forced):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="write-error"' in html
        assert "不能绑定自己或自己团队中的成员为上级" in html
        assert 'data-testid="confirm-summary"' not in html
    assert snapshot() == before


def test_a_move_without_a_reason_or_to_an_unknown_code_changes_nothing(mover):
    root = _member("13800000001", "根")
    member = _member("13800000002", "甲", parent=root)
    url = reverse("admin:distribution_member_tree_move", args=[member.pk])
    before = snapshot()

    no_reason = mover.post(url, {"new_upline": "", "reason": "", "confirmed": "1"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    unknown = mover.post(url, {"new_upline": "ZZZZZZZZ", "reason": "x", "confirmed": "1"},
                         HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert no_reason.status_code == unknown.status_code == 200
    assert "该字段是必填项" in no_reason.content.decode()
    assert "邀请码不存在" in unknown.content.decode()
    assert snapshot() == before


def test_make_a_member_a_root_through_the_browser(mover):
    root = _member("13800000001", "根")
    member = _member("13800000002", "甲", parent=root)
    url = reverse("admin:distribution_member_tree_move", args=[member.pk])

    response = mover.post(url, {"new_upline": "", "reason": "独立", "confirmed": "1"})

    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).parent_id is None
    assert_forest_exact()


def test_hand_over_a_team_through_the_browser(mover):
    root = _member("13800000001", "根")
    departing = _member("13800000002", "离职", parent=root)
    successor = _member("13800000003", "接手", parent=root)
    direct = _member("13800000004", "下级", parent=departing)
    grand = _member("13800000005", "孙", parent=direct)
    url = reverse("admin:distribution_member_tree_handover", args=[departing.pk])
    data = {"to": successor.invite_code, "scope": "team", "reason": "离职交接"}

    confirm = mover.post(url, data)
    assert 'data-testid="confirm-summary"' in confirm.content.decode()
    assert Member.objects.get(pk=direct.pk).parent_id == departing.pk

    done = mover.post(url, {**data, "confirmed": "1"})

    assert done.status_code == 302
    assert [Member.objects.get(pk=m.pk).parent_id for m in (direct, grand)] == [successor.pk, successor.pk]
    history = BindingHistory.objects.filter(source="handover").values_list("member_id", "reason",
                                                                           "operator_id")
    assert set(history) == {(direct.pk, "离职交接", mover.user.pk), (grand.pk, "离职交接", mover.user.pk)}
    assert_forest_exact()


def test_handing_over_to_someone_in_the_team_is_refused(mover):
    root = _member("13800000001", "根")
    departing = _member("13800000002", "离职", parent=root)
    direct = _member("13800000003", "下级", parent=departing)
    url = reverse("admin:distribution_member_tree_handover", args=[departing.pk])
    before = snapshot()

    response = mover.post(url, {"to": direct.invite_code, "scope": "direct", "reason": "x", "confirmed": "1"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "不能绑定自己或自己团队中的成员为上级" in response.content.decode()
    assert snapshot() == before


# --- permissions ------------------------------------------------------------------------


def test_staff_without_the_view_permission_get_403(client):
    staff = _staff(client)  # staff, but no distribution permission
    member = _member("13800000001", "甲")
    urls = [SEARCH, reverse("admin:distribution_member_tree_member", args=[member.pk]),
            reverse("admin:distribution_member_tree_children", args=[member.pk]),
            reverse("admin:distribution_member_tree_move", args=[member.pk]),
            reverse("admin:distribution_member_tree_handover", args=[member.pk])]

    assert [staff.get(url).status_code for url in urls] == [403] * 5


def test_viewers_cannot_move_or_hand_over(viewer):
    root, other = _member("13800000001", "根"), _member("13800000009", "新上级")
    member = _member("13800000002", "甲", parent=root)
    _member("13800000003", "乙", parent=member)
    before = snapshot()

    page = viewer.get(reverse("admin:distribution_member_tree_member", args=[member.pk])).content.decode()
    move = viewer.post(reverse("admin:distribution_member_tree_move", args=[member.pk]),
                       {"new_upline": other.invite_code, "reason": "x", "confirmed": "1"})
    handover = viewer.post(reverse("admin:distribution_member_tree_handover", args=[member.pk]),
                           {"to": other.invite_code, "scope": "direct", "reason": "x", "confirmed": "1"})

    assert 'data-testid="move"' not in page and 'data-testid="handover"' not in page
    assert (move.status_code, handover.status_code) == (403, 403)
    assert snapshot() == before


def test_non_staff_are_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get(SEARCH)

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_member_list_and_change_page_link_to_the_browser(client):
    admin_client = _staff(client, "view_member", "change_member")
    member = _member("13800000001", "甲")

    listing = admin_client.get(reverse("admin:distribution_member_changelist")).content.decode()
    change = admin_client.get(reverse("admin:distribution_member_change", args=[member.pk])).content.decode()

    assert SEARCH in listing
    assert reverse("admin:distribution_member_tree_member", args=[member.pk]) in change


def test_big_teams_show_their_precomputed_figures_and_when(viewer):
    from django.utils import timezone

    from distribution.models import TeamRollup

    root = _member("13800000001", "根")
    child = _member("13800000002", "甲", parent=root)
    TeamRollup.objects.create(member=child, team_size=12345, team_sales=Decimal("678.90"),
                              computed_at=timezone.now())

    html = viewer.get(reverse("admin:distribution_member_tree_member", args=[root.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "团队 12345 人" in html and "¥678.90" in html
    assert 'data-testid="as-of"' in html
    assert 'data-testid="member-team-size">1<' in html  # the root's own team is small: live


def test_handing_over_without_downlines_is_refused_before_the_confirm_page(mover):
    root = _member("13800000001", "根")
    lonely = _member("13800000002", "无下级", parent=root)
    other = _member("13800000003", "接手", parent=root)
    before = snapshot()

    response = mover.post(reverse("admin:distribution_member_tree_handover", args=[lonely.pk]),
                          {"to": other.invite_code, "scope": "direct", "reason": "x"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert 'data-testid="confirm-summary"' not in html
    assert "该会员没有可交接的下级" in html
    assert snapshot() == before
