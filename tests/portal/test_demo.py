"""`manage.py demo`: Kabupaten Blitar's regions and one demo user per role, idempotently.

Loading the demo takes seconds, so the tests here share one load (run twice, as a user reruns it),
made once for the module inside a transaction that is rolled back at its end; each test runs in a
savepoint of its own within it. The tests that need an empty database are in test_demo_options.py.
"""

import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.utils import translation

from portal.accounts.models import User
from villages.models import (
    District,
    DistrictBoundary,
    IdmScore,
    Province,
    Regency,
    Role,
    RoleAssignment,
    Village,
    VillageBoundary,
    VillageProfile,
)

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": set(),
    "pejabat": {(Role.DISTRICT_OFFICIAL, "35.05")},
    "camat.wonodadi": {(Role.KECAMATAN_OFFICER, "35.05.01")},
    "sekdes.jaten": {(Role.VILLAGE_SECRETARY, "35.05.01.2001")},
    "sekdes.salam": {(Role.VILLAGE_SECRETARY, "35.05.01.2002")},
    "relawan": {(Role.VOLUNTEER, None)},
    "koordinator.wonodadi": {(Role.VOLUNTEER_COORDINATOR, "35.05.01")},
}


def run_demo() -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("demo", force=True, stdout=out)
    return out.getvalue()


def roles_by_username() -> dict:
    """The roles of the demo users (the mentors' own logins are checked apart)."""
    roles = {user.username: set() for user in User.objects.filter(username__in=EXPECTED_ROLES)}
    for assignment in RoleAssignment.objects.filter(user__username__in=EXPECTED_ROLES):
        roles[assignment.user.username].add((assignment.role, assignment.area_code))
    return roles


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().get("/")
    return authenticate(request=request, username=username, password=password) is not None


