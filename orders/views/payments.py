"""The payment notify endpoint: where every gateway posts its signed notices."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.errors import PaymentNoticeRejected, PaymentProviderUnknown
from orders.services.payment import payment_notice_handle


@csrf_exempt
@require_POST
def payment_notify(request: HttpRequest, provider: str) -> HttpResponse:
    """``POST /pay/notify/<provider>/``: 204 when applied (or a duplicate, or a confirmed
    refund recorded as 退款异常 because it cannot be applied), 4xx otherwise.

    A 4xx makes a real provider retry later, which is right for a notice we could not
    verify; everything refused is logged by the service with its reason.
    """
    try:
        payment_notice_handle(provider=provider, headers=request.headers, body=request.body)
    except PaymentProviderUnknown:
        raise Http404 from None
    except PaymentNoticeRejected as exc:
        return JsonResponse({"code": "FAIL", "message": exc.code}, status=400)
    return HttpResponse(status=204)
