"""Writes to a village's profile and its yearly IDM scores."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from portal.lib.phone import normalise_phone
from villages.models import IdmScore, Village, VillageProfile
from villages.permissions import can_edit_village_profile

# Every field a person may change; the village, the audit fields and the history are not theirs.
PROFILE_FIELDS = tuple(
    field.name
    for field in VillageProfile._meta.concrete_fields
    if field.name not in {"village", "updated_at", "updated_by"}
)

UMKM_ONLINE_TOO_HIGH = gettext_lazy("UMKM selling online cannot exceed the number of UMKM.")
PHONE_FIELDS = ("head_phone", "secretary_phone")


def check_umkm_counts(umkm_count: int | None, umkm_online_count: int | None) -> None:
    """Raise a ValidationError on `umkm_online_count` if it exceeds `umkm_count`."""
    if umkm_count is not None and umkm_online_count is not None and umkm_online_count > umkm_count:
        raise ValidationError({"umkm_online_count": [UMKM_ONLINE_TOO_HIGH]})


def _check_may_edit(actor, village: Village) -> None:
    if not can_edit_village_profile(actor, village):
        raise PermissionDenied(gettext("You may not change this village's profile."))


@transaction.atomic
def update_village_profile(*, village: Village, actor, **changes) -> VillageProfile:
    """Change fields of `village`'s profile (creating the profile on its first change).

    `changes` maps names in PROFILE_FIELDS to new values; phone numbers are normalised to +62….
    Raises PermissionDenied if `actor` may not edit the village's profile (see
    `can_edit_village_profile`), ValidationError for an unknown field, an invalid phone number,
    a value the model refuses, or more UMKM online than UMKM.
    Effects: saves only the fields that changed, with `updated_by`, and adds a history record
    naming `actor`; nothing is written when no value changes.
    """
    _check_may_edit(actor, village)
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError(
            gettext("Unknown profile fields: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    for name in PHONE_FIELDS:
        if name in changes:
            try:
                changes[name] = normalise_phone(changes[name])
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
    # Locking the village serialises the first edits too, when there is no profile row to lock.
    Village.objects.select_for_update().filter(pk=village.pk).first()
    profile = VillageProfile.objects.select_for_update().filter(village=village).first()
    creating = profile is None
    if creating:
        profile = VillageProfile(village=village)
    changed = [name for name, value in changes.items() if getattr(profile, name) != value]
    if not changed and not creating:
        return profile
    for name in changed:
        setattr(profile, name, changes[name])
    check_umkm_counts(profile.umkm_count, profile.umkm_online_count)
    profile.full_clean()
    profile.updated_by = actor
    # simple-history reads the author from here; the request middleware is absent in tasks/API.
    profile._history_user = actor
    if creating:
        profile.save()
    else:
        profile.save(update_fields=[*changed, "updated_by", "updated_at"])
    return profile


@transaction.atomic
def record_idm_score(*, village: Village, year: int, score, actor) -> IdmScore:
    """Record `village`'s IDM score for `year`, replacing that year's score if there is one.

    Raises PermissionDenied if `actor` may not edit the village's profile, ValidationError if the
    year is outside 2015..2100 or the score outside 0..1. Returns the score annotated with its
    status (`status_code`, `status_name`), which the IdmStatus bands decide.
    """
    _check_may_edit(actor, village)
    try:
        score = Decimal(str(score))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"score": [gettext("Enter a number between 0 and 1.")]}) from error
    idm_score = IdmScore.objects.select_for_update().filter(village=village, year=year).first()
    if idm_score is None:
        idm_score = IdmScore(village=village, year=year, score=score)
        idm_score.full_clean()
        idm_score.save()
    else:
        idm_score.score = score
        idm_score.full_clean()
        idm_score.save(update_fields=["score"])
    return IdmScore.objects.with_status().get(pk=idm_score.pk)