def counts() -> dict[str, int]:
    """Rows per model that a rerun of the demo must leave as they are."""
    from portal.notifications.models import Notification
    from services.models import Letter, ServiceRequest
    from villages.models import Assessment, Enrolment, MilestoneProgress
    from volunteers.models import Assignment, Membership, Registration, Visit, Volunteer

    models = (
        Enrolment,
        MilestoneProgress,
        Assessment,
        Volunteer,
        Membership,
        Assignment,
        Registration,
        Visit,
        User,
        ServiceRequest,
        Letter,
        Notification,
        VillageProfile,
        IdmScore,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded twice; its first output, its second, and the counts after the first."""
    # The tests' own (function-scoped) fast hasher does not reach a module fixture.
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        first_output = run_demo()
        after_first = counts()
        second_output = run_demo()
        yield SimpleNamespace(
            first_output=first_output, output=second_output, after_first=after_first
        )
        transaction.set_rollback(True)


def test_the_demo_imports_kabupaten_blitar_and_creates_one_user_per_role_even_when_run_twice(demo):
    assert list(Province.objects.values_list("code", "name")) == [("35", "JAWA TIMUR")]
    assert list(Regency.objects.values_list("code", "name")) == [("35.05", "KABUPATEN BLITAR")]
    assert District.objects.count() == 22
    assert Village.objects.count() == 248
    assert dict(Village.objects.values_list("kind").annotate(Count("code"))) == {
        "desa": 220,
        "kelurahan": 28,
    }
    assert roles_by_username() == EXPECTED_ROLES
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "admin"
    ]
    assert User.objects.get(username="pejabat").full_name == "Pejabat Dinas Kominfo Blitar"


def test_a_rerun_changes_no_row_of_the_demo(demo):
    assert counts() == demo.after_first


def test_a_demo_user_can_log_in_with_the_documented_password(demo):
    assert can_log_in("sekdes.jaten", "desacerdas")
    assert can_log_in("admin", "desacerdas")
    assert not can_log_in("sekdes.jaten", "salah-sandi")


def test_a_rerun_resets_passwords_roles_privileges_and_lockouts_of_the_demo_users(demo, settings):
    pejabat = User.objects.get(username="pejabat")
    pejabat.set_password("diganti-sendiri")
    pejabat.is_superuser = True
    pejabat.save()
    RoleAssignment.objects.create(
        user=pejabat, role=Role.VILLAGE_SECRETARY, village=Village.objects.get(code="35.05.02.2001")
    )
    RoleAssignment.objects.filter(user__username="relawan").delete()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        can_log_in("sekdes.salam", "salah-sandi")
    assert not can_log_in("sekdes.salam", "desacerdas")

    run_demo()

    assert can_log_in("pejabat", "desacerdas")
    assert roles_by_username() == EXPECTED_ROLES
    assert not User.objects.get(username="pejabat").is_superuser
    assert can_log_in("sekdes.salam", "desacerdas")


def test_the_demo_prints_the_users_their_roles_and_the_password(demo):
    assert "villages: 248 new, 0 updated, 0 unchanged" in demo.first_output
    assert "villages: 0 new, 0 updated, 248 unchanged" in demo.output
    lines = demo.output.splitlines()
    assert any(line.split()[:2] == ["sekdes.jaten", "Sekretaris"] for line in lines)
    assert any("village secretary" in line and "Jaten (35.05.01.2001)" in line for line in lines)
    assert any(line.startswith("pejabat ") and "district official" in line for line in lines)
    assert lines[-1] == "Password for every demo user: desacerdas"


def test_the_demo_loads_two_programmes_with_30_and_20_villages(demo):
    from villages.models import Enrolment, Programme

    programmes = {p.name: p for p in Programme.objects.all()}
    assert set(programmes) == {
        "Desa Cerdas Kemendes 2021",
        "Digitalisasi Desa \N{EN DASH} Pandu Digital 2021",
    }
    kemendes = programmes["Desa Cerdas Kemendes 2021"]
    pandu = programmes["Digitalisasi Desa \N{EN DASH} Pandu Digital 2021"]
    assert (kemendes.owner_agency, pandu.owner_agency) == ("Kemendes PDTT", "Kominfo")
    assert kemendes.enrolments.count() == 30
    assert pandu.enrolments.filter(cohort__name="Pandu Digital 2021").count() == 20
    assert pandu.enrolments.count() == 20
    assert Enrolment.objects.count() == 50
    pandu_villages = set(pandu.enrolments.values_list("village_id", flat=True))
    assert pandu_villages <= set(kemendes.enrolments.values_list("village_id", flat=True))
    assert kemendes.enrolments.values("village__district").distinct().count() > 3


def test_the_demo_programmes_have_the_issues_milestones_in_various_states_with_evidence(demo):
    from villages.models import Assessment, MilestoneProgress, Programme

    pandu = Programme.objects.get(slug="pandu-digital-2021")
    assert pandu.milestones.count() == 7
    states = set(MilestoneProgress.objects.values_list("state", flat=True))
    assert states == {"not_started", "in_progress", "done"}
    done = MilestoneProgress.objects.filter(state="done")
    assert not done.filter(evidence_url="").exists()
    assert not done.filter(completed_on__isnull=True).exists()
    assessed = Assessment.objects.filter(assessor__username="pejabat")
    assert assessed.count() >= 6
    assert assessed.values("village").distinct().count() * 2 == assessed.count()


def test_the_demo_prints_its_programmes(demo):
    assert "Programme Desa Cerdas Kemendes 2021: 30 villages enrolled" in demo.output


def test_it_imports_village_and_kecamatan_outlines_when_given_files(demo, tmp_path):
    outline = {
        "type": "Polygon",
        "coordinates": [
            [[112.1, -8.0], [112.11, -8.0], [112.11, -7.99], [112.1, -7.99], [112.1, -8.0]]
        ],
    }

    def geojson(name, code):
        path = tmp_path / name
        feature = {"type": "Feature", "properties": {"code": code}, "geometry": outline}
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        return str(path)

    with translation.override("en"):
        call_command(
            "demo",
            force=True,
            boundaries=geojson("villages.geojson", "35.05.01.2001"),
            kecamatan_boundaries=geojson("kecamatan.geojson", "35.05.01"),
            stdout=StringIO(),
        )
    assert list(VillageBoundary.objects.values_list("village_id", flat=True)) == ["35.05.01.2001"]
    assert list(DistrictBoundary.objects.values_list("district_id", flat=True)) == ["35.05.01"]


def test_every_blitar_village_gets_a_profile_and_three_idm_years_without_duplicates(demo):
    assert VillageProfile.objects.count() == 248
    assert IdmScore.objects.count() == 248 * 3
    statuses = set(IdmScore.objects.with_status().values_list("status_code", flat=True))
    assert len(statuses) >= 3, "the IDM map layer needs several statuses to show"


def test_the_demo_loads_volunteers_trainings_and_visits(demo):
    from volunteers.models import Assignment, Membership, Registration, Visit, Volunteer

    by_corps = dict(Membership.objects.values_list("corps__code").annotate(Count("pk")))
    assert by_corps == {"pandu-digital": 20, "relawan-tik": 15, "kader-digital": 12}
    jaten_mentor = Volunteer.objects.get(user__username="relawan")
    assert jaten_mentor.assignments.get(role="main").village_id == "35.05.01.2001"
    # 19 of the 20 cohort villages have a current main mentor; the last one's mentor left.
    assert Assignment.objects.current().filter(role="main").count() == 19
    assert set(Visit.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "verified",
        "returned",
    }
    assert Registration.objects.exclude(certificate_code=None).count() == 16
    assert Membership.objects.filter(corps__code="pandu-digital", level__name="Madya").count() == 6


def test_the_demo_files_service_requests_in_every_state_with_letters(demo):
    from services.models import Letter, RequestStatus, ServiceRequest

    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert 0 < ServiceRequest.objects.overdue().count() < ServiceRequest.objects.count() / 3
    # Every ready or completed request of a letter-issuing service has its numbered letter,
    # signed by the village head, and numbers per village, type and year start at 1.
    with_letter = ServiceRequest.objects.filter(
        status__in=["ready", "completed"], service_type__issues_letter=True
    )
    assert with_letter.count() == Letter.objects.count() > 0
    assert not Letter.objects.filter(signer_name="").exists()
    assert Letter.objects.filter(sequence=1).exists()


def test_demo_users_find_todays_reminders_in_their_inbox_and_a_rerun_adds_none(demo):
    # The weekly report is made too; it is generated after commit, which this test never reaches.
    from portal.notifications.models import Notification

    inbox = Notification.objects.filter(channel="inbox")
    kinds = {
        username: set(inbox.filter(recipient__username=username).values_list("kind", flat=True))
        for username in ("sekdes.jaten", "pejabat", "koordinator.wonodadi")
    }

    assert "request.overdue" in kinds["sekdes.jaten"]
    assert "digest.weekly" in kinds["pejabat"]
    assert kinds["koordinator.wonodadi"] & {"visit.review", "village.unvisited"}
    reminders = Notification.objects.exclude(kind__startswith="request.applicant.")
    line = f"Reminders sent today: {reminders.count()} notifications; weekly reports: 1"
    assert line in demo.first_output
    # The rerun finds this week's report made and every reminder of today sent.
    assert "Reminders sent today: 0 notifications; weekly reports: 1" in demo.output
