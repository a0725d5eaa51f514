"""Writes to the catalogue: officials edit service types, villages switch them on or off."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from portal.accounts.models import User
from services.catalogue import village_service_choices
from services.models import ServiceType, VillageService
from services.permissions import can_choose_village_services, can_edit_catalogue
from villages.models import Village

SERVICE_TYPE_FIELDS = (
    "code",
    "name",
    "description",
    "required_documents",
    "handling_level",
    "agency",
    "sla_working_days",
    "issues_letter",
    "letter_code",
    "letter_title",
    "letter_body",
    "is_active",
    "order",
)


def _rule_errors(service_type: ServiceType) -> dict[str, str]:
    """The catalogue's rules as field errors (the model's check constraint only names itself)."""
    errors = {}
    if service_type.issues_letter and not (service_type.letter_code or "").strip():
        errors["letter_code"] = gettext("A service that issues a letter needs its letter code.")
    sla = service_type.sla_working_days
    if sla is None or sla < 1:
        errors["sla_working_days"] = gettext("The deadline is at least one working day.")
    return errors


@transaction.atomic
def save_service_type(
    *, service_type: ServiceType | None = None, actor: User, **fields
) -> ServiceType:
    """Create a service type, or change `service_type`, from `fields` (any of
    SERVICE_TYPE_FIELDS).

    Raises PermissionDenied unless actor is a district official or an administrator,
    ValidationError (by field) for a taken code, a letter-issuing type without a letter code, a
    deadline under one working day or any other invalid value. Requests already filed keep their
    due dates; deactivating a type only stops new requests of it.
    """
    if not can_edit_catalogue(actor):
        raise PermissionDenied(gettext("Only district officials may edit the service catalogue."))
    unknown = set(fields) - set(SERVICE_TYPE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service type fields: {sorted(unknown)}")
    created = service_type is None
    if created:
        service_type = ServiceType(**fields)
    else:
        service_type = ServiceType.objects.select_for_update().get(pk=service_type.pk)
        for name, value in fields.items():
            setattr(service_type, name, value)
    errors = _rule_errors(service_type)
    try:
        service_type.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    if created:
        service_type.save()
    else:
        service_type.save(update_fields=list(fields))
    return service_type


@transaction.atomic
def set_village_service(
    *, village: Village, service_type: ServiceType, is_offered: bool, actor: User
) -> VillageService:
    """Record whether `village` offers `service_type` (creating or updating its row).

    Raises PermissionDenied unless actor is the village's secretary, an official of its regency
    or an administrator. Requests already filed are not touched.
    """
    if not can_choose_village_services(actor, village):
        raise PermissionDenied(gettext("You may not choose the services of this village."))
    setting = (
        VillageService.objects.select_for_update()
        .filter(village=village, service_type=service_type)
        .first()
    )
    if setting is None:
        setting = VillageService(village=village, service_type=service_type, is_offered=is_offered)
        setting.full_clean()
        setting.save()
    elif setting.is_offered != is_offered:
        setting.is_offered = is_offered
        setting.save(update_fields=["is_offered"])
    return setting


@transaction.atomic
def choose_village_services(
    *, village: Village, offered: Iterable[ServiceType], actor: User
) -> list[ServiceType]:
    """Offer exactly the active types in `offered` in `village`, switching the others off, all
    or nothing; returns the types whose setting changed.

    Raises PermissionDenied as set_village_service does.
    """
    if not can_choose_village_services(actor, village):
        raise PermissionDenied(gettext("You may not choose the services of this village."))
    wanted = {service_type.pk for service_type in offered}
    changed = []
    for service_type in village_service_choices(village):
        is_offered = service_type.pk in wanted
        if service_type.is_offered != is_offered:
            set_village_service(
                village=village, service_type=service_type, is_offered=is_offered, actor=actor
            )
            changed.append(service_type)
    return changed
