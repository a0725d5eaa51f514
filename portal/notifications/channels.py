"""Delivery of one notification by e-mail or through a WhatsApp/SMS HTTP gateway.

A sender returns when the message was handed over, or raises:
- ChannelDisabled: the channel is not configured here (the row is recorded as skipped);
- TemporaryChannelError: worth trying again later (timeout, refused connection, HTTP 5xx/429);
- PermanentChannelError: trying again will not help (no address, HTTP 4xx, refused by the gateway).

Error texts end up in `Notification.last_error`: they name what went wrong, never the address or
the message.
"""

from __future__ import annotations

import http.client
import json
import mimetypes
import smtplib
import urllib.error
import urllib.request
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage

from portal.notifications.models import Channel, Notification, preference_for

# More than any gateway's answer; a body past this is cut off before it is parsed.
MAX_ANSWER_BYTES = 64 * 1024
# Larger files are not attached (mail servers refuse big messages); the e-mail's link remains.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


class ChannelError(Exception):
    """A delivery that did not happen; `str(error)` is safe to store."""


class ChannelDisabled(ChannelError):
    pass


class TemporaryChannelError(ChannelError):
    pass


class PermanentChannelError(ChannelError):
    pass


def absolute_url(url: str) -> str:
    """A link as the recipient can open it outside the portal: PORTAL_URL before a path."""
    base = settings.PORTAL_URL.rstrip("/")
    if url.startswith("/") and base:
        return f"{base}{url}"
    return url


def message_text(notification: Notification) -> str:
    parts = [notification.title, notification.body, absolute_url(notification.url)]
    return "\n\n".join(part for part in parts if part)


def _attach(message: EmailMessage, name: str) -> None:
    """Attach the stored file `name` unless it is gone or too big for mail (the link stays)."""
    try:
        if default_storage.size(name) > MAX_ATTACHMENT_BYTES:
            return
        with default_storage.open(name) as stored:
            content = stored.read()
    except OSError:
        return
    filename = PurePosixPath(name).name
    message.attach(filename, content, mimetypes.guess_type(filename)[0])


def send_email(notification: Notification) -> None:
    address = notification.recipient.email if notification.recipient else ""
    if not address:
        raise PermanentChannelError("the recipient has no e-mail address")
    message = EmailMessage(
        subject=notification.title, body=message_text(notification), to=[address]
    )
    if notification.attachment:
        _attach(message, notification.attachment)
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentChannelError("the mail server refused the address") from error
    except smtplib.SMTPResponseException as error:
        # SMTP's own split: 4xx is "try again later", 5xx is final.
        if 500 <= error.smtp_code < 600:
            raise PermanentChannelError(f"mail server answered {error.smtp_code}") from error
        raise TemporaryChannelError(f"mail server answered {error.smtp_code}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryChannelError(f"mail server unreachable: {type(error).__name__}") from error


def post_to_gateway(*, url: str, token: str, target: str, message: str, timeout: float) -> None:
    """POST {"target": "+62…", "message": "…"} with `Authorization: <token>`, the JSON shape
    Indonesian WhatsApp/SMS gateways (Fonnte, Wablas, Zenziva) accept.

    A 2xx answer whose JSON `status` is not false counts as sent.
    """
    payload = json.dumps({"target": target, "message": message}).encode()
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Authorization": token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer = response.status, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code == 429:
            raise TemporaryChannelError(f"gateway answered HTTP {error.code}") from error
        raise PermanentChannelError(f"gateway answered HTTP {error.code}") from error
    except TimeoutError as error:
        raise TemporaryChannelError(f"gateway did not answer within {timeout:g} s") from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise TemporaryChannelError(f"gateway did not answer within {timeout:g} s") from error
        raise TemporaryChannelError(f"gateway unreachable: {type(reason).__name__}") from error
    except (http.client.HTTPException, OSError) as error:
        # A dropped connection (RemoteDisconnected, reset) before any answer.
        raise TemporaryChannelError(f"gateway connection lost: {type(error).__name__}") from error

    if not 200 <= status < 300:
        raise PermanentChannelError(f"gateway answered HTTP {status}")
    try:
        data = json.loads(answer)
    except ValueError as error:
        # The message may well have gone out: not retried, so that nobody gets it twice.
        raise PermanentChannelError("gateway answered without JSON") from error
    if isinstance(data, dict) and data.get("status") is False:
        reason = str(data.get("reason") or data.get("message") or "no reason given")
        raise PermanentChannelError(f"gateway refused the message: {reason}"[:200])


def send_whatsapp(notification: Notification) -> None:
    if not settings.WHATSAPP_GATEWAY_URL:
        raise ChannelDisabled("no WhatsApp gateway is configured (WHATSAPP_GATEWAY_URL)")
    # A user's number is read at send time, so that a corrected number is used by a retry.
    target = notification.address or preference_for(notification.recipient).whatsapp_number
    if not target:
        raise PermanentChannelError("the recipient has no WhatsApp number")
    post_to_gateway(
        url=settings.WHATSAPP_GATEWAY_URL,
        token=settings.WHATSAPP_GATEWAY_TOKEN,
        target=target,
        message=message_text(notification),
        timeout=settings.WHATSAPP_GATEWAY_TIMEOUT,
    )


SENDERS = {Channel.EMAIL: send_email, Channel.WHATSAPP: send_whatsapp}


def deliver(notification: Notification) -> None:
    """Hand the notification to its channel's sender; raises a ChannelError subclass."""
    sender = SENDERS.get(notification.channel)
    if sender is None:
        raise PermanentChannelError(f"channel {notification.channel} has nothing to send")
    sender(notification)
