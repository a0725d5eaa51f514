"""Writes to trainings: the trainings themselves, registrations, attendance and certificates.

Every action takes the acting user and checks volunteers.permissions itself, so that a page and an
API endpoint cannot disagree about who may do what.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib import codes
from villages.models import Regency
from volunteers.models import (
    Attendance,
    Corps,
    CorpsLevel,
    Membership,
    Registration,
    Training,
    Volunteer,
    VolunteerStatus,
)
from volunteers.permissions import can_manage_training, can_register_for_training

# Certificate codes are stored as printed, in groups of four (7KQ2-M9XD-P3HT).
CODE_ALPHABET = codes.ALPHABET
CODE_LENGTH = codes.LENGTH
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

# The fields update_training accepts.
TRAINING_FIELDS = (
    "title",
    "kind",
    "organiser",
    "regency",
    "corps",
    "awards_level",
    "starts_on",
    "ends_on",
    "place",
    "capacity",
    "description",
)


def new_certificate_code() -> str:
    return codes.grouped(codes.random_code(CODE_LENGTH))


def normalise_certificate_code(text: str) -> str | None:
    """The stored form of a code as typed (any case, with or without dashes or spaces), or None
    when it cannot be a code."""
    symbols = codes.code_symbols(text)
    return codes.grouped(symbols) if _CODE_RE.match(symbols) else None


def _require_manager(actor: User, training: Training) -> None:
    if not can_manage_training(actor, training):
        raise PermissionDenied(gettext("Only the regency's officials may manage this training."))


def _check_training(training: Training, registered: int | None = None) -> None:
    """Field errors the model's constraints would only report as a whole."""
    errors = {}
    if training.starts_on and training.ends_on and training.ends_on < training.starts_on:
        errors["ends_on"] = gettext("The training cannot end before it starts.")
    if training.awards_level_id is not None:
        if training.corps_id is None:
            errors["corps"] = gettext("A training that raises a level needs its corps.")
        elif training.awards_level.corps_id != training.corps_id:
            errors["awards_level"] = gettext("This level belongs to another corps.")
    if registered and training.capacity is not None and training.capacity < registered:
        errors["capacity"] = gettext(
            "The capacity cannot be below the %(count)s volunteers already registered."
        ) % {"count": registered}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_training(
    *,
    title: str,
    kind: str,
    organiser: str,
    regency: Regency,
    starts_on: datetime.date,
    ends_on: datetime.date,
    place: str,
    capacity: int | None = None,
    corps: Corps | None = None,
    awards_level: CorpsLevel | None = None,
    description: str = "",
    actor: User,
) -> Training:
    """Create a training organised in `regency`.

    Raises PermissionDenied unless actor is an official of the regency or an administrator;
    ValidationError for an end before the start, a level without its corps or of another corps,
    or a missing field.
    """
    training = Training(
        title=title,
        kind=kind,
        organiser=organiser,
        regency=regency,
        corps=corps,
        awards_level=awards_level,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        capacity=capacity,
        description=description,
    )
    _require_manager(actor, training)
    _check_training(training)
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def update_training(*, training: Training, actor: User, **changes) -> Training:
    """Change some of a training's fields (those named in TRAINING_FIELDS).

    Raises PermissionDenied unless actor manages the training (and, when moving it, the new
    regency); ValidationError as create_training, or for a capacity below the registrations.
    """
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise TypeError(f"update_training() got unknown fields: {', '.join(sorted(unknown))}")
    training = Training.objects.select_for_update().get(pk=training.pk)
    _require_manager(actor, training)
    for field, value in changes.items():
        setattr(training, field, value)
    # Again: a training may only be moved to a regency the actor also manages.
    _require_manager(actor, training)
    _check_training(training, registered=training.registrations.count())
    training.full_clean()
    training.save(update_fields=list(changes))
    return training


@transaction.atomic
def register_for_training(*, training: Training, volunteer: Volunteer, actor: User) -> Registration:
    """Register `volunteer` for `training`.

    The training row is locked first, so that two registrations at the same time cannot both take
    its last place. Raises PermissionDenied unless actor is the volunteer themself or manages the
    training; ValidationError if the volunteer is inactive or already registered, the training
    is full, or has ended and actor is the volunteer (managers may still enter a paper attendance
    list afterwards).
    """
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not can_register_for_training(actor, training, volunteer):
        raise PermissionDenied(gettext("You may register only yourself for this training."))
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError(
            {"volunteer": gettext("%(name)s is not an active volunteer.") % {"name": volunteer}}
        )
    if training.ends_on < timezone.localdate() and not can_manage_training(actor, training):
        raise ValidationError(
            {"training": gettext("The training has ended; registration is closed.")}
        )
    registrations = Registration.objects.filter(training=training)
    if registrations.filter(volunteer=volunteer).exists():
        raise ValidationError(
            {"volunteer": gettext("%(name)s is already registered.") % {"name": volunteer}}
        )
    if training.capacity is not None and registrations.count() >= training.capacity:
        raise ValidationError(
            {
                "training": gettext("The training is full (%(capacity)s places).")
                % {"capacity": training.capacity}
            }
        )
    registration = Registration(training=training, volunteer=volunteer)
    registration.full_clean()
    registration.save()
    return registration


