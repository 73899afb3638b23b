"""忘记密码 on the H5 pages: the SMS-code reset that the API already offers
(``auth/password/reset/``), through the same service ``user_reset_password``.

The code is sent whatever the number (as the API does), and an unknown number is refused
with the same words as a wrong code, so the page never tells who has an account.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError
from mall.api.tokens import token_rotate
from mall.forms import PasswordResetForm
from mall.models import PhoneCode
from mall.services.accounts import user_reset_password
from mall.views import _code_sent_response, _form_status, _next_url, _with_next

_RESET_DRAFT_KEY = "password_reset_draft"


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    user = user_reset_password(phone=data["phone"], code=data["code"],
                                               new_password=data["password"])
                    token_rotate(user=user)  # an API token held by someone else stops working
            except DomainError as exc:
                form.add_domain_error(exc)
                status = _form_status(exc)
            else:
                request.session.pop(_RESET_DRAFT_KEY, None)
                messages.success(request, _("Your password has been reset. Sign in with the new one."))
                return redirect(_with_next("mall:signin", _next_url(request, "")))
    else:
        draft = request.session.pop(_RESET_DRAFT_KEY, {})
        form = PasswordResetForm(initial={"phone": request.GET.get("phone", "")[:20], **draft})
    return render(request, "mall/password_reset.html", {
        "form": form, "next": _next_url(request, ""),
    }, status=status)


@require_POST
def password_reset_code_send(request: HttpRequest) -> HttpResponse:
    return _code_sent_response(request, purpose=PhoneCode.Purpose.RESET_PASSWORD, back="mall:password_reset",
                               draft_key=_RESET_DRAFT_KEY, draft_fields=("phone",))
