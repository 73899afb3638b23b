"""Pluggable SMS backends. ``settings.SMS_BACKEND`` names the class to use.

A real provider (Aliyun, Tencent Cloud SMS…) is a subclass of ``BaseSMSBackend`` that
implements ``send``; it raises ``SMSDeliveryError`` when the provider refuses.
"""

import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("quanzi.sms")


class SMSDeliveryError(Exception):
    pass


@dataclass(frozen=True)
class SMSMessage:
    phone: str
    template: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.template == "verification_code":
            return f"【圈子】您的验证码是 {self.params['code']}，{self.params['minutes']} 分钟内有效。"
        if self.template == "marketing":  # crm's messages: the opt-out words are required
            return f"【圈子】{self.params['text']} 拒收请回复R"
        return f"【圈子】{self.params}"


class BaseSMSBackend:
    def send(self, message: SMSMessage) -> None:
        raise NotImplementedError


# Messages the console backend sent in this process, newest last (like mail.outbox).
outbox: list[SMSMessage] = []


class ConsoleSMSBackend(BaseSMSBackend):
    """Development: writes the message to the log instead of sending it."""

    def send(self, message: SMSMessage) -> None:
        outbox.append(message)
        del outbox[:-100]
        logger.warning("SMS to %s: %s", message.phone, message.text)


@lru_cache(maxsize=4)
def _backend_class(path: str) -> type[BaseSMSBackend]:
    return import_string(path)


def get_backend() -> BaseSMSBackend:
    return _backend_class(settings.SMS_BACKEND)()


def is_console_backend() -> bool:
    return issubclass(_backend_class(settings.SMS_BACKEND), ConsoleSMSBackend)
