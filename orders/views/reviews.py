"""口碑: the buyer's review form for one received item, a product's reviews page, and the
review photos (public while the review is visible)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.errors import DomainError
from mall.selectors import product_get
from orders import selectors
from orders.errors import OrderItemNotFound
from orders.forms import ReviewForm
from orders.models import MAX_REVIEW_PHOTOS, OrderItem
from orders.services.photos import photo_content_type
from orders.services.review import REVIEWABLE_STATES, review_create
from orders.views._common import domain_404

PAGE_SIZE = 10


def _item(request: HttpRequest, number: str, item_id: int) -> OrderItem:
    order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    for item in order.items.all():
        if item.pk == item_id:
            item.order = order
            return item
    raise OrderItemNotFound()


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def review_new(request: HttpRequest, number: str, item_id: int) -> HttpResponse:
    item = _item(request, number, item_id)
    if item.order.state not in REVIEWABLE_STATES or item.pk in selectors.reviewed_item_ids(order=item.order):
        messages.error(
            request,
            _("You have already reviewed this item.")
            if item.order.state in REVIEWABLE_STATES
            else _("You can review an item once you have confirmed receipt of the order."),
        )
        return redirect("orders:detail", number)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_create(
                user=request.user,
                order_item_id=item.pk,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you for your review!"))
            return redirect("orders:detail", number)
    return render(
        request, "orders/review_form.html", {"form": form, "item": item, "order": item.order,
                                             "max_photos": MAX_REVIEW_PHOTOS},
    )


@require_GET
@domain_404
def product_review_list(request: HttpRequest, product_id: int) -> HttpResponse:
    product = product_get(product_id=product_id)
    reviews = selectors.product_reviews(product_id=product.pk)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.product_review_summary(product_id=product.pk)
    context = {"product": product, "page": page, "summary": summary}
    return render(request, "orders/product_reviews.html", context)


@require_GET
@domain_404
def review_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = selectors.review_photo_get(user=request.user, photo_id=photo_id)
    response = FileResponse(photo.image.open("rb"), content_type=photo_content_type(photo))
    # Not shared caches: a photo stops being served the moment staff hide its review.
    response["Cache-Control"] = "private, max-age=600"
    return response
