"""Who may change what in the villages app: small predicates over the user's area roles."""

from __future__ import annotations

from villages.models import Role, Village, role_areas

# The roles whose holders look after a village's profile, each over the area the role points at.
PROFILE_EDITOR_ROLES = (Role.DISTRICT_OFFICIAL, Role.KECAMATAN_OFFICER, Role.VILLAGE_SECRETARY)


def _profile_editor_codes(user) -> frozenset[str]:
    """The region codes under which `user` may edit profiles."""
    return frozenset(code for role, code in role_areas(user) if role in PROFILE_EDITOR_ROLES)


def can_edit_village_profile(user, village: Village) -> bool:
    """The village's secretary, the officer of its kecamatan, the official of its regency, and
    administrators may edit its profile and IDM scores; volunteers never."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        village.code == code or village.code.startswith(code + ".")
        for code in _profile_editor_codes(user)
    )
