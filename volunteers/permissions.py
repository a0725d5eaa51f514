"""Who may change what in the volunteers app: predicates over the user's area roles.

Seeing a row is `visible_to`'s business (404 when not); these answer whether a user who sees it
may change it (403 when not). "Roster managers" of a kecamatan are the regency's district
officials, the kecamatan's officer and its volunteer coordinator, and administrators.
"""

from __future__ import annotations

from villages.models import AreaScope, District, Regency, Region, Role, Village, role_areas
from volunteers.models import ROSTER_ROLES, Registration, Training, Visit, Volunteer


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user) -> bool:
    return _active(user) and user.is_superuser


def _district_code(region: Region | str) -> str:
    """The kecamatan code of a kecamatan or village (object or code)."""
    code = region if isinstance(region, str) else region.code
    return ".".join(code.split(".")[:3])


def manages_roster_in(user, region: District | Village | str) -> bool:
    """Whether the user looks after the volunteers of the kecamatan holding `region`."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    district_code = _district_code(region)
    regency_code = district_code.rpartition(".")[0]
    held = role_areas(user)
    return (
        (Role.DISTRICT_OFFICIAL, regency_code) in held
        or (Role.KECAMATAN_OFFICER, district_code) in held
        or (Role.VOLUNTEER_COORDINATOR, district_code) in held
    )


def managed_districts(user):
    """The kecamatan whose volunteers the user looks after (for forms and the import)."""
    if _is_admin(user):
        return District.objects.all()
    codes = [code for role, code in role_areas(user) if role in ROSTER_ROLES and code]
    if not codes:
        return District.objects.none()
    return AreaScope(frozenset(codes)).filter(District.objects.all(), ancestors=False)


def can_manage_volunteer(user, volunteer: Volunteer) -> bool:
    """Edit a volunteer's record, memberships and login: roster managers of their kecamatan."""
    return manages_roster_in(user, volunteer.district_id)


def can_see_volunteer_contacts(user, volunteer: Volunteer) -> bool:
    """WhatsApp number and email: the volunteer themself and the roster managers only."""
    if _active(user) and volunteer.user_id is not None and volunteer.user_id == user.pk:
        return True
    return can_manage_volunteer(user, volunteer)


def can_assign_to_village(user, village: Village) -> bool:
    """Assign mentors to a village: roster managers of the village's kecamatan."""
    return manages_roster_in(user, village.code)


def can_log_visit(user, volunteer: Volunteer) -> bool:
    """Only the volunteer themself logs (and edits, submits, adds photos to) their visits."""
    return _active(user) and volunteer.user_id is not None and volunteer.user_id == user.pk


def can_review_visit(user, visit: Visit) -> bool:
    """Verify or return a visit: roster managers of the village's kecamatan, but never the
    volunteer who made it."""
    if can_log_visit(user, visit.volunteer):
        return False
    return manages_roster_in(user, visit.village_id)


def managed_regencies(user):
    """Regencies in which the user organises trainings: their own as an official."""
    if _is_admin(user):
        return Regency.objects.all()
    codes = [code for role, code in role_areas(user) if role == Role.DISTRICT_OFFICIAL]
    return Regency.objects.filter(code__in=codes)


def can_manage_training(user, training: Training) -> bool:
    """Create and edit trainings, register anyone, record attendance, issue certificates: the
    regency's district officials and administrators."""
    return _is_admin(user) or (Role.DISTRICT_OFFICIAL, training.regency_id) in role_areas(user)


def can_register_for_training(user, training: Training, volunteer: Volunteer) -> bool:
    """A volunteer registers themself; training managers register anyone."""
    return can_log_visit(user, volunteer) or can_manage_training(user, training)


def can_download_certificate(user, registration: Registration) -> bool:
    """The certificate's holder and the training's managers."""
    return can_log_visit(user, registration.volunteer) or can_manage_training(
        user, registration.training
    )
