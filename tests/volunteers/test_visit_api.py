"""Mentoring visits, the API: a mobile client logs a visit (idempotently), adds photos and
submits it; reviewers verify or return it; scoping, filters, the schema and the query budget."""

import datetime
import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from tests.factories import AssignmentFactory, UserFactory, VisitFactory, VolunteerFactory, grant
from villages.models import Role
from volunteers.models import Visit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        user = persona if not isinstance(persona, str) else request.getfixturevalue(persona)
        api.force_authenticate(user)
        return api

    return log_in


def payload(mentoring, **overrides):
    data = {
        "village": mentoring.assignment.village_id,
        "visited_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": 60,
        "activities": ["village_database"],
        "pillars": ["database"],
        "participants_female": 3,
        "participants_male": 4,
        "participants_youth": 2,
        "summary": "Memutakhirkan data penduduk di aplikasi desa.",
        "latitude": -8.0099,
        "longitude": 111.9634,
        "accuracy_m": 9.5,
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def jpeg_file(name="foto.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def visits(mentoring, regions):
    own = mentoring.volunteer
    return {
        "own_draft": VisitFactory(volunteer=own, village=regions.village_a, status="draft"),
        "own": VisitFactory(volunteer=own, village=regions.village_a),
        "other": VisitFactory(volunteer=mentoring.other, village=regions.village_a),
        "far": VisitFactory(volunteer=mentoring.far, village=regions.village_b),
    }


# A mobile client logs a visit with the API alone


def test_a_mobile_client_logs_a_visit_adds_a_photo_and_submits_it(api_as, mentoring):
    api = api_as("volunteer")
    data = payload(mentoring)

    created = api.post("/api/visits/", data, format="json")
    assert created.status_code == 201, created.data
    visit_id = created.data["id"]
    assert created.data["status"] == "draft"
    assert created.data["position_check"] == "no_boundary"

    repeat = api.post("/api/visits/", data, format="json")
    assert (repeat.status_code, repeat.data["id"]) == (200, visit_id)

    photo = api.post(f"/api/visits/{visit_id}/photos/", {"photo": jpeg_file()}, format="multipart")
    assert photo.status_code == 201, photo.data
    assert photo.data["url"].endswith(f"/api/visits/{visit_id}/photos/{photo.data['id']}/")

    submitted = api.post(f"/api/visits/{visit_id}/submit/")
    assert submitted.status_code == 200
    assert submitted.data["status"] == "submitted"
    assert Visit.objects.count() == 1

    image = api.get(photo.data["url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"


def test_bad_input_is_answered_400_naming_the_field(api_as, mentoring, regions):
    api = api_as("volunteer")
    cases = {
        "village": payload(mentoring, village=regions.village_b.code),
        "visited_on": payload(mentoring, visited_on="2999-01-01"),
        "participants_youth": payload(mentoring, participants_youth=50),
        "activities": payload(mentoring, activities=["karaoke"]),
        "longitude": payload(mentoring, longitude=None),
    }
    for field, data in cases.items():
        response = api.post("/api/visits/", data, format="json")
        assert response.status_code == 400, field
        assert field in response.data, (field, response.data)
    assert not Visit.objects.exists()


def test_a_user_without_a_roster_record_cannot_log_a_visit(api_as, mentoring):
    response = api_as("coordinator").post("/api/visits/", payload(mentoring), format="json")
    assert response.status_code == 403


def test_a_script_named_photo_jpg_is_refused(api_as, visits):
    script = io.BytesIO(b"<script>alert(1)</script>")
    script.name = "photo.jpg"
    response = api_as("volunteer").post(
        f"/api/visits/{visits['own_draft'].pk}/photos/", {"photo": script}, format="multipart"
    )
    assert response.status_code == 400
    assert "photo" in response.data


def test_a_draft_is_changed_with_patch_and_a_submitted_one_is_not(api_as, visits):
    api = api_as("volunteer")
    draft, submitted = visits["own_draft"], visits["own"]

    response = api.patch(f"/api/visits/{draft.pk}/", {"summary": "Ringkasan baru"}, format="json")
    assert response.status_code == 200
    assert response.data["summary"] == "Ringkasan baru"
    response = api.patch(f"/api/visits/{submitted.pk}/", {"summary": "x"}, format="json")
    assert response.status_code == 400


# Review through the API


def test_the_coordinator_returns_with_a_reason_and_verifies(api_as, visits):
    api = api_as("coordinator")
    own, other = visits["own"], visits["other"]

    assert api.post(f"/api/visits/{own.pk}/return/", {"reason": ""}).status_code == 400
    returned = api.post(f"/api/visits/{own.pk}/return/", {"reason": "Durasi tidak masuk akal"})
    assert (returned.status_code, returned.data["status"]) == (200, "returned")
    assert returned.data["return_reason"] == "Durasi tidak masuk akal"
    verified = api.post(f"/api/visits/{other.pk}/verify/")
    assert (verified.status_code, verified.data["status"]) == (200, "verified")
    again = api.post(f"/api/visits/{other.pk}/verify/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "verified" in str(again.data)


def test_a_volunteer_verifying_their_own_visit_is_403(api_as, visits):
    response = api_as("volunteer").post(f"/api/visits/{visits['own'].pk}/verify/")
    assert response.status_code == 403


# Scoping and filters

SEEN = {
    "volunteer": {"own_draft", "own"},
    "coordinator": {"own", "other"},
    "official": {"own", "other", "far"},
    "secretary": {"own", "other"},
    "outsider": {"far"},
}


@pytest.mark.parametrize(("persona", "expected"), SEEN.items())
def test_each_persona_lists_and_reads_only_the_visits_they_see(api_as, visits, persona, expected):
    api = api_as(persona)
    listed = {row["id"] for row in api.get("/api/visits/").data["results"]}
    assert listed == {visits[name].pk for name in expected}
    for name, visit in visits.items():
        status = api.get(f"/api/visits/{visit.pk}/").status_code
        assert status == (200 if name in expected else 404), name


def test_a_volunteer_cannot_read_or_change_another_volunteers_visit_to_the_same_village(
    api_as, visits, mentoring
):
    api = api_as(mentoring.other.user)
    target = visits["own_draft"]
    assert api.get(f"/api/visits/{target.pk}/").status_code == 404
    assert (
        api.patch(f"/api/visits/{target.pk}/", {"summary": "x"}, format="json").status_code == 404
    )
    assert api.post(f"/api/visits/{target.pk}/submit/").status_code == 404
    assert api.post(f"/api/visits/{target.pk}/photos/", {"photo": jpeg_file()}).status_code == 404


def test_drafts_are_invisible_to_reviewers(api_as, visits):
    api = api_as("coordinator")
    assert api.get(f"/api/visits/{visits['own_draft'].pk}/").status_code == 404
    assert api.post(f"/api/visits/{visits['own_draft'].pk}/verify/").status_code == 404


def test_photos_are_never_served_to_the_outsider(api_as, visits):
    visit = visits["own_draft"]
    url = (
        api_as("volunteer")
        .post(f"/api/visits/{visit.pk}/photos/", {"photo": jpeg_file()}, format="multipart")
        .data["url"]
    )
    Visit.objects.filter(pk=visit.pk).update(status="submitted")
    assert api_as("outsider").get(url).status_code == 404
    assert api_as("secretary").get(url).status_code == 200


def test_the_list_filters_by_status_village_volunteer_and_doubtful(api_as, visits, mentoring):
    Visit.objects.filter(pk=visits["other"].pk).update(position_check="inside")
    api = api_as("official")

    def ids(**params):
        return {row["id"] for row in api.get("/api/visits/", params).data["results"]}

    assert ids(village="35.05.02.2001") == {visits["far"].pk}
    assert ids(volunteer=mentoring.other.pk) == {visits["other"].pk}
    assert ids(doubtful="true") == {visits["own"].pk, visits["far"].pk}
    assert ids(doubtful="false") == {visits["other"].pk}
    assert ids(status="draft") == set()


def test_the_visit_endpoints_are_in_the_openapi_schema(api_as, regions):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in (
        "/api/visits/",
        "/api/visits/{id}/",
        "/api/visits/{id}/submit/",
        "/api/visits/{id}/verify/",
        "/api/visits/{id}/return/",
        "/api/visits/{id}/photos/",
        "/api/visits/{id}/photos/{photo_pk}/",
    ):
        assert path in paths, path
    assert "CreateVisitInput" in schema.json()["components"]["schemas"]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_api_list_costs_the_same_queries_for_1_and_50_rows(
    api_as, mentoring, regions, django_assert_max_num_queries, rows
):
    for index in range(rows):
        user = UserFactory()
        grant(user, Role.VOLUNTEER)
        record = VolunteerFactory(user=user, district=regions.district)
        AssignmentFactory(
            volunteer=record, village=regions.village_a, programme=mentoring.programme
        )
        visit = VisitFactory(volunteer=record, village=regions.village_a)
        visit.photos.create(image=f"visits/{visit.pk}/{index}.jpg", width=1, height=1, size_bytes=1)
    api = api_as("coordinator")
    with django_assert_max_num_queries(8):
        response = api.get("/api/visits/")
    assert len(response.data["results"]) == rows
    assert all(len(row["photos"]) == 1 for row in response.data["results"])
