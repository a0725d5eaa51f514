"""The trainings API: scoping, writes through the actions, the public certificate check and its
throttle, the schema and query budgets."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import RegistrationFactory, TrainingFactory, VolunteerFactory
from tests.volunteers import test_trainings as shared
from volunteers.actions.trainings import issue_certificate
from volunteers.models import Registration, Training

# The personas and trainings of the page tests, shared as fixtures.
kediri_official = shared.kediri_official
volunteer2 = shared.volunteer2
setup = shared.setup
attended = shared.attended
pandu_levels = shared.pandu_levels

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


# Trainings


@pytest.mark.parametrize(
    "persona", ["official", "officer", "coordinator", "secretary", "volunteer", "outsider"]
)
def test_the_list_holds_the_trainings_of_the_users_regency(setup, api_as, persona):
    response = api_as(persona).get("/api/trainings/")

    assert response.status_code == 200
    assert titles(response) == {"Bimtek Kader Digital", "Workshop Pandu Digital Madya"}


@pytest.mark.parametrize("persona", ["official", "outsider", "volunteer"])
def test_a_training_of_another_regency_is_404(setup, api_as, persona):
    assert api_as(persona).get(f"/api/trainings/{setup.kediri.pk}/").status_code == 404


def test_a_kediri_official_gets_404_for_a_blitar_training(setup, api_as):
    api = api_as("kediri_official")

    assert titles(api.get("/api/trainings/")) == {"Seminar Desa Digital Kediri"}
    assert api.get(f"/api/trainings/{setup.upcoming.pk}/").status_code == 404
    response = api.patch(f"/api/trainings/{setup.upcoming.pk}/", {"place": "Kediri"})
    assert response.status_code == 404


def test_the_list_filters_by_regency_corps_and_upcoming(setup, regions, api_as):
    TrainingFactory(
        title="Bimtek 2025",
        regency=regions.regency,
        starts_on=TODAY - 90 * DAY,
        ends_on=TODAY - 89 * DAY,
    )
    api = api_as("admin_user")

    assert titles(api.get("/api/trainings/", {"regency": "35.06"})) == {
        "Seminar Desa Digital Kediri"
    }
    assert titles(api.get("/api/trainings/", {"corps": "pandu-digital"})) == {
        "Workshop Pandu Digital Madya"
    }
    assert "Bimtek 2025" not in titles(api.get("/api/trainings/", {"upcoming": "true"}))
    assert titles(api.get("/api/trainings/", {"upcoming": "false"})) == {"Bimtek 2025"}


def test_the_list_counts_registrations_and_attendance(setup, api_as, official):
    attended(setup.sri, official)

    row = api_as("official").get(f"/api/trainings/{setup.running.pk}/").json()

    assert (row["registered_count"], row["attended_count"]) == (2, 1)
    assert row["corps"] == "pandu-digital"


def test_an_official_creates_and_changes_a_training(regions, api_as):
    _corps, levels = pandu_levels()
    api = api_as("official")

    response = api.post(
        "/api/trainings/",
        {
            "title": "Bimtek Pandu Digital Madya",
            "kind": "bimtek",
            "organiser": "Kominfo",
            "regency": "35.05",
            "corps": "pandu-digital",
            "awards_level": levels["Madya"].pk,
            "starts_on": "2027-02-01",
            "ends_on": "2027-02-10",
            "place": "Aula Kantor Bupati Blitar",
            "capacity": 45,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]

    response = api.patch(f"/api/trainings/{pk}/", {"capacity": 50}, format="json")

    assert response.status_code == 200
    assert Training.objects.get(pk=pk).capacity == 50


def test_a_training_ending_before_it_starts_is_400_naming_the_field(regions, api_as):
    response = api_as("official").post(
        "/api/trainings/",
        {
            "title": "Bimtek",
            "kind": "bimtek",
            "organiser": "Kominfo",
            "regency": "35.05",
            "starts_on": "2027-02-10",
            "ends_on": "2027-02-01",
            "place": "Blitar",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()


@pytest.mark.parametrize("persona", ["officer", "coordinator", "volunteer"])
def test_only_officials_create_or_change_trainings(setup, api_as, persona):
    api = api_as(persona)
    response = api.post(
        "/api/trainings/",
        {
            "title": "Bimtek",
            "kind": "bimtek",
            "organiser": "Kominfo",
            "regency": "35.05",
            "starts_on": "2027-02-01",
            "ends_on": "2027-02-01",
            "place": "Blitar",
        },
        format="json",
    )
    assert response.status_code == 403
    response = api.patch(f"/api/trainings/{setup.upcoming.pk}/", {"place": "X"}, format="json")
    assert response.status_code == 403


def test_a_volunteer_registers_themself(setup, mentoring, api_as):
    response = api_as("volunteer").post(f"/api/trainings/{setup.upcoming.pk}/register/")

    assert response.status_code == 201
    assert response.json()["volunteer"] == mentoring.volunteer.pk
    assert response.json()["attendance"] == "registered"


@pytest.mark.parametrize("persona", ["volunteer", "secretary"])
def test_registering_someone_else_without_managing_the_training_is_403(
    setup, mentoring, api_as, persona
):
    response = api_as(persona).post(
        f"/api/trainings/{setup.upcoming.pk}/register/",
        {"volunteer": mentoring.other.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not setup.upcoming.registrations.exists()


def test_a_full_training_answers_400_naming_the_training(setup, regions, api_as):
    api = api_as("official")
    url = f"/api/trainings/{setup.upcoming.pk}/register/"
    for _ in range(3):
        volunteer = VolunteerFactory(district=regions.district)
        assert api.post(url, {"volunteer": volunteer.pk}, format="json").status_code == 201

    late = VolunteerFactory(district=regions.district)
    response = api.post(url, {"volunteer": late.pk}, format="json")

    assert response.status_code == 400
    assert "training" in response.json()


def test_an_official_cannot_register_a_volunteer_they_cannot_see(setup, regions, api_as):
    stranger = VolunteerFactory(district=regions.far_district)
    response = api_as("official").post(
        f"/api/trainings/{setup.upcoming.pk}/register/",
        {"volunteer": stranger.pk},
        format="json",
    )
    assert response.status_code == 404


# Registrations


def registration_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("volunteer", {"sri"}),
        ("volunteer2", {"agus"}),
        ("official", {"sri", "agus"}),
        ("officer", {"sri", "agus"}),
        ("secretary", set()),
        ("outsider", set()),
        ("kediri_official", set()),
    ],
)
def test_registrations_are_seen_by_their_volunteer_and_the_roster_managers(
    setup, api_as, persona, expected
):
    response = api_as(persona).get("/api/training-registrations/")

    assert response.status_code == 200
    assert registration_ids(response) == {getattr(setup, name).pk for name in expected}


@pytest.mark.parametrize("persona", ["volunteer2", "outsider", "kediri_official"])
def test_another_volunteers_registration_is_404(setup, api_as, persona):
    response = api_as(persona).get(f"/api/training-registrations/{setup.sri.pk}/")
    assert response.status_code == 404


def test_registrations_filter_by_training_and_volunteer(setup, mentoring, api_as):
    api = api_as("official")
    other = RegistrationFactory(training=setup.upcoming, volunteer=mentoring.volunteer)

    by_training = api.get("/api/training-registrations/", {"training": setup.upcoming.pk})
    by_volunteer = api.get("/api/training-registrations/", {"volunteer": mentoring.volunteer.pk})

    assert registration_ids(by_training) == {other.pk}
    assert registration_ids(by_volunteer) == {other.pk, setup.sri.pk}


def test_an_official_records_attendance(setup, api_as):
    response = api_as("official").post(
        f"/api/training-registrations/{setup.sri.pk}/attendance/",
        {"attendance": "attended"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["attendance"] == "attended"


@pytest.mark.parametrize("persona", ["officer", "coordinator", "volunteer"])
def test_attendance_by_others_than_managers_is_403(setup, api_as, persona):
    response = api_as(persona).post(
        f"/api/training-registrations/{setup.sri.pk}/attendance/",
        {"attendance": "attended"},
        format="json",
    )
    assert response.status_code == 403
    setup.sri.refresh_from_db()
    assert setup.sri.attendance == "registered"


def test_a_certificate_without_attendance_is_400(setup, api_as):
    response = api_as("official").post(f"/api/training-registrations/{setup.sri.pk}/certificate/")

    assert response.status_code == 400
    assert "attendance" in response.json()


def test_an_official_issues_a_certificate_and_gets_its_code_and_pdf(
    setup, api_as, official, volunteer, client
):
    attended(setup.sri, official)

    response = api_as("official").post(f"/api/training-registrations/{setup.sri.pk}/certificate/")

    assert response.status_code == 200
    body = response.json()
    assert body["certificate_code"] == Registration.objects.get(pk=setup.sri.pk).certificate_code
    assert body["certificate_pdf"].endswith(
        f"/relawan/pelatihan/sertifikat/{body['certificate_code']}.pdf"
    )

    client.force_login(volunteer)
    pdf = client.get(body["certificate_pdf"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


def test_a_volunteer_cancels_their_registration(setup, api_as):
    response = api_as("volunteer").delete(f"/api/training-registrations/{setup.sri.pk}/")

    assert response.status_code == 204
    assert not Registration.objects.filter(pk=setup.sri.pk).exists()


# The public certificate check


@pytest.fixture
def certificate(setup, official):
    attended(setup.sri, official)
    return issue_certificate(registration=setup.sri, actor=official)


@pytest.fixture
def anonymous():
    """An anonymous client from its own address, so that throttle counts start at zero."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    key = f"throttle_certificate-verify_{address}"
    cache.delete(key)
    yield APIClient(REMOTE_ADDR=address)
    cache.delete(key)


