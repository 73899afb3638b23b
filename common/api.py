"""DRF glue: one error shape for every API error: ``{"code": "...", "detail": "..."}``."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request, page_not_found
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import DomainError


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            if key in ("non_field_errors", "detail"):
                return message
            return f"{key}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": str(exc.message)}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "detail": _first_message(exc.detail), "fields": exc.detail}
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        body = {"code": code, "detail": _first_message(response.data)}
    response.data = body
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"
    return response


# --- OpenAPI description of the error shape ---------------------------------------------
# Declared here so every app's API documents its errors the same way.


class ErrorSerializer(serializers.Serializer):
    """Every API error: a stable machine-readable code and a human-readable message."""

    code = serializers.CharField(help_text="Stable error code, e.g. `product_not_found`.")
    detail = serializers.CharField(help_text="Message for the user, in the request's language.")


class ValidationErrorSerializer(ErrorSerializer):
    """A 400: a domain error (``code``/``detail``) or a validation error that also names the
    offending fields. The class attribute does not shadow ``Serializer.fields``: the metaclass
    moves declared fields into ``_declared_fields``."""

    fields = serializers.DictField(
        required=False,
        help_text="Only on `code: invalid`: field name → list of messages (nested for objects).",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error response for ``@extend_schema(responses=...)``; name the codes in ``description``."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


def validation_error_response(description: str = "Invalid input (`invalid`).") -> OpenApiResponse:
    return OpenApiResponse(response=ValidationErrorSerializer, description=description)


PAGE_NOT_FOUND = error_response("Page out of range (`not_found`).")
UNAUTHENTICATED = error_response("Not signed in or bad token (`not_authenticated`, "
                                 "`authentication_failed`).")


def validated(serializer_class: type[serializers.Serializer], data: Any,
              context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate ``data`` with a serializer; a failure raises the standard 400 error shape."""
    serializer = serializer_class(data=data, context=context or {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- /api/ outside DRF's views ---------------------------------------------------------------


def _api_error(request: HttpRequest, *, status: int, code: str, detail: str) -> HttpResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"code": code, "detail": detail}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def api_or_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a URL under ``/api/`` that matches no route (``/api/v1/orders/x/`` where
    an id is expected, a path that never existed) is answered in the API's error shape, so a
    client reads JSON on every answer; anything else gets the site's page."""
    return (_api_error(request, status=404, code="not_found", detail=_("Not found."))
            or page_not_found(request, exception))


def api_or_page_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: what Django refuses before any view (a form with more than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, a body over the size limit), in the same way."""
    return (_api_error(request, status=400, code="malformed_request", detail=_("Malformed request."))
            or bad_request(request, exception))


# Answers the web server gives before any view, documented on every operation without a body.
WEB_SERVER_ANSWERS = frozenset({"414"})
URI_TOO_LONG = {"description": "Request line over 4,094 bytes (a very long query string): refused by "
                               "the web server (gunicorn) before the app, without a JSON body."}


def schema_document_transport_errors(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook for the answers no view writes. Every operation can
    get a 414 from the web server; every operation with a path parameter can answer 404 (an
    unknown id, or a value the route does not match, such as ``abc`` for an int), documented
    in the error shape where its view did not say more."""
    error = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            operation["responses"].setdefault("414", URI_TOO_LONG)
            has_path_param = any(p.get("in") == "path" for p in operation.get("parameters", []))
            if has_path_param and "404" not in operation.get("responses", {}):
                operation["responses"]["404"] = {
                    "content": {"application/json": {"schema": error}},
                    "description": "Unknown id, or a path the route does not match (`not_found`).",
                }
    return result
