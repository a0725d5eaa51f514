"""Writes to the roster: volunteers, their corps memberships and logins, and mentoring assignments.

Every action takes the acting user and checks volunteers.permissions itself, so that a page, the
API and an import cannot disagree about who may do what.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib.figures import note_change
from portal.lib.phone import normalise_phone
from villages.models import (
    District,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Role,
    RoleAssignment,
    Village,
)
from volunteers.models import (
    Assignment,
    AssignmentRole,
    Corps,
    CorpsLevel,
    Membership,
    Volunteer,
    VolunteerStatus,
)
from volunteers.permissions import (
    can_assign_to_village,
    can_manage_volunteer,
    manages_roster_in,
)

# What `update_volunteer` may change; the login has its own action.
VOLUNTEER_FIELDS = (
    "full_name",
    "gender",
    "district",
    "whatsapp",
    "email",
    "home_village",
    "skills",
    "status",
    "joined_on",
    "left_on",
)
# A village takes mentors while it is a candidate or active in the programme.
ASSIGNABLE_ENROLMENTS = (EnrolmentStatus.CANDIDATE, EnrolmentStatus.ACTIVE)


def _require_roster_manager(actor: User, region) -> None:
    if not manages_roster_in(actor, region):
        raise PermissionDenied(gettext("You do not look after the volunteers of this kecamatan."))


def _require_volunteer_manager(actor: User, volunteer: Volunteer) -> None:
    if not can_manage_volunteer(actor, volunteer):
        raise PermissionDenied(gettext("You do not look after this volunteer."))


def _whatsapp_errors(volunteer: Volunteer) -> dict[str, list[str]]:
    """Normalise `volunteer.whatsapp` in place; the errors keyed by "whatsapp", if any.

    The unique constraint would report a taken number without naming the field, so it is checked
    here first (the constraint still guards against a race).
    """
    try:
        volunteer.whatsapp = normalise_phone(volunteer.whatsapp)
    except ValidationError as error:
        return {"whatsapp": error.messages}
    taken = (
        Volunteer.objects.filter(whatsapp=volunteer.whatsapp).exclude(pk=volunteer.pk).exists()
        if volunteer.whatsapp
        else False
    )
    if taken:
        return {"whatsapp": [gettext("Another volunteer has this WhatsApp number.")]}
    return {}


def _validate(instance, errors: dict[str, list[str]]) -> None:
    """`full_clean()` the instance, skipping fields already refused; raise all errors at once."""
    try:
        instance.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_volunteer(
    *,
    actor: User,
    full_name: str,
    gender: str,
    district: District,
    whatsapp: str = "",
    email: str = "",
    home_village: Village | None = None,
    skills: str = "",
    status: str = VolunteerStatus.ACTIVE,
    joined_on: datetime.date | None = None,
    left_on: datetime.date | None = None,
) -> Volunteer:
    """Add a volunteer based in `district` to the roster.

    The WhatsApp number is stored as +62… (E.164). Raises PermissionDenied unless actor looks
    after the volunteers of `district`; ValidationError for a bad or taken WhatsApp number, a
    leaving date before the joining date or a missing field.
    """
    _require_roster_manager(actor, district)
    volunteer = Volunteer(
        full_name=full_name,
        gender=gender,
        district=district,
        whatsapp=whatsapp,
        email=email,
        home_village=home_village,
        skills=skills,
        status=status,
        joined_on=joined_on,
        left_on=left_on,
    )
    _validate(volunteer, _whatsapp_errors(volunteer))
    volunteer.save()
    note_change(district_ids=[volunteer.district_id])
    return volunteer


@transaction.atomic
def update_volunteer(*, volunteer: Volunteer, actor: User, **fields) -> Volunteer:
    """Change the given fields (any of VOLUNTEER_FIELDS) of a volunteer's record.

    Moving the volunteer to another kecamatan needs rights over both. Raises PermissionDenied
    unless actor looks after the volunteer (and the new kecamatan); ValidationError as for
    `create_volunteer`; TypeError for a field that is not one of VOLUNTEER_FIELDS.
    """
    unknown = set(fields) - set(VOLUNTEER_FIELDS)
    if unknown:
        raise TypeError(f"update_volunteer() cannot change {', '.join(sorted(unknown))}")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _require_volunteer_manager(actor, volunteer)
    if "district" in fields and fields["district"].pk != volunteer.district_id:
        _require_roster_manager(actor, fields["district"])
    note_change(volunteer_ids=[volunteer.pk], district_ids=[volunteer.district_id])
    for field, value in fields.items():
        setattr(volunteer, field, value)
    errors = _whatsapp_errors(volunteer) if "whatsapp" in fields else {}
    _validate(volunteer, errors)
    volunteer.save(update_fields=[*fields, "updated_at"])
    return volunteer


@transaction.atomic
def save_membership(
    *,
    volunteer: Volunteer,
    corps: Corps,
    actor: User,
    level: CorpsLevel | None = None,
    komisariat: str = "",
    position: str = "",
    appointing_village: Village | None = None,
    decree_number: str = "",
    decree_date: datetime.date | None = None,
    since: datetime.date | None = None,
) -> Membership:
    """Record the volunteer's membership of `corps`, creating it or replacing its details (a
    volunteer is a member of a corps once).

    Raises PermissionDenied unless actor looks after the volunteer; ValidationError for a level
    of another corps.
    """
    # Locking the volunteer serialises two saves of the same membership.
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _require_volunteer_manager(actor, volunteer)
    membership = Membership.objects.filter(volunteer=volunteer, corps=corps).first()
    created = membership is None
    if created:
        membership = Membership(volunteer=volunteer, corps=corps)
    details = {
        "level": level,
        "komisariat": komisariat,
        "position": position,
        "appointing_village": appointing_village,
        "decree_number": decree_number,
        "decree_date": decree_date,
        "since": since,
    }
    for field, value in details.items():
        setattr(membership, field, value)
    _validate(membership, {})
    if created:
        membership.save()
    else:
        membership.save(update_fields=list(details))
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership, actor: User) -> None:
    """Take the volunteer out of the corps.

    Raises PermissionDenied unless actor looks after the volunteer.
    """
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .get(pk=membership.pk)
    )
    _require_volunteer_manager(actor, membership.volunteer)
    membership.delete()


@transaction.atomic
def create_volunteer_login(
    *, volunteer: Volunteer, username: str, password: str, actor: User
) -> User:
    """Give the volunteer a login with the volunteer role, so that they log visits and see the
    villages they mentor.

    Raises PermissionDenied unless actor looks after the volunteer; ValidationError when the
    volunteer already has a login, the username is taken or invalid, or the password fails the
    password validators.
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    _require_volunteer_manager(actor, volunteer)
    if volunteer.user_id is not None:
        raise ValidationError(gettext("This volunteer already has a login."))
    user = User(username=username, full_name=volunteer.full_name, email=volunteer.email)
    errors = {}
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    user.set_password(password)
    _validate(user, errors)
    user.save()
    role = RoleAssignment(user=user, role=Role.VOLUNTEER)
    role.full_clean()
    role.save()
    volunteer.user = user
    volunteer.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def assign_volunteer(
    *,
    volunteer: Volunteer,
    village: Village,
    programme: Programme,
    role: str,
    starts_on: datetime.date,
    actor: User,
    ends_on: datetime.date | None = None,
) -> Assignment:
    """Assign an active volunteer to mentor a village enrolled (candidate or active) in the
    programme, from `starts_on` until `ends_on` (open-ended when None).

    A village has at most one main mentor per programme at any time. Raises PermissionDenied
    unless actor looks after the volunteers of the village's kecamatan; ValidationError (by
    field) for a village not enrolled, an inactive volunteer, an end before the start, a second
    main mentor in an overlapping period, or the volunteer already assigned there then.
    """
    if not can_assign_to_village(actor, village):
        raise PermissionDenied(gettext("You may not assign mentors to this village."))
    # The enrolment lock serialises assignments to one village of one programme, so that two
    # officials assigning a main mentor at once cannot both pass the overlap check below.
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(programme=programme, village=village, status__in=ASSIGNABLE_ENROLMENTS)
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            {"village": gettext("The village is not enrolled in this programme.")}
        )
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError({"volunteer": gettext("Only an active volunteer can be assigned.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": gettext("An assignment cannot end before it starts.")})

    overlapping = Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on), programme=programme, village=village
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.filter(volunteer=volunteer).exists():
        raise ValidationError(
            {"volunteer": gettext("The volunteer is already assigned to this village then.")}
        )
    if role == AssignmentRole.MAIN:
        main = overlapping.filter(role=AssignmentRole.MAIN).select_related("volunteer").first()
        if main is not None:
            raise ValidationError(
                {
                    "role": gettext(
                        "%(name)s is already the main mentor of this village in that period."
                    )
                    % {"name": main.volunteer.full_name}
                }
            )
    assignment = Assignment(
        volunteer=volunteer,
        village=village,
        programme=programme,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _validate(assignment, {})
    assignment.save()
    note_change(village_ids=[village.pk], district_ids=[volunteer.district_id])
    return assignment


@transaction.atomic
def end_assignment(*, assignment: Assignment, ends_on: datetime.date, actor: User) -> Assignment:
    """End the assignment on `ends_on` (the last day the volunteer mentors the village).

    Raises PermissionDenied unless actor may assign mentors to the village; ValidationError when
    `ends_on` is before the start or the assignment has already ended.
    """
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("village")
        .get(pk=assignment.pk)
    )
    if not can_assign_to_village(actor, assignment.village):
        raise PermissionDenied(gettext("You may not change the mentors of this village."))
    if assignment.ends_on is not None and assignment.ends_on < timezone.localdate():
        raise ValidationError(gettext("This assignment has already ended."))
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": gettext("An assignment cannot end before it starts.")})
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    note_change(village_ids=[assignment.village_id], volunteer_ids=[assignment.volunteer_id])
    return assignment
