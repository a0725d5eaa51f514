"""Reads over the catalogue: which service types a village offers."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from services.models import ServiceType, VillageService
from villages.models import Village


def _switched_off(village: Village | str) -> QuerySet:
    code = village if isinstance(village, str) else village.code
    return VillageService.objects.filter(
        village_id=code, service_type=OuterRef("pk"), is_offered=False
    )


def offered_service_types(village: Village | str) -> QuerySet[ServiceType]:
    """The active types the village offers: every active type unless the village switched it off
    (a type without a `VillageService` row is offered)."""
    return ServiceType.objects.active().exclude(Exists(_switched_off(village)))


def village_service_choices(village: Village | str) -> QuerySet[ServiceType]:
    """Every active type, annotated with `is_offered` for the village."""
    return ServiceType.objects.active().annotate(is_offered=~Exists(_switched_off(village)))
