"""Public tracking: a request found by the code on its receipt, and the little the public sees.

Only what `PublicTracking` holds ever leaves this module for the public page and API: no NIK,
address, phone, RT/RW, full name, notes or staff names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from portal.lib.codes import code_symbols
from services.models import RequestStatus, ServiceRequest

# Tracking codes are 12 random characters from a 32-symbol alphabet: 32**12 = 2**60 codes, so
# with the lookup throttle (services.throttle) guessing someone's request is hopeless.
CODE_LENGTH = 12
_CODE_RE = re.compile(rf"^[A-Z0-9]{{{CODE_LENGTH}}}$")


def normalise_tracking_code(text: str) -> str | None:
    """The stored form of a code as typed (any case, with or without dashes or spaces), or None
    when it cannot be a code."""
    symbols = code_symbols(text)
    return symbols if _CODE_RE.match(symbols) else None


@dataclass(frozen=True)
class PublicStep:
    status: str
    status_label: str
    on: date


@dataclass(frozen=True)
class PublicTracking:
    code: str
    service: str
    village: str
    district: str
    applicant: str
    filed_on: date
    due_on: date
    status: str
    status_label: str
    is_overdue: bool
    steps: list[PublicStep]

    @property
    def needs_documents(self) -> bool:
        return self.status == RequestStatus.RETURNED

    @property
    def is_ready(self) -> bool:
        return self.status == RequestStatus.READY


def public_tracking(code: str) -> PublicTracking | None:
    """The public view of the request with this tracking code, or None (two queries)."""
    normalised = normalise_tracking_code(code)
    if normalised is None:
        return None
    service_request = (
        ServiceRequest.objects.select_related("service_type", "village__district")
        .filter(tracking_code=normalised)
        .first()
    )
    if service_request is None:
        return None
    events = service_request.events.all()
    return PublicTracking(
        code=service_request.tracking_code,
        service=service_request.service_type.name,
        village=service_request.village.name,
        district=service_request.village.district.name,
        applicant=service_request.short_name,
        filed_on=timezone.localdate(service_request.submitted_at),
        due_on=service_request.due_on,
        status=service_request.status,
        status_label=service_request.get_status_display(),
        is_overdue=service_request.is_overdue(),
        # Status changes only: events that keep the status (a document added) are staff matters.
        steps=[
            PublicStep(
                status=event.to_status,
                status_label=event.get_to_status_display(),
                on=timezone.localdate(event.created_at),
            )
            for event in events
            if event.to_status != event.from_status
        ],
    )
