"""Portal-wide writes that span the apps: the demo data set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from axes.models import AccessAttempt
from django.apps import apps
from django.db import transaction

from portal.accounts.models import User
from villages.actions import REGION_MODELS, RegionImportResult, import_regions
from villages.models import ROLE_AREA_FIELD, Role, RoleAssignment

# Published on purpose (README, the demo command's output): demo instances only.
DEMO_PASSWORD = "desacerdas"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    # None for the administrator, who is a superuser and needs no role.
    role: Role | None = None
    area_code: str | None = None


DEMO_USERS = (
    DemoUser("admin", "Administrator Portal"),
    DemoUser("pejabat", "Pejabat Dinas Kominfo Blitar", Role.DISTRICT_OFFICIAL, "35.05"),
    DemoUser("camat.wonodadi", "Petugas Kecamatan Wonodadi", Role.KECAMATAN_OFFICER, "35.05.01"),
    DemoUser("sekdes.jaten", "Sekretaris Desa Jaten", Role.VILLAGE_SECRETARY, "35.05.01.2001"),
    DemoUser("sekdes.salam", "Sekretaris Desa Salam", Role.VILLAGE_SECRETARY, "35.05.01.2002"),
    DemoUser("relawan", "Relawan Desa Cerdas", Role.VOLUNTEER),
)


@dataclass(frozen=True)
class DemoAccount:
    user: User
    assignment: RoleAssignment | None


@dataclass(frozen=True)
class DemoResult:
    regions: RegionImportResult
    accounts: list[DemoAccount]


def demo_regions_dir() -> Path:
    """Kabupaten Blitar's regions, bundled with the villages app (ODbL, see its README.md)."""
    return Path(apps.get_app_config("villages").path) / "fixtures" / "blitar"


@transaction.atomic
def load_demo() -> DemoResult:
    """Import Kabupaten Blitar's regions and create one demo user per role (see DEMO_USERS).

    Idempotent: a re-run imports nothing new, and resets each demo user's password to
    DEMO_PASSWORD, their profile, their single role and any login lockout, creating no duplicates.
    Meant for demo instances only: it overwrites an existing user with a demo username.
    Raises RegionImportError if the bundled files are damaged.
    """
    regions = import_regions(directory=demo_regions_dir())
    accounts = [_reset_demo_user(spec) for spec in DEMO_USERS]
    return DemoResult(regions=regions, accounts=accounts)


def _reset_demo_user(spec: DemoUser) -> DemoAccount:
    user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
    user.full_name = spec.full_name
    user.email = f"{spec.username}@example.org"
    user.is_active = True
    user.is_superuser = user.is_staff = spec.role is None
    user.set_password(DEMO_PASSWORD)
    user.full_clean()
    user.save()
    # A locked-out demo account would refuse the reset password (axes' database handler).
    AccessAttempt.objects.filter(username=spec.username).delete()

    assignment = _ensure_single_role(user, spec) if spec.role else None
    if assignment is None:
        RoleAssignment.objects.filter(user=user).delete()
    return DemoAccount(user=user, assignment=assignment)


def _ensure_single_role(user: User, spec: DemoUser) -> RoleAssignment:
    area_field = ROLE_AREA_FIELD[spec.role]
    area = {}
    if area_field:
        area[area_field] = REGION_MODELS[area_field].objects.get(code=spec.area_code)
    assignment = RoleAssignment.objects.filter(user=user, role=spec.role, **area).first()
    if assignment is None:
        assignment = RoleAssignment(user=user, role=spec.role, **area)
        assignment.full_clean()
        assignment.save()
    RoleAssignment.objects.filter(user=user).exclude(pk=assignment.pk).delete()
    return assignment
