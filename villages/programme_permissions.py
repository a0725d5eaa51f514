"""Who may change programmes, milestone progress and scorecards.

Seeing a programme or a village is `visible_to`'s business; these predicates answer the next
question, whether a user who sees the row may change it (403 when not).
"""

from __future__ import annotations

from villages.models import Programme, Regency, Role, Village, role_areas


def _is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def _holds(user, role: Role, code: str) -> bool:
    return (role, code) in role_areas(user)


def managed_regencies(user):
    """The regencies in which the user may start a programme: their own as an official; all
    for administrators."""
    if _is_admin(user):
        return Regency.objects.all()
    codes = [code for role, code in role_areas(user) if role == Role.DISTRICT_OFFICIAL]
    return Regency.objects.filter(code__in=codes)


def can_edit_indicators(user) -> bool:
    """The scorecard's indicators are shared by every regency: officials and administrators."""
    return managed_regencies(user).exists()


def can_manage_programme(user, programme: Programme) -> bool:
    """Programmes, their milestones and enrolments: the regency's officials and administrators."""
    return _is_admin(user) or _holds(user, Role.DISTRICT_OFFICIAL, programme.regency_id)


def _village_codes(village: Village) -> tuple[str, str]:
    district_code = village.code.rpartition(".")[0]
    return district_code, district_code.rpartition(".")[0]


def can_update_milestone_progress(user, village: Village) -> bool:
    """The village's secretary, its kecamatan officer, its regency's officials, administrators."""
    district_code, regency_code = _village_codes(village)
    return (
        _is_admin(user)
        or _holds(user, Role.VILLAGE_SECRETARY, village.code)
        or _holds(user, Role.KECAMATAN_OFFICER, district_code)
        or _holds(user, Role.DISTRICT_OFFICIAL, regency_code)
    )


def can_record_assessment(user, village: Village) -> bool:
    """Scorecards are assessed from outside the village: its officer, officials, administrators."""
    district_code, regency_code = _village_codes(village)
    return (
        _is_admin(user)
        or _holds(user, Role.KECAMATAN_OFFICER, district_code)
        or _holds(user, Role.DISTRICT_OFFICIAL, regency_code)
    )