def test_anyone_checks_a_certificate_and_sees_only_the_public_fields(certificate, anonymous):
    typed = certificate.certificate_code.lower().replace("-", "")

    response = anonymous.get(f"/api/certificates/verify/{typed}/")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "code": certificate.certificate_code,
        "holder": "Sri Wahyuni",
        "training": "Workshop Pandu Digital Madya",
        "organiser": "Kominfo",
        "starts_on": str(certificate.training.starts_on),
        "ends_on": str(certificate.training.ends_on),
        "issued_on": str(timezone.localdate(certificate.completed_at)),
    }


def test_an_unknown_code_is_404_with_a_message(db, anonymous):
    response = anonymous.get("/api/certificates/verify/7KQ2-M9XD-P3HT/")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_public_check_is_throttled_per_address(db, anonymous, settings):
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "certificate-verify": "2/minute"},
    }

    statuses = [
        anonymous.get("/api/certificates/verify/7KQ2-M9XD-P3HT/").status_code for _ in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_the_schema_describes_the_training_endpoints(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    for path in (
        "/api/trainings/",
        "/api/trainings/{id}/register/",
        "/api/training-registrations/{id}/attendance/",
        "/api/training-registrations/{id}/certificate/",
        "/api/certificates/verify/{code}/",
    ):
        assert path in paths
    # Public: no authentication scheme is required.
    assert "security" not in paths["/api/certificates/verify/{code}/"]["get"]


# Query budgets


@pytest.mark.parametrize("rows", [1, 50])
def test_the_trainings_list_costs_the_same_queries_for_1_or_50(
    regions, mentoring, api_as, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        training = TrainingFactory(regency=regions.regency)
        RegistrationFactory(training=training, volunteer=mentoring.volunteer)
    api = api_as("volunteer")

    with django_assert_max_num_queries(4):
        response = api.get("/api/trainings/")

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_registrations_list_costs_the_same_queries_for_1_or_50(
    regions, official, api_as, django_assert_max_num_queries, rows
):
    training = TrainingFactory(regency=regions.regency, capacity=None)
    for _ in range(rows):
        RegistrationFactory(training=training, volunteer__district=regions.district)
    api = api_as("official")

    with django_assert_max_num_queries(3):
        response = api.get("/api/training-registrations/")

    assert response.json()["count"] == rows
