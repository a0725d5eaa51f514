"""Reads for the roster pages and API: unmentored villages, a volunteer's profile, the roster list.

Each function costs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from villages.models import Enrolment, EnrolmentStatus, Programme
from volunteers.models import (
    Assignment,
    AssignmentRole,
    Membership,
    Registration,
    Visit,
    Volunteer,
    VolunteerStatus,
)
from volunteers.permissions import can_manage_volunteer, can_see_volunteer_contacts

LATEST_VISITS = 10


def villages_without_main_mentor(*, user, programme: Programme | None = None) -> QuerySet:
    """The active enrolments the user sees whose village has no main mentor today (an active
    volunteer with a current main assignment in that programme): one query."""
    main_mentor = Assignment.objects.current(timezone.localdate()).filter(
        programme=OuterRef("programme"),
        village=OuterRef("village"),
        role=AssignmentRole.MAIN,
        volunteer__status=VolunteerStatus.ACTIVE,
    )
    enrolments = (
        Enrolment.objects.visible_to(user)
        .filter(status=EnrolmentStatus.ACTIVE)
        .exclude(Exists(main_mentor))
        .select_related("programme", "village__district")
        .order_by("programme__name", "village__district__name", "village__name")
    )
    if programme is not None:
        enrolments = enrolments.filter(programme=programme)
    return enrolments


def roster(*, user) -> QuerySet:
    """The volunteers the user sees, with their memberships (corps and level) and, in
    `current_assignments`, their current assignments that the user sees (villages included)."""
    return (
        Volunteer.objects.visible_to(user)
        .select_related("district")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("corps", "level")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.visible_to(user)
                .current()
                .select_related("village")
                .order_by("village__name"),
                to_attr="current_assignments",
            ),
        )
    )


def volunteer_profile_context(*, user, volunteer: Volunteer) -> dict:
    """What the profile page shows of `volunteer` to `user`: memberships, the assignments, latest
    visits and training registrations the user sees, and whether contacts and edits are allowed."""
    memberships = volunteer.memberships.select_related("corps", "level", "appointing_village")
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(volunteer=volunteer)
        .select_related("village__district", "programme")
        .order_by("-starts_on", "village__name")
    )
    visits = (
        Visit.objects.visible_to(user)
        .filter(volunteer=volunteer)
        .select_related("village")
        .order_by("-visited_on", "-pk")[:LATEST_VISITS]
    )
    registrations = (
        Registration.objects.visible_to(user)
        .filter(volunteer=volunteer)
        .select_related("training")
        .order_by("-training__starts_on")
    )
    today = timezone.localdate()
    assignments = list(assignments)
    for assignment in assignments:
        assignment.current = assignment.is_current(today)
    return {
        "volunteer": volunteer,
        "memberships": list(memberships),
        "assignments": assignments,
        "visits": list(visits),
        "registrations": list(registrations),
        "can_see_contacts": can_see_volunteer_contacts(user, volunteer),
        "can_manage": can_manage_volunteer(user, volunteer),
    }
