"""The services app's models (citizen service requests), a module per topic; import them from
`services.models`."""

from services.models.catalogue import HandlingLevel, ServiceType, VillageService
from services.models.letters import Letter, LetterCounter
from services.models.requests import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    SERVICE_ROLES,
    Attachment,
    NikView,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    Sex,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CLOSED_STATUSES",
    "SERVICE_ROLES",
    "Attachment",
    "HandlingLevel",
    "Letter",
    "LetterCounter",
    "NikView",
    "RequestEvent",
    "RequestStatus",
    "ServiceRequest",
    "ServiceType",
    "Sex",
    "VillageService",
]
