"""Provider stand-ins that count what they are asked to send, across threads."""

import threading
from collections import Counter

from mall.sms.backends import BaseSMSBackend, SMSMessage

calls: Counter = Counter()
_lock = threading.Lock()


class RecordingSMSBackend(BaseSMSBackend):
    def send(self, message: SMSMessage) -> None:
        with _lock:
            calls[("sms", message.params["ref"])] += 1


class RecordingWeChatClient:
    def send(self, body: dict) -> dict:
        with _lock:
            calls[("wechat", body["touser"], body["data"]["thing1"]["value"])] += 1
        return {"errcode": 0, "errmsg": "ok", "msgid": 1}
