"""The member's inbox pages (站内信) and their reach preferences."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm import selectors
from crm.errors import CustomerTransferDecided, CustomerTransferNotFound, MessageNotFound
from crm.integrations import message_coupon
from crm.models import Channel, Contact, CustomerTransfer, TransferState
from crm.services import contacts as contact_services
from crm.services import handover as handover_services
from crm.services import inbox as inbox_services


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_messages(user_id=request.user.pk), 20).get_page(request.GET.get("page"))
    unread = selectors.inbox_unread_count(user_id=request.user.pk)
    return render(request, "crm/inbox.html", {"page": page, "unread": unread})


@require_GET
@login_required
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = inbox_services.inbox_message_read(user_id=request.user.pk, message_id=message_id)
    except MessageNotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "crm/message.html", {"message": message, "coupon": message_coupon(message)})


@require_POST
@login_required
def message_go(request: HttpRequest, message_id: int) -> HttpResponse:
    """Record the click, then open the message's page (always a path of this site)."""
    try:
        message = inbox_services.inbox_message_click(user_id=request.user.pk, message_id=message_id)
    except MessageNotFound as exc:
        raise Http404(exc.message) from exc
    return redirect(message.link or "crm:inbox")


@require_POST
@login_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    inbox_services.inbox_read_all(user_id=request.user.pk)
    return redirect("crm:inbox")


@require_http_methods(["GET", "POST"])
@login_required
def reach_preferences(request: HttpRequest) -> HttpResponse:
    uid = request.user.pk
    if request.method == "POST":
        if request.POST.get("action") == "unsubscribe":
            contact_services.contact_unsubscribe(user_id=uid)
            flash.success(request, _("You will receive no more marketing messages."))
        elif request.POST.get("action") == "resubscribe":
            contact_services.contact_resubscribe(user_id=uid)
            flash.success(request, _("Marketing messages are on again."))
        else:
            contact_services.contact_set_consent(user_id=uid, channel=Channel.SMS,
                                                 allowed=request.POST.get("sms") == "on")
            flash.success(request, _("Saved."))
        return redirect("crm:preferences")
    contact = Contact.objects.filter(pk=uid).first() or Contact(user_id=uid)
    return render(request, "crm/preferences.html", {"contact": contact})


@require_GET
@login_required
def my_owner(request: HttpRequest) -> HttpResponse:
    """The customer's pending handovers (the inbox notice links here), each with 拒绝."""
    pending = list(CustomerTransfer.objects.filter(customer_id=request.user.pk, state=TransferState.PENDING)
                   .select_related("to_owner").order_by("pk"))
    for transfer in pending:
        transfer.to_name = (transfer.to_owner.nickname or _("a new adviser")) if transfer.to_owner else _(
            "the platform's customer service")
    return render(request, "crm/owner.html", {"pending": pending})


@require_POST
@login_required
def transfer_refuse(request: HttpRequest, transfer_id: int) -> HttpResponse:
    try:
        handover_services.customer_transfer_refuse(customer_id=request.user.pk, transfer_id=transfer_id)
    except CustomerTransferNotFound as exc:
        raise Http404(exc.message) from exc
    except CustomerTransferDecided as exc:
        flash.error(request, exc.message)
        return redirect("crm:my_owner")
    flash.success(request, _("Refused: your adviser stays the same."))
    return redirect("crm:my_owner")
