"""The staff referral-tree browser (推荐关系浏览), admin views of the member ModelAdmin.

- search: a member by full mobile number, last 4 digits, invite code or nickname prefix;
- a member's page: the upline chain to the root, their team figures, and their direct
  downlines a page at a time; each downline expands in place (a small HTML fragment,
  ``children``) and every list pages on with "more";
- move a member / hand over a team: a form, then a confirm page that says what will
  happen, then the existing services (``referral/services/moves.py``: locks, history,
  placement). A refusal is shown in the staff's language and changes nothing.

Viewing needs ``distribution.view_member``; moving and handing over need
``distribution.change_member`` (the permission of the member admin's Move / Hand over
pages). Phone numbers are masked everywhere (PIPL); the full number is only ever typed
in, as a search. Nested-set internals (tree id, left/right numbers, depth) are never shown.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from common.db_routing import replica_view
from common.errors import DomainError
from distribution.admin_common import member_label
from distribution.models import Member
from distribution.referral.browser import selectors
from distribution.referral.browser.forms import BrowserHandoverForm, BrowserMoveForm, SearchForm
from distribution.referral.errors import NothingToHandOver, SameUpline
from distribution.referral.services.moves import member_handover, member_move

VIEW_PERMISSION = "distribution.view_member"
CHANGE_PERMISSION = "distribution.change_member"
TEMPLATES = "admin/distribution/member/browser/"


def browser_urls(model_admin: admin.ModelAdmin) -> list:
    """The browser's URLs, to put first in the member ModelAdmin's ``get_urls``."""
    def wrap(view: Callable) -> Callable:
        def run(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return view(model_admin, request, *args, **kwargs)
        return model_admin.admin_site.admin_view(run)

    return [
        path("tree/", wrap(search_view), name="distribution_member_tree"),
        path("tree/<int:pk>/", wrap(member_view), name="distribution_member_tree_member"),
        path("tree/<int:pk>/children/", wrap(children_view), name="distribution_member_tree_children"),
        path("tree/<int:pk>/move/", wrap(move_view), name="distribution_member_tree_move"),
        path("tree/<int:pk>/handover/", wrap(handover_view), name="distribution_member_tree_handover"),
    ]


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": Member._meta,
            "can_change": request.user.has_perm(CHANGE_PERMISSION), **extra}


def _member(pk: int) -> Member:
    return get_object_or_404(Member.objects.select_related("user", "level"), pk=pk)


@replica_view  # figures only: may read the replica (common/db_routing.py)
def search_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        found = selectors.member_search(query=data["q"], kind=data["kind"] or selectors.SearchKind.AUTO)
        page = selectors.page_of(found, number=data["page"] or 1, size=selectors.SEARCH_PAGE_SIZE)
    return TemplateResponse(request, TEMPLATES + "search.html", _context(
        model_admin, request, title=_("Referral tree"), form=form, page=page,
        query=request.GET.copy()))


@replica_view
def member_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, VIEW_PERMISSION)
    member = _member(pk)
    team, direct_count = selectors.member_summary(member=member)
    return TemplateResponse(request, TEMPLATES + "member.html", _context(
        model_admin, request, title=_("Referral tree"), member=member, team=team,
        direct_count=direct_count, chain=selectors.upline_chain(member=member),
        page=selectors.downlines_page(member=member), search_form=SearchForm()))


@replica_view
def children_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    """A fragment: one page of ``pk``'s direct downlines as list items (and "more")."""
    _require(request, VIEW_PERMISSION)
    member = _member(pk)
    page = selectors.downlines_page(member=member, number=_page_number(request))
    return TemplateResponse(request, TEMPLATES + "children.html", {"member": member, "page": page})


def _write_step(model_admin: admin.ModelAdmin, request: HttpRequest, member: Member, *, form_class,
                title, describe: Callable[[dict], tuple[str, Callable[[], str]]]) -> HttpResponse:
    """Form → confirm → service. ``describe(cleaned_data)`` resolves the input and returns
    what the confirm page says and the call that does it; a ``DomainError`` from either
    goes back to the form, and nothing is changed."""
    form = form_class(request.POST if request.method == "POST" else None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary, run = describe(form.cleaned_data)
            if request.POST.get("confirmed") == "1":
                done = run()
                model_admin.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:distribution_member_tree_member",
                                                    args=[member.pk]))
        except DomainError as exc:
            form.add_error(None, exc.message)
            summary = None
    return TemplateResponse(request, TEMPLATES + "write.html", _context(
        model_admin, request, title=title, member=member, form=form, summary=summary,
        chain=selectors.upline_chain(member=member)))


def move_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    member = _member(pk)

    def describe(data: dict) -> tuple[str, Callable[[], str]]:
        code = data["new_upline"].strip()
        new_parent = selectors.member_by_code_or_phone(code) if code else None
        refusal = selectors.move_refusal(member=member, new_parent=new_parent)
        if refusal is not None:
            raise refusal
        team, _direct = selectors.member_summary(member=member)
        values = {"member": member_label(member), "size": team.size,
                  "upline": member_label(new_parent) if new_parent else ""}
        if new_parent is None:
            text = _("%(member)s and their team of %(size)s will become a tree of their own.") % values
        else:
            text = _("%(member)s and their team of %(size)s will move under %(upline)s.") % values

        def run() -> str:
            member_move(member=member, new_parent=new_parent, operator=request.user, reason=data["reason"])
            return str(_("The member was moved."))
        return str(text), run

    return _write_step(model_admin, request, member, form_class=BrowserMoveForm, title=_("Move member"),
                       describe=describe)


def handover_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, CHANGE_PERMISSION)
    member = _member(pk)

    def describe(data: dict) -> tuple[str, Callable[[], str]]:
        to = selectors.member_by_code_or_phone(data["to"])
        if not Member.objects.filter(parent_id=member.pk).exists():
            raise NothingToHandOver()
        refusal = selectors.move_refusal(member=member, new_parent=to)
        if refusal is not None and not isinstance(refusal, SameUpline):
            raise refusal
        values = {"member": member_label(member), "to": member_label(to)}
        if data["scope"] == "direct":
            text = _("The direct downlines of %(member)s, each with their own team, will move under %(to)s.")
        else:
            text = _("Every member of the team of %(member)s will become a direct downline of %(to)s.")

        def run() -> str:
            count = member_handover(departing=member, to=to, scope=data["scope"], operator=request.user,
                                    reason=data["reason"])
            return str(_("%(count)s members were handed over.") % {"count": count})
        return str(text % values), run

    return _write_step(model_admin, request, member, form_class=BrowserHandoverForm,
                       title=_("Hand over downlines"), describe=describe)
