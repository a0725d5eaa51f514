"""The demo data set: Kabupaten Blitar's regions, one user per role, programmes and profiles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from axes.models import AccessAttempt
from django.apps import apps
from django.db import transaction

from portal.accounts.models import User
from villages.actions import REGION_MODELS, RegionImportResult, import_regions
from villages.actions.programmes import (
    add_milestone,
    create_programme,
    enrol_village,
    get_or_create_cohort,
)
from villages.actions.scorecards import record_assessment
from villages.models import (
    ROLE_AREA_FIELD,
    Assessment,
    Connectivity,
    Enrolment,
    IdmScore,
    Indicator,
    MilestoneProgress,
    MilestoneState,
    Programme,
    Regency,
    Role,
    RoleAssignment,
    Village,
    VillageProfile,
)

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
    DemoUser("relawan", "Sri Wahyuni", Role.VOLUNTEER),
    DemoUser(
        "koordinator.wonodadi",
        "Koordinator Relawan TIK Wonodadi",
        Role.VOLUNTEER_COORDINATOR,
        "35.05.01",
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    user: User
    assignment: RoleAssignment | None


@dataclass(frozen=True)
class DemoResult:
    regions: RegionImportResult
    accounts: list[DemoAccount]
    programmes: list[Programme] = field(default_factory=list)


def demo_regions_dir() -> Path:
    """Kabupaten Blitar's regions, bundled with the villages app (ODbL, see its README.md)."""
    return Path(apps.get_app_config("villages").path) / "fixtures" / "blitar"


@transaction.atomic
def load_demo() -> DemoResult:
    """Import Kabupaten Blitar's regions, create one demo user per role (see DEMO_USERS) and two
    pilot programmes with milestones, enrolments, progress and assessments (see DEMO_PROGRAMMES).

    Idempotent: a re-run imports nothing new, and resets each demo user's password to
    DEMO_PASSWORD, their profile, their single role and any login lockout, and the demo
    programmes' milestone progress, creating no duplicates.
    Meant for demo instances only: it overwrites an existing user with a demo username.
    Raises RegionImportError if the bundled files are damaged.
    """
    regions = import_regions(directory=demo_regions_dir())
    accounts = [_reset_demo_user(spec) for spec in DEMO_USERS]
    official = next(account.user for account in accounts if account.user.username == "pejabat")
    programmes = _load_demo_programmes(official)
    _load_demo_profiles(official)
    return DemoResult(regions=regions, accounts=accounts, programmes=programmes)


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


# Programmes


@dataclass(frozen=True)
class DemoProgramme:
    slug: str
    name: str
    owner_agency: str
    cohort: str
    village_count: int
    # How many milestones village number i has done: (i + shift) % 8, capped at all of them.
    shift: int


DEMO_PROGRAMMES = (
    DemoProgramme(
        "desa-cerdas-kemendes-2021",
        "Desa Cerdas Kemendes 2021",
        "Kemendes PDTT",
        "Angkatan 2021",
        30,
        3,
    ),
    DemoProgramme(
        "pandu-digital-2021",
        "Digitalisasi Desa \N{EN DASH} Pandu Digital 2021",
        "Kominfo",
        "Pandu Digital 2021",
        20,
        0,
    ),
)

# (name, target count, evidence link path)
DEMO_MILESTONES = (
    ("Situs web desa tayang", None, "situs"),
    ("Media sosial desa aktif", None, "media-sosial"),
    ("Basis data desa daring", None, "basis-data"),
    ("Akses internet di kantor desa", None, "internet"),
    ("Kader Digital ditetapkan dengan SK", None, "sk-kader-digital"),
    ("10 UMKM daring", 10, "umkm"),
    ("Katalog layanan digital terbit", None, "katalog-layanan"),
)
DEMO_DISTRICTS = 10
DEMO_VILLAGES_PER_DISTRICT = 3
DEMO_STARTS_ON = datetime.date(2021, 3, 1)
# (assessed on, lift over the baseline); the first is the baseline.
DEMO_ASSESSMENTS = ((datetime.date(2021, 3, 15), 0), (datetime.date(2022, 9, 15), 1))
DEMO_ASSESSED_VILLAGES = 6


