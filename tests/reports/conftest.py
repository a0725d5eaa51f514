"""A small pilot whose report figures are counted by hand (see `pilot`)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from portal.celery import app as celery_app
from portal.reports.actions import generate_report
from portal.reports.models import Report
from tests.factories import (
    AssessmentFactory,
    AssignmentFactory,
    CohortFactory,
    EnrolmentFactory,
    MilestoneFactory,
    MilestoneProgressFactory,
    ProgrammeFactory,
    ServiceRequestFactory,
    UserFactory,
    VillageProfileFactory,
    VisitFactory,
    VolunteerFactory,
)
from villages.models import AssessmentScore, Indicator

D = datetime.date
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
START, END, TODAY = D(2026, 10, 1), D(2026, 10, 31), D(2026, 11, 2)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english(settings):
    """Reports are written in LANGUAGE_CODE; in English here, so tests read the msgids."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def eager_celery():
    """Tasks enqueued after commit run in-process instead of going to the shared broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _score(assessment, scores: dict[str, int]) -> None:
    """Score one indicator of each named dimension (out of its highest score, 4)."""
    for dimension, score in scores.items():
        indicator = Indicator.objects.filter(dimension=dimension).order_by("order", "code")[0]
        assert indicator.max_score == 4
        AssessmentScore.objects.create(
            assessment=assessment, indicator=indicator, score=Decimal(score)
        )


@pytest.fixture
def pilot(regions):
    """Programme "Desa Cerdas" in Blitar with villages A (Jaten), A2 (Kelurahan Dua), both in
    Wonodadi, and B (Bakung, Udanawu); milestones M1-M3. Report period: October 2026, made on
    2 November 2026. What each village should show:

    | | A | A2 | B |
    | milestones done (in Oct) | 2 (1) | 1 (1) | 1 (0) |
    | pillars baseline -> latest | 37.5 -> 62.5 | 100 -> 100 | - |
    | visits, women/men/youth | 2, 15/11/7 | 0 (last 20 Sep) | 1, 5/5/0 |
    | mentors, main mentor | 1, yes | 1, no | 1, no (ended 15 Oct) |
    | filed/completed/on time/overdue | 3/2/1/1 | 1/0/0/0 | 0/0/0/1 |
    | connectivity | 4G | fibre | unknown |
    | attention | overdue | no visit, no main | no main, overdue, no milestone |

    A Kediri programme with a village, visits and requests must never show.
    """
    programme = ProgrammeFactory(name="Desa Cerdas", slug="desa-cerdas", regency=regions.regency)
    cohort = CohortFactory(programme=programme, name="Angkatan 1")
    m1, m2, m3 = (
        MilestoneFactory(programme=programme, name=name, order=order)
        for order, name in enumerate(["Website desa", "Layanan daring", "UMKM online"])
    )
    enrolled = D(2026, 1, 1)
    a = EnrolmentFactory(
        programme=programme, village=regions.village_a, cohort=cohort, enrolled_on=enrolled
    )
    a2 = EnrolmentFactory(programme=programme, village=regions.village_a2, enrolled_on=enrolled)
    b = EnrolmentFactory(
        programme=programme, village=regions.village_b, cohort=cohort, enrolled_on=enrolled
    )
    MilestoneProgressFactory(enrolment=a, milestone=m1, completed_on=D(2026, 3, 1))
    MilestoneProgressFactory(enrolment=a, milestone=m2, completed_on=D(2026, 10, 10))
    MilestoneProgressFactory(enrolment=a, milestone=m3, state="in_progress", completed_on=None)
    MilestoneProgressFactory(enrolment=a2, milestone=m1, completed_on=D(2026, 10, 20))
    MilestoneProgressFactory(enrolment=a2, milestone=m2, completed_on=D(2026, 11, 1))
    MilestoneProgressFactory(enrolment=b, milestone=m1, completed_on=D(2026, 5, 1))

    assessor = UserFactory(username="assessor")
    _score(
        AssessmentFactory(village=regions.village_a, assessed_on=D(2026, 1, 10), assessor=assessor),
        {"masyarakat": 2, "ekonomi": 1},
    )
    _score(
        AssessmentFactory(village=regions.village_a, assessed_on=D(2026, 9, 15), assessor=assessor),
        {"masyarakat": 3, "ekonomi": 2},
    )
    # After the period: not the latest of an October report.
    _score(
        AssessmentFactory(village=regions.village_a, assessed_on=D(2026, 11, 1), assessor=assessor),
        {"masyarakat": 4, "ekonomi": 4},
    )
    _score(
        AssessmentFactory(
            village=regions.village_a2, assessed_on=D(2026, 10, 5), assessor=assessor
        ),
        {"masyarakat": 4},
    )

    v1 = VolunteerFactory(full_name="Sri Wahyuni", district=regions.district)
    v2 = VolunteerFactory(full_name="Agus Salim", district=regions.other_district)
    v3 = VolunteerFactory(full_name="Dewi Lestari", district=regions.district)
    v4 = VolunteerFactory(full_name="Eko Prasetyo", district=regions.district)
    v5 = VolunteerFactory(full_name="Joko Susilo", district=regions.district, status="inactive")
    AssignmentFactory(volunteer=v1, village=regions.village_a, programme=programme)
    AssignmentFactory(
        volunteer=v4,
        village=regions.village_a,
        programme=programme,
        role="supporting",
        ends_on=D(2026, 9, 30),
    )
    AssignmentFactory(
        volunteer=v3, village=regions.village_a2, programme=programme, role="supporting"
    )
    AssignmentFactory(volunteer=v5, village=regions.village_a2, programme=programme)
    AssignmentFactory(
        volunteer=v2, village=regions.village_b, programme=programme, ends_on=D(2026, 10, 15)
    )

    def visit(village, volunteer, day, status="submitted", women=0, men=0, youth=0):
        return VisitFactory(
            village=village,
            volunteer=volunteer,
            visited_on=day,
            status=status,
            participants_female=women,
            participants_male=men,
            participants_youth=youth,
        )

    visit(regions.village_a, v1, D(2026, 10, 20), women=12, men=9, youth=6)
    visit(regions.village_a, v1, D(2026, 10, 25), "verified", women=3, men=2, youth=1)
    visit(regions.village_a, v1, D(2026, 10, 26), "draft", women=40, men=40)
    visit(regions.village_a, v1, D(2026, 9, 1), "verified", women=7, men=7)
    visit(regions.village_a2, v3, D(2026, 9, 20), "verified", women=8, men=8)
    visit(regions.village_b, v2, D(2026, 10, 5), "returned", women=30, men=30)
    visit(regions.village_b, v2, D(2026, 10, 3), women=5, men=5)

    def filed(village, at, due, status="submitted", completed_at=None):
        return ServiceRequestFactory(
            village=village, submitted_at=at, due_on=due, status=status, completed_at=completed_at
        )

    a_village, a2_village, b_village = regions.village_a, regions.village_a2, regions.village_b
    filed(
        a_village, local(2026, 10, 5, 10), D(2026, 10, 8), "completed", local(2026, 10, 8, 23, 30)
    )
    # Completed at 00:30 WIB the day after it was due (still the due date in UTC): late.
    filed(a_village, local(2026, 10, 6, 9), D(2026, 10, 8), "completed", local(2026, 10, 9, 0, 30))
    filed(a_village, local(2026, 10, 20, 9), D(2026, 10, 23), "in_process")
    # 23:30 WIB on 30 September: filed before the period.
    filed(a_village, local(2026, 9, 30, 23, 30), D(2026, 10, 3), "completed", local(2026, 10, 2, 9))
    # 23:00 WIB on 31 October: inside it; due after the report's day, so not overdue.
    filed(a2_village, local(2026, 10, 31, 23), D(2026, 11, 5))
    filed(b_village, local(2026, 8, 1, 9), D(2026, 8, 5), "verified")
    filed(regions.far_village, local(2026, 10, 10, 9), D(2026, 10, 13))

    VillageProfileFactory(village=regions.village_a, connectivity="4g")
    VillageProfileFactory(village=regions.village_a2, connectivity="fibre")

    far_programme = ProgrammeFactory(regency=regions.other_regency)
    EnrolmentFactory(programme=far_programme, village=regions.far_village, enrolled_on=enrolled)
    visit(regions.far_village, v2, D(2026, 10, 10), women=9, men=9)
    return SimpleNamespace(programme=programme, cohort=cohort, enrolments=(a, a2, b))


@pytest.fixture
def make_report(pilot, regions):
    """A queued report on the pilot (Blitar, October 2026) as `requested_by` asked it."""

    def make(**fields):
        values = {
            "programme": pilot.programme,
            "area_code": regions.regency.code,
            "area_name": regions.regency.name,
            "period_start": START,
            "period_end": END,
            **fields,
        }
        return Report.objects.create(**values)

    return make


@pytest.fixture
def done_report(make_report, official):
    report = make_report(requested_by=official)
    return generate_report(report_id=report.pk, today=TODAY)
