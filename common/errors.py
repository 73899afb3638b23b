"""Domain errors: anything a user can cause, with a stable code and a zh-hans message.

Services raise them; the API turns them into ``{"code": ..., "detail": ...}`` with a 4xx,
and the pages show the message. A service that raises has changed nothing.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.message))


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_message = _("This action is not allowed in the current state.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Please try again later.")
