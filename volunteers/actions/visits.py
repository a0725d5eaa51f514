"""Writes to mentoring visits: logging and editing them, their photos, and their review.

A visit is draft → submitted → verified, or → returned (with a reason) → submitted again. The
volunteer who made it logs, edits and submits it; the roster managers of its kecamatan review it
(volunteers.permissions). Every change leaves a VisitEvent for the visit's timeline.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib.figures import note_change
from villages.models import Dimension, Village
from volunteers.geo import check_position
from volunteers.models import (
    ActivityType,
    Assignment,
    Visit,
    VisitEvent,
    VisitPhoto,
    VisitStatus,
    Volunteer,
    VolunteerStatus,
)
from volunteers.permissions import can_log_visit, can_review_visit
from volunteers.photos import MAX_PHOTOS_PER_VISIT, ProcessedPhoto, process_photo

# The fields a volunteer fills in, in the order the form and the API show them.
VISIT_FIELDS = (
    "village",
    "visited_on",
    "duration_minutes",
    "activities",
    "pillars",
    "participants_female",
    "participants_male",
    "participants_youth",
    "summary",
    "follow_ups",
    "latitude",
    "longitude",
    "accuracy_m",
)


def _require_author(actor: User, volunteer: Volunteer) -> None:
    if not can_log_visit(actor, volunteer):
        raise PermissionDenied(
            gettext("Only the volunteer who made the visit may log or change it.")
        )


def _require_reviewer(actor: User, visit: Visit) -> None:
    if not can_review_visit(actor, visit):
        raise PermissionDenied(
            gettext("Only the kecamatan's coordinator or an official may review this visit.")
        )


def _require_status(visit: Visit, allowed: Sequence[str], doing: str) -> None:
    if visit.status not in allowed:
        raise ValidationError(
            gettext("A %(status)s visit cannot be %(doing)s.")
            % {"status": visit.get_status_display(), "doing": doing}
        )


def _locked(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("volunteer", "village")
        .get(pk=visit.pk)
    )


def _record(visit: Visit, actor: User, from_status: str, note: str = "") -> VisitEvent:
    note_change(village_ids=[visit.village_id])
    return VisitEvent.objects.create(
        visit=visit, actor=actor, from_status=from_status, to_status=visit.status, note=note
    )


def _checked_choices(values, allowed, field: str, errors: dict, *, required: bool) -> list[str]:
    """The values without repeats, in order; an error on `field` for unknown ones or none."""
    values = list(dict.fromkeys(values or ()))
    unknown = [value for value in values if value not in allowed.values]
    if unknown:
        errors[field] = gettext("Unknown value: %(values)s.") % {
            "values": ", ".join(map(str, unknown))
        }
    elif required and not values:
        errors[field] = gettext("Choose at least one.")
    return values


def _validated(volunteer: Volunteer, data: dict) -> tuple[Assignment | None, dict]:
    """The assignment the visit is made under and the cleaned values; ValidationError naming
    every field in error at once."""
    errors: dict[str, str] = {}
    data = dict(data)
    visited_on = data["visited_on"]
    if visited_on > timezone.localdate():
        errors["visited_on"] = gettext("The visit date cannot be in the future.")
    assignment = (
        volunteer.assignments.current(on=visited_on)
        .filter(village=data["village"])
        .order_by("-role", "starts_on")  # "main" before "supporting"
        .first()
    )
    if assignment is None:
        errors["village"] = gettext(
            "You were not assigned to mentor this village on the date of the visit."
        )
    data["activities"] = _checked_choices(
        data["activities"], ActivityType, "activities", errors, required=True
    )
    data["pillars"] = _checked_choices(
        data["pillars"], Dimension, "pillars", errors, required=False
    )
    counts = [data[f"participants_{kind}"] for kind in ("female", "male", "youth")]
    if any(count is None or count < 0 for count in counts):
        errors["participants_youth"] = gettext("Participant counts cannot be negative.")
    elif counts[2] > counts[0] + counts[1]:
        errors["participants_youth"] = gettext(
            "Young people are counted among the women and men, so there cannot be more of them."
        )
    latitude, longitude = data["latitude"], data["longitude"]
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors[missing] = gettext("A position needs both a latitude and a longitude.")
    elif latitude is not None:
        if not -90 <= latitude <= 90:
            errors["latitude"] = gettext("The latitude must be between -90 and 90.")
        if not -180 <= longitude <= 180:
            errors["longitude"] = gettext("The longitude must be between -180 and 180.")
    if latitude is None:
        data["accuracy_m"] = None
    elif data["accuracy_m"] is not None and data["accuracy_m"] < 0:
        errors["accuracy_m"] = gettext("The accuracy cannot be negative.")
    if errors:
        raise ValidationError(errors)
    return assignment, data


def _processed(photos: Iterable, field: str) -> list[ProcessedPhoto]:
    """Every photo checked and cleaned, before anything is written; errors name each file."""
    processed, errors = [], []
    for photo in photos:
        try:
            processed.append(process_photo(photo))
        except ValidationError as error:
            name = getattr(photo, "name", None) or gettext("photo")
            errors.extend(f"{name}: {message}" for message in error.messages)
    if errors:
        raise ValidationError({field: errors})
    return processed


def _attach(visit: Visit, photos: list[ProcessedPhoto], field: str) -> list[VisitPhoto]:
    """Store the photos on a locked visit, within its limit."""
    if visit.photos.count() + len(photos) > MAX_PHOTOS_PER_VISIT:
        raise ValidationError(
            {field: gettext("A visit has at most %(max)s photos.") % {"max": MAX_PHOTOS_PER_VISIT}}
        )
    stored = []
    for processed in photos:
        photo = VisitPhoto(
            visit=visit,
            width=processed.width,
            height=processed.height,
            size_bytes=len(processed.content),
            exif_latitude=processed.latitude,
            exif_longitude=processed.longitude,
            exif_taken_at=processed.taken_at,
        )
        # The name is replaced by upload_to (a random one); only the content matters.
        photo.image.save("photo.jpg", ContentFile(processed.content), save=False)
        photo.save()
        stored.append(photo)
    return stored


def _submit(visit: Visit, actor: User) -> None:
    from_status = visit.status
    visit.status = VisitStatus.SUBMITTED
    visit.submitted_at = timezone.now()
    # The reason stays in the timeline; the visit no longer waits for corrections.
    visit.return_reason = ""
    visit.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    _record(visit, actor, from_status)


@transaction.atomic
def create_visit(
    *,
    volunteer: Volunteer,
    village: Village,
    visited_on: datetime.date,
    duration_minutes: int,
    activities: Sequence[str],
    summary: str,
    actor: User,
    pillars: Sequence[str] = (),
    participants_female: int = 0,
    participants_male: int = 0,
    participants_youth: int = 0,
    follow_ups: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy_m: float | None = None,
    client_id: uuid.UUID | str | None = None,
    submit: bool = False,
    photos: Iterable = (),
) -> Visit:
    """Log a visit of `volunteer` to `village` as a draft (or straight away submitted), with its
    position checked against the village outline and `photos` (uploaded files) attached.

    `client_id` (a UUID made by the browser or app) makes a repeat harmless: when the volunteer
    already has a visit with it, that visit is returned unchanged and nothing else happens.

    Raises PermissionDenied unless actor is the volunteer's own login; ValidationError for an
    inactive volunteer, and naming the field for a village the volunteer was not assigned to on
    `visited_on`, a future date, no or unknown activities, unknown pillars, more young people
    than participants, half a position or one out of range, a refused photo or more than six, or
    a client_id of another volunteer.
    """
    _require_author(actor, volunteer)
    if client_id is not None:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is not None:
            if existing.volunteer_id != volunteer.pk:
                raise ValidationError({"client_id": gettext("This client_id is already used.")})
            return existing
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(
            gettext("%(name)s is no longer an active volunteer and cannot log visits.")
            % {"name": volunteer}
        )
    assignment, data = _validated(
        volunteer,
        {
            "village": village,
            "visited_on": visited_on,
            "duration_minutes": duration_minutes,
            "activities": activities,
            "pillars": pillars,
            "participants_female": participants_female,
            "participants_male": participants_male,
            "participants_youth": participants_youth,
            "summary": summary,
            "follow_ups": follow_ups,
            "latitude": latitude,
            "longitude": longitude,
            "accuracy_m": accuracy_m,
        },
    )
    processed = _processed(photos, "photos")
    position_check, distance_km = check_position(
        village=village, latitude=data["latitude"], longitude=data["longitude"]
    )
    visit = Visit(
        volunteer=volunteer,
        assignment=assignment,
        position_check=position_check,
        distance_km=distance_km,
        client_id=client_id,
        **data,
    )
    visit.full_clean(exclude=["client_id"])
    try:
        # A savepoint: two requests racing with the same client_id meet at its unique index.
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        existing = Visit.objects.filter(client_id=client_id, volunteer=volunteer).first()
        if client_id is None or existing is None:
            raise
        return existing
    _record(visit, actor, "")
    _attach(visit, processed, "photos")
    if submit:
        _submit(visit, actor)
    return visit


@transaction.atomic
def update_visit(
    *, visit: Visit, actor: User, photos: Iterable = (), submit: bool = False, **changes
) -> Visit:
    """Change a draft or returned visit: `changes` are any of VISIT_FIELDS (others are refused
    with TypeError); the position is checked again, `photos` are added and, with `submit`, the
    visit is sent for review.

    Raises PermissionDenied unless actor is the volunteer's own login; ValidationError if the
    visit is submitted or verified, or for the same bad input as create_visit.
    """
    unknown = set(changes) - set(VISIT_FIELDS)
    if unknown:
        raise TypeError(f"update_visit() got unexpected fields: {', '.join(sorted(unknown))}")
    visit = _locked(visit)
    _require_author(actor, visit.volunteer)
    _require_status(visit, (VisitStatus.DRAFT, VisitStatus.RETURNED), gettext("changed"))
    current = {field: getattr(visit, field) for field in VISIT_FIELDS}
    assignment, data = _validated(visit.volunteer, {**current, **changes})
    processed = _processed(photos, "photos")
    for field, value in data.items():
        setattr(visit, field, value)
    visit.assignment = assignment
    visit.position_check, visit.distance_km = check_position(
        village=visit.village, latitude=visit.latitude, longitude=visit.longitude
    )
    visit.full_clean(exclude=["client_id"])
    visit.save(
        update_fields=[*VISIT_FIELDS, "assignment", "position_check", "distance_km", "updated_at"]
    )
    _record(visit, actor, visit.status, gettext("Edited."))
    _attach(visit, processed, "photos")
    if submit:
        _submit(visit, actor)
    return visit


@transaction.atomic
def submit_visit(*, visit: Visit, actor: User) -> Visit:
    """Send a draft or returned visit for review (sets submitted_at).

    Raises PermissionDenied unless actor is the volunteer's own login, ValidationError if the
    visit is already submitted or verified.
    """
    visit = _locked(visit)
    _require_author(actor, visit.volunteer)
    _require_status(visit, (VisitStatus.DRAFT, VisitStatus.RETURNED), gettext("submitted"))
    _submit(visit, actor)
    return visit


@transaction.atomic
def verify_visit(*, visit: Visit, actor: User) -> Visit:
    """Accept a submitted visit.

    Raises PermissionDenied unless actor reviews the visit's kecamatan (and did not make it),
    ValidationError unless the visit is submitted.
    """
    visit = _locked(visit)
    _require_reviewer(actor, visit)
    _require_status(visit, (VisitStatus.SUBMITTED,), gettext("verified"))
    visit.status = VisitStatus.VERIFIED
    visit.reviewed_at = timezone.now()
    visit.reviewed_by = actor
    visit.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    _record(visit, actor, VisitStatus.SUBMITTED)
    return visit


@transaction.atomic
def return_visit(*, visit: Visit, reason: str, actor: User) -> Visit:
    """Send a submitted visit back to its volunteer for corrections, saying why.

    Raises PermissionDenied unless actor reviews the visit's kecamatan (and did not make it),
    ValidationError without a reason or unless the visit is submitted.
    """
    visit = _locked(visit)
    _require_reviewer(actor, visit)
    _require_status(visit, (VisitStatus.SUBMITTED,), gettext("returned"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say what the volunteer should correct.")})
    visit.status = VisitStatus.RETURNED
    visit.return_reason = reason
    visit.reviewed_at = timezone.now()
    visit.reviewed_by = actor
    visit.save(
        update_fields=["status", "return_reason", "reviewed_at", "reviewed_by", "updated_at"]
    )
    _record(visit, actor, VisitStatus.SUBMITTED, reason)
    return visit


@transaction.atomic
def add_visit_photo(*, visit: Visit, photo, actor: User) -> VisitPhoto:
    """Add one uploaded photo to a draft or returned visit (see volunteers.photos).

    Raises PermissionDenied unless actor is the volunteer's own login; ValidationError on
    `photo` for a refused file or a seventh photo, or if the visit is submitted or verified.
    """
    _require_author(actor, visit.volunteer)
    # Decoding takes a moment: done before the row is locked.
    processed = _processed([photo], "photo")
    visit = _locked(visit)
    _require_status(visit, (VisitStatus.DRAFT, VisitStatus.RETURNED), gettext("changed"))
    (stored,) = _attach(visit, processed, "photo")
    _record(visit, actor, visit.status, gettext("Photo added."))
    return stored


@transaction.atomic
def remove_visit_photo(*, photo: VisitPhoto, actor: User) -> None:
    """Delete a photo of a draft or returned visit, and its file once committed.

    Raises PermissionDenied unless actor is the volunteer's own login, ValidationError if the
    visit is submitted or verified.
    """
    visit = _locked(photo.visit)
    _require_author(actor, visit.volunteer)
    _require_status(visit, (VisitStatus.DRAFT, VisitStatus.RETURNED), gettext("changed"))
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    _record(visit, actor, visit.status, gettext("Photo removed."))
    transaction.on_commit(lambda: storage.delete(name))
