"""`seed_scale`: synthetic activity on top of the region registry, repeatable without collisions."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.actions.seed_scale import seed_scale
from services.models import RequestStatus, ServiceRequest
from services.nik import validate_nik
from villages.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    Indicator,
    Milestone,
    MilestoneProgress,
)
from volunteers.models import Assignment, Membership, Visit, Volunteer

pytestmark = pytest.mark.django_db

COUNTS = {"requests": 200, "visits": 50, "volunteers": 20}


def small_run(**options):
    return seed_scale(**COUNTS, batch_size=64, **options)


def test_a_small_run_creates_exactly_the_counts_asked_for(regions):
    result = small_run()

    assert (result.requests, result.visits, result.volunteers) == (200, 50, 20)
    assert ServiceRequest.objects.count() == 200
    assert Visit.objects.count() == 50
    assert Volunteer.objects.count() == 20
    assert Membership.objects.count() == 20
    assert Assignment.objects.count() == result.assignments > 0


def test_every_request_has_a_valid_nik_of_its_kecamatan_and_every_status_appears(regions):
    small_run()

    for service_request in ServiceRequest.objects.select_related("village"):
        check = validate_nik(service_request.nik, sex=service_request.applicant_sex)
        assert check.nik[:6] == service_request.village.district_id.replace(".", "")
        assert service_request.due_on >= service_request.submitted_at.date()
        assert service_request.tracking_code.startswith("S")
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert not ServiceRequest.objects.filter(
        status=RequestStatus.COMPLETED, completed_at__isnull=True
    ).exists()


def test_rows_stay_within_the_regency_given(regions):
    small_run(regency="35.05")

    for queryset in (ServiceRequest.objects, Visit.objects, Assignment.objects):
        assert not queryset.exclude(village__district__regency="35.05").exists()
    assert not Volunteer.objects.exclude(district__regency="35.05").exists()
    assert ServiceRequest.objects.filter(village=regions.village_b).exists()


def test_a_second_run_adds_the_same_counts_again_without_collisions(regions):
    small_run()
    small_run()

    assert ServiceRequest.objects.count() == 400
    assert ServiceRequest.objects.values("tracking_code").distinct().count() == 400
    assert Visit.objects.count() == 100
    assert Volunteer.objects.count() == 40


def test_the_command_refuses_without_debug_or_force(regions, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_scale", requests=10, visits=0, volunteers=0, stdout=StringIO())
    assert not ServiceRequest.objects.exists()


def test_the_command_with_force_prints_the_rows_per_second(regions, settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_scale", requests=30, visits=5, volunteers=3, force=True, stdout=out)

    assert "rows/s" in out.getvalue()
    assert ServiceRequest.objects.count() == 30


def test_programmes_get_milestones_with_progress_and_villages_two_scorecards(regions):
    result = small_run(regency="35.05", milestones=3)

    enrolments = Enrolment.objects.filter(programme__slug="skala-35-05")
    assert result.milestones == Milestone.objects.filter(programme__slug="skala-35-05").count() == 3
    assert result.milestone_progress == MilestoneProgress.objects.count() > 0
    assert not MilestoneProgress.objects.filter(state="done", completed_on__isnull=True).exists()
    # Done milestones come first, in order: a village never skips one.
    for enrolment in enrolments:
        states = list(
            enrolment.progress.order_by("milestone__order").values_list("state", flat=True)
        )
        assert states == sorted(states, key=lambda state: state != "done")
    assert result.assessments == Assessment.objects.count() == 2 * enrolments.count()
    scored = Indicator.objects.filter(is_active=True).count()
    assert result.scores == AssessmentScore.objects.count() == result.assessments * scored
    assessor = Assessment.objects.values_list("assessor__username", "assessor__is_active")
    assert set(assessor) == {("skala-assessor", False)}


def test_a_second_run_reuses_the_milestones(regions):
    small_run(regency="35.05")
    again = small_run(regency="35.05")

    assert again.milestones == 0
    assert Milestone.objects.count() == 5
