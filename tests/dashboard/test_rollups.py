"""The rollups agree with the raw rows: after a mix of writes through the real actions (kept up
to date after each commit), after `rebuild_rollups`, and after the date moves on."""

import datetime
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.dashboard import actions as rollups
from portal.dashboard.models import (
    DistrictSnapshot,
    EnrolmentSnapshot,
    StaleVillage,
    VillageMonth,
    VillageSnapshot,
)
from services.actions.requests import (
    cancel_request,
    complete_request,
    file_request,
    mark_ready,
    reject_request,
    start_processing,
    verify_request,
)
from services.models import ACTIVE_STATUSES, ServiceRequest
from tests.factories import (
    MilestoneFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    VillageProfileFactory,
)
from villages.actions.programmes import add_milestone, update_milestone_progress
from villages.models import Enrolment, MilestoneState
from volunteers.actions.roster import end_assignment, update_volunteer
from volunteers.actions.visits import create_visit, return_visit, verify_visit
from volunteers.models import Visit

JAKARTA = rollups.JAKARTA


def month_of(moment) -> datetime.date:
    day = moment.astimezone(JAKARTA).date() if isinstance(moment, datetime.datetime) else moment
    return day.replace(day=1)


def raw_months() -> dict:
    """(village, month) -> figures, counted in Python from the raw rows."""
    figures = defaultdict(lambda: defaultdict(int))
    for service_request in ServiceRequest.objects.all():
        figures[service_request.village_id, month_of(service_request.submitted_at)][
            "requests_filed"
        ] += 1
        if service_request.status == "completed":
            row = figures[service_request.village_id, month_of(service_request.completed_at)]
            row["requests_completed"] += 1
            row["requests_on_time"] += int(bool(service_request.completed_on_time))
    for visit in Visit.objects.filter(status__in=("submitted", "verified")):
        row = figures[visit.village_id, month_of(visit.visited_on)]
        row["visits"] += 1
        row["visits_verified"] += int(visit.status == "verified")
        row["participants_women"] += visit.participants_female
        row["participants_men"] += visit.participants_male
        row["participants_youth"] += visit.participants_youth
    return {key: dict(value) for key, value in figures.items()}


def rolled_months() -> dict:
    return {
        (row.village_id, row.month): {
            name: getattr(row, name) for name in rollups.MONTH_FIGURES if getattr(row, name)
        }
        for row in VillageMonth.objects.all()
    }


def raw_snapshot(village) -> dict:
    requests = ServiceRequest.objects.filter(village=village, status__in=ACTIVE_STATUSES)
    visits = Visit.objects.filter(village=village, status__in=("submitted", "verified"))
    return {
        "requests_open": requests.count(),
        "requests_overdue": requests.filter(due_on__lt=timezone.localdate()).count(),
        "last_visit_on": max((visit.visited_on for visit in visits), default=None),
    }


def rolled_snapshot(village) -> dict:
    snapshot = VillageSnapshot.objects.get(village=village)
    return {
        "requests_open": snapshot.requests_open,
        "requests_overdue": snapshot.requests_overdue,
        "last_visit_on": snapshot.last_visit_on,
    }


@pytest.fixture
def counter(regions, mentoring):
    """A request service at villages A and B, offered, with the village head for its letters."""
    VillageProfileFactory(village=regions.village_a)
    VillageProfileFactory(village=regions.village_b)
    return ServiceTypeFactory(code="domisili")


def file(village, actor, service_type, nik="3505014101900002"):
    return file_request(
        village=village,
        service_type=service_type,
        applicant_name="Sri Wahyuni",
        nik=nik,
        purpose="Melamar pekerjaan",
        applicant_sex="female",
        actor=actor,
    )


def visit(mentoring, volunteer, **fields):
    values = {
        "volunteer": mentoring.volunteer,
        "village": mentoring.assignment.village,
        "visited_on": timezone.localdate() - datetime.timedelta(days=1),
        "duration_minutes": 90,
        "activities": ["digital_literacy"],
        "participants_female": 7,
        "participants_male": 5,
        "participants_youth": 3,
        "summary": "Pelatihan situs web desa.",
        "actor": volunteer,
        "submit": True,
    }
    return create_visit(**{**values, **fields})


