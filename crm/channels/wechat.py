"""WeChat subscribe messages (订阅消息) through a client chosen by ``settings.CRM_WECHAT_CLIENT``.

Both clients take the body of ``POST /cgi-bin/message/subscribe/send`` (``touser``,
``template_id``, ``page``, ``data: {key: {value}}``, ``miniprogram_state``, ``lang``) and
answer WeChat's JSON (``errcode``, ``errmsg``, ``msgid``):

- ``SandboxWeChatClient`` (default): checks the shape and the value limits as WeChat does,
  and records what it accepted in ``sandbox_sent`` (like ``mall.sms.backends.outbox``);
- ``WeChatClient``: the real API over HTTPS with an access token (``CRM_WECHAT_APPID`` /
  ``CRM_WECHAT_SECRET``), cached until it expires.

Error 43101 means the member has not (or no longer) accepted the subscription: their
WeChat consent is revoked at once.
"""

import json
import threading
import urllib.request
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from crm.channels.errors import ChannelError
from crm.models import Contact, Message

API = "https://api.weixin.qq.com"
USER_REFUSED = 43101
THING_MAX = 20  # WeChat's limit for a "thing" value

sandbox_sent: list[dict[str, Any]] = []
_sandbox_lock = threading.Lock()


def subscribe_request(message: Message, contact: Contact) -> dict[str, Any]:
    template = message.template
    return {
        "touser": contact.wechat_openid,
        "template_id": template.wechat_template_id if template else "",
        "page": message.link or "/",
        "data": {"thing1": {"value": message.title[:THING_MAX]},
                 "thing2": {"value": message.body[:THING_MAX]}},
        "miniprogram_state": getattr(settings, "CRM_WECHAT_STATE", "formal"),
        "lang": "zh_CN",
    }


class SandboxWeChatClient:
    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("touser") or not body.get("template_id"):
            return {"errcode": 40003, "errmsg": "invalid openid or template_id"}
        data = body.get("data")
        if not isinstance(data, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("value"), str) and len(v["value"]) <= THING_MAX
                for v in data.values()):
            return {"errcode": 47003, "errmsg": "argument invalid! data.value"}
        if body["touser"].startswith("refused-"):
            return {"errcode": USER_REFUSED, "errmsg": "user refuse to accept the msg"}
        with _sandbox_lock:
            sandbox_sent.append(body)
            msgid = len(sandbox_sent)
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


class WeChatClient:
    timeout = 5

    def _token(self) -> str:
        token = cache.get("crm:wechat:token")
        if token:
            return token
        url = (f"{API}/cgi-bin/token?grant_type=client_credential"
               f"&appid={settings.CRM_WECHAT_APPID}&secret={settings.CRM_WECHAT_SECRET}")
        with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (fixed https URL)
            answer = json.load(response)
        if "access_token" not in answer:
            raise ChannelError(f"token: {answer.get('errcode')} {answer.get('errmsg')}")
        cache.set("crm:wechat:token", answer["access_token"], int(answer.get("expires_in", 7200)) - 300)
        return answer["access_token"]

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (a fixed https URL)
            f"{API}/cgi-bin/message/subscribe/send?access_token={self._token()}",
            data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.load(response)


@lru_cache(maxsize=4)
def _client_class(path: str) -> type:
    return import_string(path)


def get_client() -> SandboxWeChatClient | WeChatClient:
    return _client_class(getattr(settings, "CRM_WECHAT_CLIENT", "crm.channels.wechat.SandboxWeChatClient"))()


def wechat_deliver(message: Message, contact: Contact) -> str:
    answer = get_client().send(subscribe_request(message, contact))
    code = answer.get("errcode", -1)
    if code != 0:
        raise ChannelError(f"{code} {answer.get('errmsg', '')}"[:200], consent_revoked=code == USER_REFUSED)
    return str(answer.get("msgid", ""))
