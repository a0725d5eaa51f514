"""WhatsApp messages to the applicant about their request, to the number given at the counter.

Citizens have no account: the message goes to the number on the request (normalised, +62…),
through the notifications outbox. The row is written in the same transaction as the request's
change, so a request saved is a message owed: when the broker is down at that moment the row waits
as `pending`, and the requeue sweep sends it once the broker is back. Each event is sent once
(its de-duplication key). No NIK and no name in the text: only the code, the service, the village
and what to do.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from portal.notifications.actions import Notice, notify_many
from portal.notifications.models import Channel
from services.models import RequestStatus, ServiceRequest

# Applicants are written to in the portal's language, whatever the clerk's screen shows.
APPLICANT_LANGUAGE = "id"


def _texts(service_request: ServiceRequest, event: str) -> tuple[str, str]:
    values = {
        "code": service_request.tracking_code,
        "service": service_request.service_type.name,
        "village": service_request.village.name,
        "date": formats.date_format(service_request.due_on, "j F Y"),
        "note": service_request.applicant_note,
    }
    if event == "filed":
        return (
            gettext("Request %(code)s received") % values,
            gettext(
                "Your request for %(service)s at the village office of %(village)s was received "
                "with tracking code %(code)s. It is due on %(date)s; you can follow it with the "
                "code."
            )
            % values,
        )
    if event == RequestStatus.RETURNED:
        return (
            gettext("Request %(code)s: documents missing") % values,
            gettext(
                "Your request %(code)s (%(service)s) cannot go on yet. Please bring to the village "
                "office of %(village)s: %(note)s"
            )
            % values,
        )
    if event == RequestStatus.READY:
        return (
            gettext("Request %(code)s is ready") % values,
            gettext(
                "Your request %(code)s (%(service)s) is ready. You can collect it at the village "
                "office of %(village)s."
            )
            % values,
        )
    if event == RequestStatus.REJECTED:
        return (
            gettext("Request %(code)s was rejected") % values,
            gettext("Your request %(code)s (%(service)s) was rejected: %(note)s") % values,
        )
    raise ValueError(f"No applicant message for {event!r}")


def notify_applicant(*, service_request: ServiceRequest, event: str, occasion: str = "") -> int:
    """Owe the applicant a WhatsApp message about `event` ("filed", or the status reached:
    returned, ready, rejected), once per request and event (and `occasion`, for an event that may
    happen again, such as a second return). Nothing when the request has no phone number.
    Returns the rows created (0 or 1). Call inside the action's transaction."""
    if not service_request.applicant_phone:
        return 0
    with translation.override(APPLICANT_LANGUAGE):
        title, body = _texts(service_request, event)
    key = f"request.applicant.{event}:{service_request.pk}"
    return notify_many(
        [
            Notice(
                recipient=None,
                address=service_request.applicant_phone,
                kind=f"request.applicant.{event}",
                subject=service_request,
                title=title,
                body=body,
                url=reverse("tracking:detail", args=[service_request.tracking_code]),
                dedupe_key=f"{key}:{occasion}" if occasion else key,
                channels=(Channel.WHATSAPP,),
            )
        ]
    )