def test_rollups_follow_a_mix_of_writes_through_the_actions(
    regions,
    mentoring,
    counter,
    secretary,
    outsider,
    volunteer,
    coordinator,
    official,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = file(regions.village_a, secretary, counter)
    assert rolled_months() == raw_months()
    assert VillageSnapshot.objects.get(village=regions.village_a).requests_open == 1

    with django_capture_on_commit_callbacks(execute=True):
        second = file(regions.village_a, secretary, counter)
        third = file(regions.village_a, secretary, counter)
        file(regions.village_b, outsider, counter, nik="3505024101900003")
    with django_capture_on_commit_callbacks(execute=True):
        verify_request(service_request=first, actor=secretary)
        start_processing(service_request=first, actor=secretary)
        mark_ready(service_request=first, actor=secretary)
        complete_request(service_request=first, actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        reject_request(service_request=second, reason="Bukan warga desa ini.", actor=secretary)
        cancel_request(service_request=third, reason="Dibatalkan pemohon.", actor=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        kept = visit(mentoring, volunteer)
        sent_back = visit(mentoring, volunteer, participants_female=2)
    with django_capture_on_commit_callbacks(execute=True):
        verify_visit(visit=kept, actor=coordinator)
        return_visit(visit=sent_back, reason="Foto kurang jelas.", actor=coordinator)

    assert rolled_months() == raw_months()
    month = timezone.localdate().replace(day=1)
    a_month = VillageMonth.objects.get(village=regions.village_a, month=month)
    assert (a_month.requests_filed, a_month.requests_completed, a_month.requests_on_time) == (
        3,
        1,
        1,
    )
    assert (a_month.visits, a_month.visits_verified, a_month.participants_women) == (1, 1, 7)
    for village in (regions.village_a, regions.village_b):
        assert rolled_snapshot(village) == raw_snapshot(village)

    # Milestones: a new one lowers every enrolment's share; one done raises village A's.
    enrolment_a = Enrolment.objects.get(village=regions.village_a)
    with django_capture_on_commit_callbacks(execute=True):
        milestone = add_milestone(programme=mentoring.programme, name="Situs web", actor=official)
    assert EnrolmentSnapshot.objects.get(enrolment=enrolment_a).milestones_total == 1
    assert EnrolmentSnapshot.objects.get(village=regions.village_b).milestones_total == 1
    with django_capture_on_commit_callbacks(execute=True):
        update_milestone_progress(
            enrolment=enrolment_a,
            milestone=milestone,
            state=MilestoneState.DONE,
            completed_on=timezone.localdate(),
            actor=official,
        )
    snapshot = EnrolmentSnapshot.objects.get(enrolment=enrolment_a)
    assert (snapshot.milestones_done, snapshot.has_main_mentor) == (1, True)

    # The main mentor leaves: village A has no main mentor, and Wonodadi one mentor fewer.
    mentoring_before = DistrictSnapshot.objects.get(district=regions.district).volunteers_mentoring
    with django_capture_on_commit_callbacks(execute=True):
        end_assignment(
            assignment=mentoring.assignment,
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
            actor=official,
        )
        update_volunteer(volunteer=mentoring.volunteer, status="inactive", actor=official)
    assert EnrolmentSnapshot.objects.get(enrolment=enrolment_a).has_main_mentor is False
    wonodadi = DistrictSnapshot.objects.get(district=regions.district)
    assert wonodadi.volunteers_mentoring == mentoring_before - 1

    # A rebuild from scratch finds exactly what the refreshes after each write kept.
    kept_rows = rolled_months()
    kept_snapshots = {village: rolled_snapshot(village) for village in (regions.village_a,)}
    call_command("rebuild_rollups", stdout=StringIO())
    assert rolled_months() == kept_rows == raw_months()
    assert {regions.village_a: rolled_snapshot(regions.village_a)} == kept_snapshots


def test_a_write_rolled_back_leaves_the_rollups_alone(
    regions, mentoring, counter, secretary, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                file(regions.village_a, secretary, counter)
                raise RuntimeError("the counter's power went out")
        except RuntimeError:
            pass
    assert not VillageMonth.objects.exists()


def test_the_nightly_rebuild_counts_requests_that_became_overdue(regions):
    service_type = ServiceTypeFactory(code="domisili")
    service_request = ServiceRequestFactory(
        village=regions.village_a,
        service_type=service_type,
        status="verified",
        due_on=timezone.localdate(),
    )
    rollups.rebuild_rollups()
    assert VillageSnapshot.objects.get(village=regions.village_a).requests_overdue == 0

    # The next day nothing was written, but the deadline passed.
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    rollups.rebuild_rollups()
    assert VillageSnapshot.objects.get(village=regions.village_a).requests_overdue == 1


def test_a_failed_refresh_marks_the_village_stale_and_the_sweep_repairs_it(
    regions, counter, secretary, mentoring, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(rollups, "refresh_villages", broken)
    with django_capture_on_commit_callbacks(execute=True):
        file(regions.village_a, secretary, counter)
    assert list(StaleVillage.objects.values_list("village_id", flat=True)) == [regions.village_a.pk]
    assert not VillageMonth.objects.exists()

    monkeypatch.undo()
    assert rollups.refresh_stale_villages() == 1
    assert rolled_months() == raw_months()
    assert not StaleVillage.objects.exists()


def test_rebuilding_one_regency_leaves_the_others_as_they_were(regions):
    service_type = ServiceTypeFactory(code="domisili")
    for village in (regions.village_a, regions.far_village):
        ServiceRequestFactory(
            village=village, service_type=service_type, tracking_code=village.pk.replace(".", "")
        )
    out = StringIO()
    call_command("rebuild_rollups", regency="35.05", stdout=out)
    assert "village-months" in out.getvalue()
    assert set(VillageMonth.objects.values_list("village_id", flat=True)) == {regions.village_a.pk}
    assert not VillageSnapshot.objects.filter(village=regions.far_village).exists()


def test_rebuilding_an_unknown_regency_names_the_option(regions):
    with pytest.raises(CommandError, match="--regency"):
        call_command("rebuild_rollups", regency="99.99", stdout=StringIO())


def test_a_milestone_made_directly_is_counted_after_the_rebuild(regions, mentoring):
    MilestoneFactory(programme=mentoring.programme)
    rollups.rebuild_rollups()
    totals = set(EnrolmentSnapshot.objects.values_list("milestones_total", flat=True))
    assert totals == {1}
