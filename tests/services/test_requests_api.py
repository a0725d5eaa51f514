"""The service-requests API: who sees what, filing, one endpoint per transition, the NIK kept
masked, and constant query counts on the list."""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from services.models import Attachment, NikView, RequestEvent, ServiceRequest
from tests.factories import (
    ServiceRequestFactory,
    ServiceTypeFactory,
    VillageFactory,
    VillageProfileFactory,
)

NIK = "3505010101900001"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
URL = "/api/service-requests/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


@pytest.fixture
def requests_(regions):
    """One request in each of villages A, A2 (Wonodadi), B (Udanawu) and a Kediri village."""
    return {
        key: ServiceRequestFactory(village=getattr(regions, key), applicant_name=f"Warga {key}")
        for key in ("village_a", "village_a2", "village_b", "far_village")
    }


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


# Scoping


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("official", {"village_a", "village_a2", "village_b"}),
        ("officer", {"village_a", "village_a2"}),
        ("secretary", {"village_a"}),
        ("outsider", {"village_b"}),
        ("volunteer", set()),
        ("coordinator", set()),
        ("admin_user", {"village_a", "village_a2", "village_b", "far_village"}),
    ],
)
def test_the_list_shows_the_requests_of_the_users_area_only(api_as, requests_, persona, visible):
    response = api_as(persona).get(URL)

    assert response.status_code == 200
    names = {row["applicant_name"] for row in response.json()["results"]}
    assert names == {f"Warga {key}" for key in visible}


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [("secretary", 200), ("officer", 200), ("official", 200), ("outsider", 404)],
)
def test_a_secretary_of_another_village_gets_404_for_the_detail(
    api_as, requests_, persona, status_code
):
    response = api_as(persona).get(f"{URL}{requests_['village_a'].pk}/")
    assert response.status_code == status_code


def test_anonymous_callers_are_refused(requests_):
    assert APIClient().get(URL).status_code == 401


# Detail


def test_the_detail_has_the_masked_nik_the_timeline_the_documents_and_the_letter(
    api_as, regions, secretary
):
    VillageProfileFactory(village=regions.village_a, head_name="Suyanto")
    service_request = ServiceRequestFactory(village=regions.village_a)
    api = api_as("secretary")
    api.post(f"{URL}{service_request.pk}/attachments/", {"label": "KTP", "file": pdf()})
    for step in ("verify", "process", "ready"):
        assert api.post(f"{URL}{service_request.pk}/{step}/").status_code == 200

    body = api.get(f"{URL}{service_request.pk}/").json()

    assert body["masked_nik"] == "3505**********01"
    assert [event["to_status"] for event in body["events"]] == [
        "submitted",
        "verified",
        "in_process",
        "ready",
    ]
    assert body["events"][1]["actor_name"] == secretary.full_name
    attachment = Attachment.objects.get()
    assert body["attachments"][0]["label"] == "KTP"
    assert body["attachments"][0]["download_url"] == staff_url(
        "services:attachment-download", service_request.pk, attachment.pk
    )
    assert body["letter"]["number"].startswith("470/1/35.05.01.2001/")
    assert body["letter"]["pdf_url"] == staff_url("services:letter-pdf", service_request.pk)


def staff_url(name, *args):
    """The absolute URL of a staff page, None while its developer has not added it yet."""
    try:
        return f"http://testserver{reverse(name, args=args)}"
    except NoReverseMatch:
        return None


def pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# The NIK stays masked


def test_the_nik_never_appears_in_any_response_but_the_reveal(api_as, regions, caplog):
    caplog.set_level(logging.DEBUG)
    api = api_as("secretary")
    domisili = ServiceTypeFactory(code="domisili")
    created = api.post(
        URL,
        {
            "village": regions.village_a.code,
            "service_type": domisili.pk,
            "applicant_name": "Budi Santoso",
            "nik": NIK,
            "purpose": "Melamar pekerjaan",
        },
        format="json",
    )
    pk = created.json()["id"]
    responses = [
        created,
        api.get(URL),
        api.get(f"{URL}{pk}/"),
        api.post(f"{URL}{pk}/verify/"),
        api.post(
            URL, {"village": regions.village_a.code, "nik": "3599010101900001"}, format="json"
        ),
    ]

    # The bodies hold every URL the API hands out (downloads, letters): none carries the NIK.
    for response in responses:
        assert NIK not in response.content.decode()
    assert "3599010101900001" not in responses[-1].content.decode()
    assert NIK not in caplog.text


def test_the_secretary_reveals_the_nik_and_the_view_is_recorded(api_as, requests_, secretary):
    service_request = requests_["village_a"]

    response = api_as("secretary").post(f"{URL}{service_request.pk}/nik/")

    assert response.status_code == 200
    assert response.json() == {"nik": NIK}
    assert response["Cache-Control"] == "no-store"
    assert NikView.objects.get().user == secretary