def demo_programme_villages() -> list[Village]:
    """The first three desa of each of the first ten kecamatan of Blitar, by code: 30 villages
    across ten kecamatan, Jaten and Salam (the demo secretaries' villages) among them."""
    chosen: list[Village] = []
    per_district: dict[str, int] = {}
    villages = Village.objects.filter(code__startswith="35.05.", kind="desa").order_by("code")
    for village in villages.select_related("district"):
        district = village.district_id
        if district not in per_district and len(per_district) == DEMO_DISTRICTS:
            continue
        if per_district.get(district, 0) < DEMO_VILLAGES_PER_DISTRICT:
            per_district[district] = per_district.get(district, 0) + 1
            chosen.append(village)
    return chosen


def _load_demo_programmes(official: User) -> list[Programme]:
    regency = Regency.objects.get(code="35.05")
    all_villages = demo_programme_villages()
    # The Pandu Digital cohort: the first two of each kecamatan's three.
    mentored = [v for i, v in enumerate(all_villages) if i % DEMO_VILLAGES_PER_DISTRICT < 2]
    programmes = []
    for spec in DEMO_PROGRAMMES:
        villages = all_villages if spec.village_count == len(all_villages) else mentored
        programme = Programme.objects.filter(slug=spec.slug).first() or create_programme(
            name=spec.name,
            slug=spec.slug,
            owner_agency=spec.owner_agency,
            regency=regency,
            starts_on=DEMO_STARTS_ON,
            ends_on=datetime.date(2022, 12, 31),
            actor=official,
        )
        milestones = _ensure_demo_milestones(programme, official)
        cohort = get_or_create_cohort(programme=programme, name=spec.cohort, actor=official)
        enrolled = dict(
            Enrolment.objects.filter(programme=programme).values_list("village_id", "pk")
        )
        for village in villages:
            if village.code not in enrolled:
                enrolled[village.code] = enrol_village(
                    programme=programme,
                    village=village,
                    cohort=cohort,
                    enrolled_on=DEMO_STARTS_ON,
                    actor=official,
                ).pk
        _reset_demo_progress(
            [(enrolled[v.code], v) for v in villages], milestones, spec.shift, official
        )
        programmes.append(programme)
    _ensure_demo_assessments(all_villages[:DEMO_ASSESSED_VILLAGES], official)
    return programmes


def _ensure_demo_milestones(programme: Programme, official: User) -> list:
    existing = {milestone.name: milestone for milestone in programme.milestones.all()}
    milestones = []
    for order, (name, target, _path) in enumerate(DEMO_MILESTONES):
        milestone = existing.get(name) or add_milestone(
            programme=programme, name=name, target_count=target, order=order, actor=official
        )
        milestones.append(milestone)
    return milestones


def _reset_demo_progress(enrolments, milestones, shift: int, official: User) -> None:
    """One upsert for every (enrolment, milestone): a staircase of done, one in progress, and
    the rest not started, so that villages sit at every stage."""
    rows = []
    for index, (enrolment_id, village) in enumerate(enrolments):
        done_count = min((index + shift) % 8, len(milestones))
        for position, milestone in enumerate(milestones):
            path = DEMO_MILESTONES[position][2]
            if position < done_count:
                state = MilestoneState.DONE
                completed_on = DEMO_STARTS_ON + datetime.timedelta(days=30 * position + index)
                evidence = f"https://desa.example.org/{village.code}/{path}"
            elif position == done_count:
                state, completed_on, evidence = MilestoneState.IN_PROGRESS, None, ""
            else:
                state, completed_on, evidence = MilestoneState.NOT_STARTED, None, ""
            target = milestone.target_count
            rows.append(
                MilestoneProgress(
                    enrolment_id=enrolment_id,
                    milestone=milestone,
                    state=state,
                    completed_on=completed_on,
                    achieved_count=(target if state == MilestoneState.DONE else index % target)
                    if target
                    else None,
                    evidence_url=evidence,
                    updated_by=official,
                )
            )
    MilestoneProgress.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["enrolment", "milestone"],
        update_fields=[
            "state",
            "completed_on",
            "achieved_count",
            "evidence_url",
            "updated_by",
            "updated_at",
        ],
    )


