"""Fixtures for the dashboard: the same activity in three villages of three areas, so that a
figure leaking across an area boundary changes a number the tests compare."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from portal.dashboard.actions import bump_cache_versions, rebuild_rollups
from tests.factories import (
    AssessmentFactory,
    AssignmentFactory,
    EnrolmentFactory,
    MilestoneFactory,
    MilestoneProgressFactory,
    ProgrammeFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    VisitFactory,
    VolunteerFactory,
)
from villages.models import AssessmentScore, Indicator


@pytest.fixture(autouse=True)
def english(client):
    """English in the code under test and in the pages the test client asks for."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_figures():
    """Cached figures of an earlier test (same area codes, same Redis) must not be read."""
    bump_cache_versions(["35.05", "35.06"])


def today() -> datetime.date:
    return timezone.localdate()


def activity(village, programme, milestones, *, serial: int, volunteer_name="Sri Wahyuni"):
    """One village's worth of figures: an active enrolment with 2 of 3 milestones done, a main
    mentor, an assessment, 2 visits this month (10 women, 8 men, 5 young each), and 4 requests
    filed this month (1 completed on time, 1 completed late, 1 overdue, 1 open)."""
    enrolment = EnrolmentFactory(programme=programme, village=village, status="active")
    for milestone in milestones[:2]:
        MilestoneProgressFactory(enrolment=enrolment, milestone=milestone, completed_on=today())
    volunteer = VolunteerFactory(
        full_name=volunteer_name, district=village.district, whatsapp=f"+62812777{serial:05d}"
    )
    AssignmentFactory(volunteer=volunteer, village=village, programme=programme)
    assessment = AssessmentFactory(village=village, assessed_on=today())
    indicator = Indicator.objects.filter(dimension="masyarakat").first()
    AssessmentScore.objects.create(
        assessment=assessment, indicator=indicator, score=Decimal(indicator.max_score) / 2
    )
    for _ in range(2):
        VisitFactory(
            volunteer=volunteer,
            village=village,
            visited_on=today(),
            participants_female=10,
            participants_male=8,
            participants_youth=5,
            status="verified",
        )
    service_type = ServiceTypeFactory(code="domisili")
    now = timezone.now()
    base = {"village": village, "service_type": service_type}
    ServiceRequestFactory(
        **base,
        tracking_code=f"ONTIME{serial:06d}",
        status="completed",
        completed_at=now,
        due_on=today() + datetime.timedelta(days=3),
    )
    ServiceRequestFactory(
        **base,
        tracking_code=f"LATEXX{serial:06d}",
        status="completed",
        completed_at=now,
        due_on=today() - datetime.timedelta(days=1),
    )
    ServiceRequestFactory(
        **base,
        tracking_code=f"OVERDU{serial:06d}",
        status="in_process",
        due_on=today() - datetime.timedelta(days=2),
    )
    ServiceRequestFactory(
        **base,
        tracking_code=f"OPENXX{serial:06d}",
        status="submitted",
        due_on=today() + datetime.timedelta(days=2),
    )
    return SimpleNamespace(enrolment=enrolment, volunteer=volunteer)


@pytest.fixture
def three_areas(regions):
    """Identical activity in village A (Wonodadi), village B (Udanawu, same regency) and the far
    village (Kediri), each under its regency's programme; rollups rebuilt."""
    blitar = ProgrammeFactory(name="Desa Cerdas Blitar", slug="dc-blitar", regency=regions.regency)
    kediri = ProgrammeFactory(
        name="Desa Cerdas Kediri", slug="dc-kediri", regency=regions.other_regency
    )
    blitar_milestones = [MilestoneFactory(programme=blitar) for _ in range(3)]
    kediri_milestones = [MilestoneFactory(programme=kediri) for _ in range(3)]
    activity(regions.village_a, blitar, blitar_milestones, serial=1)
    activity(regions.village_b, blitar, blitar_milestones, serial=2)
    activity(regions.far_village, kediri, kediri_milestones, serial=3)
    rebuild_rollups()
    return SimpleNamespace(blitar=blitar, kediri=kediri)


# One village's worth of `activity`, as the dashboard's KPIs.
ONE_VILLAGE = {
    "villages_enrolled": 1,
    "villages_pilot": 1,
    "milestones_done": 2,
    "milestones_total": 3,
    "visits_this_month": 2,
    "participants_this_month": 36,
    "visits": 2,
    "visits_verified": 2,
    "participants_women": 20,
    "participants_men": 16,
    "participants_youth": 10,
    "volunteers_active": 1,
    "volunteers_mentoring": 1,
    "mentors_current": 1,
    "requests_filed": 4,
    "requests_completed": 2,
    "requests_on_time": 1,
    "requests_open": 2,
    "requests_overdue": 1,
    "villages_attention": 1,
}
# Shares and averages: the same for one village as for several alike.
ONE_VILLAGE_RATES = {"milestones_percent": 67, "on_time_percent": 50, "pillar_average": 50.0}