@pytest.mark.parametrize(("persona", "status_code"), [("officer", 403), ("official", 403)])
def test_the_officer_and_the_official_may_not_reveal_the_nik(
    api_as, requests_, persona, status_code
):
    response = api_as(persona).post(f"{URL}{requests_['village_a'].pk}/nik/")

    assert response.status_code == status_code
    assert NIK not in response.content.decode()
    assert not NikView.objects.exists()


def test_an_outsider_gets_404_revealing_the_nik(api_as, requests_):
    assert api_as("outsider").post(f"{URL}{requests_['village_a'].pk}/nik/").status_code == 404


# Filing


def test_the_secretary_files_a_request_with_documents_in_multipart(api_as, regions):
    domisili = ServiceTypeFactory(code="domisili")
    png = SimpleUploadedFile("kk.png", png_bytes(), content_type="image/png")

    response = api_as("secretary").post(
        URL,
        {
            "village": regions.village_a.code,
            "service_type": domisili.pk,
            "applicant_name": "Sri Wahyuni",
            "nik": "3505014101900002",
            "applicant_sex": "female",
            "applicant_phone": "0812 3456 7890",
            "rt": "3",
            "purpose": "Melamar pekerjaan",
            "attachments": [pdf("ktp.pdf"), png],
            "attachment_labels": ["KTP", "KK"],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["applicant_phone"] == "+6281234567890"
    assert body["rt"] == "003"
    assert [a["label"] for a in body["attachments"]] == ["KTP", "KK"]
    assert len(body["tracking_code"]) == 12


def test_bad_input_is_answered_400_naming_every_field(api_as, regions):
    domisili = ServiceTypeFactory(code="domisili")

    response = api_as("secretary").post(
        URL,
        {
            "village": regions.village_a.code,
            "service_type": domisili.pk,
            "applicant_name": "Budi",
            "nik": "3505013102900001",
            "applicant_phone": "123",
            "purpose": "x",
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"nik", "applicant_phone"}
    assert "310290" in errors["nik"][0]


@pytest.mark.parametrize(("persona", "status_code"), [("outsider", 404), ("officer", 403)])
def test_only_the_villages_secretary_files_there(api_as, regions, persona, status_code):
    domisili = ServiceTypeFactory(code="domisili")

    response = api_as(persona).post(
        URL,
        {
            "village": regions.village_a.code,
            "service_type": domisili.pk,
            "applicant_name": "Budi",
            "nik": NIK,
            "purpose": "x",
        },
        format="json",
    )

    assert response.status_code == status_code
    assert not ServiceRequest.objects.exists()


def test_a_hostile_file_is_refused_with_400(api_as, requests_):
    script = SimpleUploadedFile(
        "ktp.pdf", b"<script>alert(1)</script>", content_type="application/pdf"
    )

    response = api_as("secretary").post(
        f"{URL}{requests_['village_a'].pk}/attachments/",
        {"label": "KTP", "file": script},
        format="multipart",
    )

    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG" in response.json()["uploaded_file"][0]
    assert not Attachment.objects.exists()


# Transitions


TRANSITIONS = [
    ("submitted", "verify", {}, "verified"),
    ("submitted", "return", {"missing": "Fotokopi KK"}, "returned"),
    ("submitted", "reject", {"reason": "Bukan warga"}, "rejected"),
    ("submitted", "cancel", {"reason": "Permintaan pemohon"}, "cancelled"),
    ("verified", "process", {}, "in_process"),
    ("verified", "forward", {"forwarded_to": "Dukcapil"}, "forwarded"),
    ("forwarded", "receive", {"note": "Berkas kembali"}, "in_process"),
    ("in_process", "ready", {}, "ready"),
    ("ready", "complete", {}, "completed"),
    ("returned", "resubmit", {}, "submitted"),
]


@pytest.mark.parametrize(("status", "endpoint", "payload", "to_status"), TRANSITIONS)
def test_each_transition_has_its_endpoint(
    api_as, regions, secretary, status, endpoint, payload, to_status
):
    service_request = ServiceRequestFactory(village=regions.village_a, status=status)

    response = api_as("secretary").post(
        f"{URL}{service_request.pk}/{endpoint}/", payload, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == to_status
    event = RequestEvent.objects.get(service_request=service_request)
    assert (event.to_status, event.actor) == (to_status, secretary)
    assert event.note == next(iter(payload.values()), "")


@pytest.mark.parametrize("endpoint", ["return", "reject", "cancel", "forward"])
def test_a_transition_without_its_note_is_400_naming_the_field(api_as, regions, endpoint):
    service_request = ServiceRequestFactory(village=regions.village_a, status="verified")
    field = {"return": "missing", "forward": "forwarded_to"}.get(endpoint, "reason")

    response = api_as("secretary").post(f"{URL}{service_request.pk}/{endpoint}/", {}, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_transition_not_allowed_from_the_status_is_400_naming_it(api_as, regions):
    service_request = ServiceRequestFactory(
        village=regions.village_a, status="completed", completed_at=timezone.now()
    )

    response = api_as("secretary").post(f"{URL}{service_request.pk}/verify/")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ['The request is "completed"; it cannot move to "documents verified".']
    }


@pytest.mark.parametrize(
    ("persona", "status_code"), [("outsider", 404), ("official", 403), ("officer", 403)]
)
def test_who_may_not_verify_gets_404_or_403(api_as, requests_, persona, status_code):
    service_request = requests_["village_a"]

    response = api_as(persona).post(f"{URL}{service_request.pk}/verify/")

    assert response.status_code == status_code
    service_request.refresh_from_db()
    assert service_request.status == "submitted"


def test_the_kecamatan_officer_receives_a_forwarded_request_back(api_as, regions):
    service_request = ServiceRequestFactory(
        village=regions.village_a, status="forwarded", forwarded_to="Kecamatan Wonodadi"
    )

    response = api_as("officer").post(f"{URL}{service_request.pk}/receive/")

    assert response.status_code == 200
    assert response.json()["status"] == "in_process"


# Filters and order


def test_overdue_requests_come_first_then_the_oldest_due(api_as, regions):
    today = timezone.localdate()
    late = ServiceRequestFactory(
        village=regions.village_a, due_on=today - timezone.timedelta(days=1)
    )
    soon = ServiceRequestFactory(village=regions.village_a, due_on=today)
    later = ServiceRequestFactory(
        village=regions.village_a, due_on=today + timezone.timedelta(days=5)
    )
    closed_late = ServiceRequestFactory(
        village=regions.village_a,
        status="completed",
        completed_at=timezone.now(),
        due_on=today - timezone.timedelta(days=30),
    )
    api = api_as("secretary")

    ids = [row["id"] for row in api.get(URL).json()["results"]]
    overdue = api.get(URL, {"overdue": "true"}).json()["results"]

    assert ids == [late.pk, closed_late.pk, soon.pk, later.pk]
    assert [row["id"] for row in overdue] == [late.pk]
    assert overdue[0]["is_overdue"] is True


def test_the_list_filters_by_status_village_district_type_and_search(api_as, regions, requests_):
    requests_["village_a"].tracking_code = "ABCDEFGH2345"
    requests_["village_a"].status = "verified"
    requests_["village_a"].save()
    api = api_as("official")

    def names(**params):
        return {row["applicant_name"] for row in api.get(URL, params).json()["results"]}

    assert names(status="verified") == {"Warga village_a"}
    assert names(village=regions.village_a2.code) == {"Warga village_a2"}
    assert names(district=regions.district.code) == {"Warga village_a", "Warga village_a2"}
    assert names(q="abcdefgh2345") == {"Warga village_a"}
    assert names(q="warga village_b") == {"Warga village_b"}
    other_type = ServiceTypeFactory(code="usaha")
    assert names(service_type=other_type.pk) == set()


# Query budgets


@pytest.mark.parametrize("count", [1, 50])
def test_the_list_costs_the_same_queries_for_1_or_50_requests(
    api_as, regions, django_assert_max_num_queries, count
):
    for number in range(count):
        village = VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
        ServiceRequestFactory(village=village)
    api = api_as("official")

    # Session, roles, count, the page, then the page's villages and services by key.
    with django_assert_max_num_queries(6):
        response = api.get(URL)

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_the_detail_costs_the_same_queries_for_1_or_10_events_and_documents(
    api_as, regions, secretary, django_assert_max_num_queries, count
):
    service_request = ServiceRequestFactory(village=regions.village_a)
    for number in range(count):
        RequestEvent.objects.create(
            service_request=service_request, actor=secretary, to_status="submitted"
        )
        Attachment.objects.create(
            service_request=service_request,
            label=f"Dok {number}",
            file=f"requests/{service_request.pk}/x{number}.pdf",
            content_type="application/pdf",
            size_bytes=10,
        )
    api = api_as("secretary")

    with django_assert_max_num_queries(5):
        response = api.get(f"{URL}{service_request.pk}/")

    assert len(response.json()["events"]) == count


def test_the_schema_lists_the_request_endpoints_and_their_inputs(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    for path in ("/api/service-requests/", "/api/service-requests/{id}/"):
        assert path in schema["paths"]
    for endpoint in (
        "verify",
        "return",
        "reject",
        "cancel",
        "process",
        "forward",
        "receive",
        "ready",
        "complete",
        "resubmit",
        "attachments",
        "nik",
    ):
        assert "post" in schema["paths"][f"/api/service-requests/{{id}}/{endpoint}/"]
    components = schema["components"]["schemas"]
    for name in ("FileRequestInput", "ReturnRequestInput", "ForwardRequestInput"):
        assert name in components
