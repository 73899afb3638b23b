"""Delivery channels of the outbox. The in-site inbox needs no delivery (the message row is
the inbox entry); SMS goes through mall's SMS backend; WeChat subscribe messages through
``wechat.py``'s client (a sandbox by default, speaking the real API's request shape)."""

from crm.channels.errors import ChannelError
from crm.channels.router import deliver

__all__ = ["ChannelError", "deliver"]
