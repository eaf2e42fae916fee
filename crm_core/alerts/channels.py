"""Sending one message through one channel: e-mail over SMTP, or a group robot's webhook
(WeCom 企业微信, DingTalk 钉钉, Feishu/Lark 飞书). Standard library only (smtplib, urllib).

Every send either returns or raises ``SendFailed`` with the server's or the vendor's own words
(what the Admin page shows as the last error). Timeouts are short: the caller is a background
job, and a slow server must not hold it for long.

Message formats and signatures, as the vendors document them:
- WeCom group robot: POST ``{"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": […]}}``
  to the webhook URL (``…/cgi-bin/webhook/send?key=…``); no signature; the answer is
  ``{"errcode": 0, "errmsg": "ok"}`` (developer.work.weixin.qq.com/document/path/91770).
- DingTalk custom robot: POST ``{"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": […]}}``;
  with 加签 the URL gets ``timestamp`` (ms) and ``sign`` = urlencode(base64(HmacSHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))); the answer is ``{"errcode": 0, "errmsg": "ok"}``
  (open.dingtalk.com/document/robots/customize-robot-security-settings).
- Feishu/Lark custom bot: POST ``{"timestamp": "<s>", "sign": …, "msg_type": "text",
  "content": {"text": …}}``; sign = base64(HmacSHA256(key=f"{timestamp}\\n{secret}", msg=b""))
  (the key is the string to sign, the message empty); the answer is ``{"code": 0, "msg": "success"}``
  (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot). A Feishu text @-mentions by user id,
  not by mobile, so a Feishu message names the person in its first line only.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

KINDS = ("email", "wecom", "dingtalk", "feishu")
WEBHOOK_KINDS = ("wecom", "dingtalk", "feishu")
SECURITY = ("none", "starttls", "ssl")
TIMEOUT_SECONDS = 10
_ANSWER_LIMIT = 300  # characters of a vendor's answer kept as the error


class SendFailed(RuntimeError):
    """The message was not accepted; the text is the server's or the vendor's answer."""


@dataclass(frozen=True)
class Message:
    """One message to one recipient. ``address``: the e-mail address (e-mail) or the mobile to
    @-mention (webhooks; None for none)."""

    subject: str
    text: str
    address: str | None = None
    html: str | None = None
    attachment: bytes | None = None
    attachment_name: str | None = None
    mentions: tuple[str, ...] = field(default=())


# -- signatures -------------------------------------------------------------------------------------
def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` before URL encoding: base64(HmacSHA256(secret, "timestamp\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign``: base64(HmacSHA256 keyed with "timestamp\\nsecret" over an empty message)."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# -- webhook payloads -------------------------------------------------------------------------------
def _text(message: Message) -> str:
    return f"{message.subject}\n{message.text}" if message.subject else message.text


def webhook_request(kind: str, config: dict, message: Message, now: datetime) -> tuple[str, dict]:
    """(URL, JSON body) of one group-robot message; ``now`` gives the signature's timestamp."""
    url, secret = config["url"], (config.get("secret") or "").strip()
    mentions = list(message.mentions)
    if kind == "wecom":
        return url, {"msgtype": "text", "text": {"content": _text(message), "mentioned_mobile_list": mentions}}
    if kind == "dingtalk":
        # DingTalk highlights an @ only where "@<mobile>" appears in the content (its docs' example)
        content = _text(message) + "".join(f" @{mobile}" for mobile in mentions)
        body = {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": mentions}}
        if secret:
            stamp = int(now.timestamp() * 1000)
            query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(secret, stamp)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        return url, body
    if kind == "feishu":
        body = {"msg_type": "text", "content": {"text": _text(message)}}
        if secret:
            stamp = int(now.timestamp())
            body = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **body}
        return url, body
    raise ValueError(f"not a webhook kind: {kind}")


def _vendor_error(answer: dict) -> str | None:
    """The vendor's complaint in a 2xx answer, or None when it accepted the message
    (errcode for WeCom and DingTalk, code — or the older StatusCode — for Feishu)."""
    for code_key, message_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        code = answer.get(code_key)
        if code not in (None, 0, "0"):
            return f"{code_key} {code}: {answer.get(message_key, '')}".strip()
    return None


def post_webhook(kind: str, config: dict, message: Message, now: datetime) -> None:
    url, body = webhook_request(kind, config, message, now)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SendFailed("the webhook address is not an http(s) URL")
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(64_000)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}: {error.read(_ANSWER_LIMIT).decode(errors='replace')}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SendFailed(str(getattr(error, "reason", error))) from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return  # a 2xx answer that is not JSON: accepted (a proxy's or a test server's plain "ok")
    problem = _vendor_error(answer) if isinstance(answer, dict) else None
    if problem:
        raise SendFailed(problem[:_ANSWER_LIMIT])


# -- e-mail -----------------------------------------------------------------------------------------
def email_message(config: dict, message: Message) -> EmailMessage:
    """The MIME message: plain text, an HTML alternative when given, the attachment when given."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["sender"]
    mail["To"] = message.address
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    if message.attachment is not None:
        name = message.attachment_name or "attachment"
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") else ("text", "html")
        if maintype == "text":
            mail.add_attachment(message.attachment.decode("utf-8"), subtype=subtype, filename=name)
        else:
            mail.add_attachment(message.attachment, maintype=maintype, subtype=subtype, filename=name)
    return mail


def send_email(config: dict, message: Message) -> None:
    if not message.address:
        raise SendFailed("no e-mail address")
    host, port = config["host"], int(config.get("port") or 25)
    security = config.get("security", "none")
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.get("user"):
                server.login(config["user"], config.get("password") or "")
            server.send_message(email_message(config, message))
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(f"{type(error).__name__}: {error}"[:_ANSWER_LIMIT]) from None


def send(kind: str, config: dict, message: Message, now: datetime) -> None:
    """Send ``message`` through a channel of ``kind`` configured by ``config``; SendFailed if not accepted."""
    if kind == "email":
        send_email(config, message)
    elif kind in WEBHOOK_KINDS:
        post_webhook(kind, config, message, now)
    else:
        raise SendFailed(f"unknown channel kind {kind!r}")