def _ensure_demo_assessments(villages: list[Village], official: User) -> None:
    """A baseline and a later scorecard for a few villages, assessed by the demo official."""
    indicators = list(Indicator.objects.filter(is_active=True).order_by("dimension", "order"))
    existing = set(
        Assessment.objects.filter(village__in=villages, assessor=official).values_list(
            "village_id", "assessed_on"
        )
    )
    for v_index, village in enumerate(villages):
        for assessed_on, lift in DEMO_ASSESSMENTS:
            if (village.code, assessed_on) in existing:
                continue
            scores = {
                indicator.code: min(
                    indicator.max_score, (v_index + i_index) % 3 + lift * (1 + i_index % 2)
                )
                for i_index, indicator in enumerate(indicators)
            }
            record_assessment(
                village=village, assessed_on=assessed_on, scores=scores, actor=official
            )


DEMO_IDM_YEARS = (2021, 2022, 2023)
DEMO_CONNECTIVITY = (
    Connectivity.G4,
    Connectivity.G4,
    Connectivity.G3,
    Connectivity.FIBRE,
    Connectivity.VILLAGE_WIFI,
    Connectivity.G2,
    Connectivity.NONE,
)


HEAD_FIRST = ("Suyono", "Sutrisno", "Mulyadi", "Siti Aminah", "Bambang", "Sri Utami", "Haryanto")
HEAD_SECOND = ("", " Wibowo", " Hadi", " Santoso", " Rahayu")


def _head_name(seed: int) -> str:
    """A village head's name that follows from the village code, for letters' signatures."""
    return HEAD_FIRST[seed % len(HEAD_FIRST)] + HEAD_SECOND[seed // 7 % len(HEAD_SECOND)]


def _load_demo_profiles(official: User) -> None:
    """Give every Blitar village a profile and three years of IDM scores, so that the map layers
    and filters have something to show. Deterministic: values follow from the village code."""
    villages = list(Village.objects.filter(code__startswith="35.05.").order_by("code"))
    profiles, scores = [], []
    for index, village in enumerate(villages):
        seed = int(village.code.replace(".", "")) * 37
        profiles.append(
            VillageProfile(
                village=village,
                head_name=_head_name(seed),
                population=2000 + seed % 6000,
                households=600 + seed % 1800,
                connectivity=DEMO_CONNECTIVITY[index % len(DEMO_CONNECTIVITY)],
                internet_sambung_desa=index % 3 == 0,
                umkm_count=20 + seed % 80,
                umkm_online_count=seed % 20,
                updated_by=official,
            )
        )
        base = Decimal(45 + seed % 45) / 100
        scores += [
            IdmScore(village=village, year=year, score=min(base + Decimal("0.02") * step, 1))
            for step, year in enumerate(DEMO_IDM_YEARS)
        ]
    # Seed data: written in bulk, so the profiles start without history entries.
    VillageProfile.objects.bulk_create(
        profiles,
        update_conflicts=True,
        unique_fields=["village"],
        update_fields=[
            "head_name",
            "population",
            "households",
            "connectivity",
            "internet_sambung_desa",
            "umkm_count",
            "umkm_online_count",
            "updated_by",
        ],
    )
    IdmScore.objects.bulk_create(
        scores, update_conflicts=True, unique_fields=["village", "year"], update_fields=["score"]
    )
