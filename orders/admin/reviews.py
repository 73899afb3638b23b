"""口碑 moderation: staff read the reviews and hide one with a reason (or show it again);
each decision is a ``ReviewModeration`` row (who, when, why), shown on the review's page."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, ReadOnlyInline, action_form_page
from orders.models import Review, ReviewModeration, ReviewPhoto
from orders.services.review import review_hide, review_unhide


class ReviewPhotoInline(ReadOnlyInline):
    model = ReviewPhoto
    fields = ("preview", "width", "height", "size")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, photo: ReviewPhoto) -> str:
        url = reverse("orders:review_photo", args=[photo.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" '
            'style="max-width:160px;max-height:160px;border-radius:4px"></a>',
            url,
            url,
        )


class ReviewModerationInline(ReadOnlyInline):
    model = ReviewModeration
    fields = ("action", "reason", "actor", "created_at")
    readonly_fields = fields


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = (
        "id", "product", "rating", "short_text", "reviewer", "is_hidden", "hidden_reason", "created_at",
    )  # fmt: skip
    list_filter = ("is_hidden", "rating", "created_at")
    search_fields = ("product__title", "order_item__order__number", "text")
    list_select_related = ("product", "user")
    fields = (
        "product", "order_item", "reviewer", "rating", "text", "is_hidden", "hidden_reason", "hidden_by",
        "hidden_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (ReviewPhotoInline, ReviewModerationInline)
    actions = ("hide_reviews", "unhide_reviews")

    @admin.display(description=_("review"))
    def short_text(self, review: Review) -> str:
        return review.text[:40] + ("…" if len(review.text) > 40 else "")

    @admin.display(description=_("member"))
    def reviewer(self, review: Review) -> str:
        return review.user.masked_phone  # PIPL: staff lists show masked numbers

    def _moderate(
        self, request: HttpRequest, queryset: QuerySet[Review], *, hide: bool
    ) -> HttpResponse | None:
        service = review_hide if hide else review_unhide

        def run(review: Review, data: Mapping[str, Any]) -> object:
            return service(review_id=review.pk, actor=request.user, reason=data["reason"])

        return action_form_page(
            self, request, queryset,
            title=str(_("Hide reviews") if hide else _("Show reviews again")),
            action="hide_reviews" if hide else "unhide_reviews",
            form_class=ReasonForm, run=run,
            intro=str(_("The reason is kept with the review, with your name and the time.")),
        )  # fmt: skip

    @admin.action(description=_("Hide the selected reviews (with a reason)"), permissions=["moderate"])
    def hide_reviews(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return self._moderate(request, queryset, hide=True)

    @admin.action(description=_("Show the selected reviews again (with a reason)"), permissions=["moderate"])
    def unhide_reviews(self, request: HttpRequest, queryset: QuerySet[Review]) -> HttpResponse | None:
        return self._moderate(request, queryset, hide=False)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        # The records stay read-only; hiding is an action for staff with the change permission.
        return request.user.has_perm("orders.change_review")