def _locked_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("training", "volunteer")
        .get(pk=registration.pk)
    )


@transaction.atomic
def cancel_registration(*, registration: Registration, actor: User) -> None:
    """Withdraw a registration, freeing its place.

    Raises PermissionDenied unless actor is the volunteer themself or manages the training;
    ValidationError once attendance has been recorded.
    """
    registration = _locked_registration(registration)
    if not can_register_for_training(actor, registration.training, registration.volunteer):
        raise PermissionDenied(gettext("You may not cancel this registration."))
    if registration.attendance != Attendance.REGISTERED:
        raise ValidationError(
            gettext("Attendance has been recorded; the registration can no longer be cancelled.")
        )
    registration.delete()


@transaction.atomic
def record_attendance(*, registration: Registration, attendance: str, actor: User) -> Registration:
    """Record whether the volunteer attended.

    Raises PermissionDenied unless actor manages the training; ValidationError for an unknown
    value, a training that has not started, or taking back the attendance of a certificate holder.
    """
    registration = _locked_registration(registration)
    _require_manager(actor, registration.training)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": gettext("Unknown attendance.")})
    if attendance == registration.attendance:
        return registration
    if registration.training.starts_on > timezone.localdate():
        raise ValidationError(
            {"attendance": gettext("Attendance can be recorded once the training has started.")}
        )
    if registration.certificate_code:
        raise ValidationError(
            {
                "attendance": gettext("%(name)s already holds a certificate; the attendance stays.")
                % {"name": registration.volunteer}
            }
        )
    registration.attendance = attendance
    registration.save(update_fields=["attendance"])
    return registration


@transaction.atomic
def record_training_attendance(
    *, training: Training, attendance: dict[int, str], actor: User
) -> int:
    """Record the attendance of several registrations of `training` at once ({registration id:
    value}), all or none. Returns how many changed.

    Raises PermissionDenied as record_attendance; ValidationError naming the volunteer of the
    first refused row, or for a registration of another training.
    """
    _require_manager(actor, training)
    registrations = Registration.objects.filter(training=training, pk__in=attendance).in_bulk()
    missing = set(attendance) - set(registrations)
    if missing:
        raise ValidationError(gettext("A registration belongs to another training."))
    changed = 0
    for pk, value in attendance.items():
        if registrations[pk].attendance != value:
            record_attendance(registration=registrations[pk], attendance=value, actor=actor)
            changed += 1
    return changed


@transaction.atomic
def issue_certificate(*, registration: Registration, actor: User) -> Registration:
    """Mark the training completed and give the registration its certificate code; a second
    call returns the registration as it is.

    When the training awards a level, the volunteer's membership in the training's corps is
    raised to it (created when missing), never lowered. Raises PermissionDenied unless actor
    manages the training; ValidationError unless the volunteer attended.
    """
    registration = _locked_registration(registration)
    training = registration.training
    _require_manager(actor, training)
    if registration.certificate_code:
        return registration
    if registration.attendance != Attendance.ATTENDED:
        raise ValidationError(
            {"attendance": gettext("Only a volunteer who attended receives a certificate.")}
        )
    code = new_certificate_code()
    # 60 random bits: a clash is practically impossible, but cheap to rule out.
    while Registration.objects.filter(certificate_code=code).exists():
        code = new_certificate_code()
    registration.certificate_code = code
    registration.completed_at = timezone.now()
    registration.save(update_fields=["certificate_code", "completed_at"])
    if training.awards_level_id is not None:
        _raise_level(registration.volunteer, training)
    return registration


def _raise_level(volunteer: Volunteer, training: Training) -> None:
    level = training.awards_level
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("level")
        .filter(volunteer=volunteer, corps_id=training.corps_id)
        .first()
    )
    if membership is None:
        membership = Membership(
            volunteer=volunteer,
            corps_id=training.corps_id,
            level=level,
            since=timezone.localdate(),
        )
        membership.full_clean()
        membership.save()
    elif membership.level is None or membership.level.rank < level.rank:
        membership.level = level
        membership.save(update_fields=["level"])
