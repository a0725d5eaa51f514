"""Who may do what with citizen service requests: predicates over the user's area roles.

Seeing a request is `visible_to`'s business (404 when not): officials of the regency, the
kecamatan officer and the village's secretary. Handling it is the village secretary's; the
kecamatan officer only receives forwarded requests back. Officials watch and keep the catalogue.
Personal data (the full NIK, the scanned documents that carry it) is for the village's secretary.
"""

from __future__ import annotations

from services.models import RequestStatus, ServiceRequest
from villages.models import Role, Village, role_areas


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_admin(user) -> bool:
    return _active(user) and user.is_superuser


def _codes(village: Village | str) -> tuple[str, str, str]:
    """(village, kecamatan, regency) codes of a village or village code."""
    code = village if isinstance(village, str) else village.code
    district = code.rpartition(".")[0]
    return code, district, district.rpartition(".")[0]


def is_village_secretary(user, village: Village | str) -> bool:
    code, _district, _regency = _codes(village)
    return (Role.VILLAGE_SECRETARY, code) in role_areas(user)


def can_file_request(user, village: Village | str) -> bool:
    """File a request at the counter: the village's secretary (and administrators)."""
    return _is_admin(user) or is_village_secretary(user, village)


def can_handle_request(user, service_request: ServiceRequest, action: str | None = None) -> bool:
    """Move a request through its workflow: the village's secretary. The kecamatan officer only
    takes a request forwarded to the kecamatan back (`action` "receive"); the rest stays with the
    village, whose letters and documents they are."""
    if _is_admin(user) or is_village_secretary(user, service_request.village_id):
        return True
    _code, district, _regency = _codes(service_request.village_id)
    return (
        action == "receive"
        and service_request.status == RequestStatus.FORWARDED
        and (Role.KECAMATAN_OFFICER, district) in role_areas(user)
    )


def can_view_full_nik(user, service_request: ServiceRequest) -> bool:
    """The full NIK is for the handling secretary only, and each view is recorded."""
    return _is_admin(user) or is_village_secretary(user, service_request.village_id)


def can_edit_catalogue(user) -> bool:
    """The catalogue of service types: district officials and administrators."""
    return _is_admin(user) or any(role == Role.DISTRICT_OFFICIAL for role, _ in role_areas(user))


def can_choose_village_services(user, village: Village | str) -> bool:
    """Which services a village offers: its secretary, the regency's officials, administrators."""
    _code, _district, regency = _codes(village)
    return (
        _is_admin(user)
        or is_village_secretary(user, village)
        or (Role.DISTRICT_OFFICIAL, regency) in role_areas(user)
    )
