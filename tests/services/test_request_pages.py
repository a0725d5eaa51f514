"""The staff pages for service requests: the queue, filing with its receipt, the request page
with its timeline, actions and NIK reveal, attachments and the forwarded requests; who sees what,
and that the full NIK shows only when revealed."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from services.actions.requests import verify_request
from services.models import (
    Attachment,
    NikView,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    VillageService,
)
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, VillageFactory, grant
from villages.models import Role

NIK = "3505010101900001"
PERSONAS = [
    "official",
    "officer",
    "secretary",
    "coordinator",
    "volunteer",
    "outsider",
    "admin_user",
]
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def data(regions):
    """Requests in Jaten (village A: one on time, one overdue), Kelurahan Dua (A2), Bakung (B)
    and far away in Kediri."""
    today = timezone.localdate()
    later = today + datetime.timedelta(days=5)
    domisili = ServiceTypeFactory(code="domisili")
    return SimpleNamespace(
        a=ServiceRequestFactory(
            village=regions.village_a,
            service_type=domisili,
            tracking_code="JATEN0000001",
            applicant_name="Budi Santoso",
            due_on=later,
        ),
        a_late=ServiceRequestFactory(
            village=regions.village_a,
            service_type=domisili,
            tracking_code="JATEN0000002",
            applicant_name="Sri Wahyuni",
            status=RequestStatus.VERIFIED,
            due_on=today - datetime.timedelta(days=3),
        ),
        a2=ServiceRequestFactory(
            village=regions.village_a2, tracking_code="DUA000000001", due_on=later
        ),
        b=ServiceRequestFactory(
            village=regions.village_b, tracking_code="BAKUNG000001", due_on=later
        ),
        far=ServiceRequestFactory(
            village=regions.far_village, tracking_code="MOJO00000001", due_on=later
        ),
    )


def codes(response) -> list[str]:
    return [service_request.tracking_code for service_request in response.context["page_obj"]]


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def attach(service_request, label="KTP", content=PDF, content_type="application/pdf"):
    attachment = Attachment(
        service_request=service_request,
        label=label,
        content_type=content_type,
        size_bytes=len(content),
    )
    attachment.file.save("upload.pdf", io.BytesIO(content), save=False)
    attachment.save()
    return attachment


# The queue: who sees what


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"a", "a_late", "a2", "b"}),
        ("officer", {"a", "a_late", "a2"}),
        ("secretary", {"a", "a_late"}),
        ("outsider", {"b"}),
        ("coordinator", set()),
        ("volunteer", set()),
        ("admin_user", {"a", "a_late", "a2", "b", "far"}),
    ],
)
def test_the_queue_lists_the_requests_of_the_users_area_only(data, as_persona, persona, expected):
    response = as_persona(persona).get(reverse("services:request-list"))

    assert response.status_code == 200
    assert set(codes(response)) == {getattr(data, name).tracking_code for name in expected}


def test_the_queue_needs_a_login(data, client):
    response = client.get(reverse("services:request-list"))

    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


def test_overdue_requests_come_first_marked_with_their_days_late(data, as_persona):
    response = as_persona("secretary").get(reverse("services:request-list"))

    assert codes(response) == ["JATEN0000002", "JATEN0000001"]
    content = response.content.decode()
    assert 'class="is-overdue"' in content
    assert "3 hari terlambat" in content or "3 days late" in content


def test_the_queue_hides_closed_requests_unless_asked(data, as_persona):
    data.a.status = RequestStatus.COMPLETED
    data.a.completed_at = timezone.now()
    data.a.save()
    client = as_persona("secretary")

    assert codes(client.get(reverse("services:request-list"))) == ["JATEN0000002"]
    assert codes(client.get(reverse("services:request-list"), {"status": "completed"})) == [
        "JATEN0000001"
    ]
    assert len(codes(client.get(reverse("services:request-list"), {"status": "all"}))) == 2


def test_the_queue_filters_overdue_and_village(data, as_persona):
    client = as_persona("officer")

    assert codes(client.get(reverse("services:request-list"), {"overdue": "on"})) == [
        "JATEN0000002"
    ]
    assert codes(client.get(reverse("services:request-list"), {"village": "35.05.01.1001"})) == [
        "DUA000000001"
    ]


def test_the_village_filter_cannot_reach_a_village_out_of_the_area(data, as_persona):
    response = as_persona("secretary").get(
        reverse("services:request-list"), {"village": "35.05.02.2001"}
    )

    assert "BAKUNG000001" not in codes(response)
    assert response.context["form"].errors["village"]


@pytest.mark.parametrize("typed", ["jaten0000001", "JATEN-0000-001", " Jaten 0000 001 "])
def test_search_finds_a_request_by_its_tracking_code_in_any_case_and_with_dashes(
    data, as_persona, typed
):
    response = as_persona("secretary").get(reverse("services:request-list"), {"q": typed})

    assert codes(response) == ["JATEN0000001"]


def test_search_finds_a_request_by_part_of_the_applicants_name(data, as_persona):
    response = as_persona("secretary").get(reverse("services:request-list"), {"q": "wahyu"})

    assert codes(response) == ["JATEN0000002"]


def test_search_never_finds_a_request_by_its_nik(data, as_persona):
    client = as_persona("secretary")

    assert codes(client.get(reverse("services:request-list"), {"q": NIK})) == []
    assert codes(client.get(reverse("services:request-list"), {"q": NIK[-6:]})) == []


def test_search_does_not_reach_a_request_of_another_village(data, as_persona):
    response = as_persona("secretary").get(reverse("services:request-list"), {"q": "BAKUNG000001"})

    assert codes(response) == []


def test_the_queue_shows_masked_niks_never_the_full_one(data, as_persona):
    content = as_persona("secretary").get(reverse("services:request-list")).content.decode()

    assert "3505**********01" in content
    assert NIK not in content


def test_the_file_button_shows_to_secretaries_not_to_officials(data, as_persona):
    create_url = reverse("services:request-create")

    assert (
        create_url in as_persona("secretary").get(reverse("services:request-list")).content.decode()
    )
    assert (
        create_url
        not in as_persona("official").get(reverse("services:request-list")).content.decode()
    )


@pytest.mark.parametrize("rows", [1, 50])
def test_the_queue_costs_the_same_queries_for_1_or_50_rows(
    regions, secretary, client, django_assert_max_num_queries, rows
):
    for number in range(rows):
        ServiceRequestFactory(
            village=regions.village_a, due_on=datetime.date(2026, 1, 5 + number % 20)
        )
    client.force_login(secretary)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("services:request-list"))

    assert len(codes(response)) == rows


# The request page


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("official", 200),
        ("officer", 200),
        ("secretary", 200),
        ("coordinator", 404),
        ("volunteer", 404),
        ("outsider", 404),
        ("admin_user", 200),
    ],
)
def test_the_request_page_is_for_those_who_see_its_village(data, as_persona, persona, status_code):
    client = as_persona(persona)

    assert (
        client.get(reverse("services:request-detail", args=[data.a.pk])).status_code == status_code
    )
    receipt = client.get(reverse("services:request-receipt", args=[data.a.pk]))
    assert receipt.status_code == status_code


def test_the_request_page_shows_the_timeline_the_masked_nik_and_the_allowed_actions(
    data, secretary, client
):
    client.force_login(secretary)
    client.post(reverse("services:request-verify", args=[data.a.pk]))

    response = client.get(
        reverse("services:request-detail", args=[data.a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    content = response.content.decode()
    assert "3505**********01" in content
    assert NIK not in content
    assert "documents verified" in content.lower()
    assert secretary.full_name in content or secretary.username in content
    names = [action["name"] for action in response.context["actions"]]
    assert names == ["process", "forward", "reject", "cancel"]
    assert reverse("services:request-reveal-nik", args=[data.a.pk]) in content


def test_officials_see_no_actions_and_no_nik_button(data, official, client):
    client.force_login(official)

    response = client.get(reverse("services:request-detail", args=[data.a.pk]))

    assert response.context["actions"] == []
    assert reverse("services:request-reveal-nik", args=[data.a.pk]) not in response.content.decode()


def test_the_page_shows_the_letter_number_once_the_request_is_ready(data, secretary, client):
    client.force_login(secretary)
    for name in ("verify", "process", "ready"):
        client.post(reverse(f"services:request-{name}", args=[data.a.pk]))

    content = client.get(reverse("services:request-detail", args=[data.a.pk])).content.decode()

    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.READY
    assert data.a.letter.number in content


# Transitions


def test_a_secretary_moves_a_request_on_with_a_success_message(data, secretary, client):
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-verify", args=[data.a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("services:request-detail", args=[data.a.pk])
    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.VERIFIED
    assert RequestEvent.objects.filter(service_request=data.a, to_status="verified").exists()
    assert message_texts(response) == ["The documents are verified."]


def test_returning_a_request_records_what_is_missing(data, secretary, client):
    client.force_login(secretary)

    client.post(reverse("services:request-return", args=[data.a.pk]), {"missing": "Fotokopi KK"})

    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.RETURNED
    assert data.a.applicant_note == "Fotokopi KK"


def test_a_forward_without_its_destination_shows_the_actions_message(data, secretary, client):
    client.force_login(secretary)
    client.post(reverse("services:request-verify", args=[data.a.pk]))

    response = client.post(
        reverse("services:request-forward", args=[data.a.pk]),
        {"forwarded_to": " "},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.VERIFIED
    assert message_texts(response)[-1] == "Say where the request is forwarded to."


def test_a_refused_transition_shows_the_actions_message_naming_the_status(data, secretary, client):
    data.a.status = RequestStatus.COMPLETED
    data.a.completed_at = timezone.now()
    data.a.save()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        verify_request(service_request=data.a, actor=secretary)
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-verify", args=[data.a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.COMPLETED
    assert message_texts(response) == refused.value.messages
    assert "completed" in refused.value.messages[0]
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert escape(refused.value.messages[0]) in page


def test_an_official_who_sees_the_request_may_not_move_it(data, official, client):
    client.force_login(official)

    response = client.post(reverse("services:request-verify", args=[data.a.pk]))

    assert response.status_code == 403
    data.a.refresh_from_db()
    assert data.a.status == RequestStatus.SUBMITTED


def test_a_secretary_of_another_village_gets_404_for_a_transition(data, outsider, client):
    client.force_login(outsider)

    response = client.post(reverse("services:request-verify", args=[data.a.pk]))

    assert response.status_code == 404


def test_transitions_refuse_get(data, secretary, client):
    client.force_login(secretary)

    assert client.get(reverse("services:request-verify", args=[data.a.pk])).status_code == 405


# Revealing the NIK


def test_revealing_the_nik_shows_it_once_and_records_the_view(data, secretary, client):
    client.force_login(secretary)

    response = client.post(reverse("services:request-reveal-nik", args=[data.a.pk]))

    assert response.status_code == 200
    assert NIK in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert list(NikView.objects.values_list("user", "service_request")) == [
        (secretary.pk, data.a.pk)
    ]
    again = client.get(reverse("services:request-detail", args=[data.a.pk]))
    assert NIK not in again.content.decode()
    assert NIK not in str(client.cookies)


def test_an_official_cannot_reveal_the_nik(data, official, client):
    client.force_login(official)

    response = client.post(reverse("services:request-reveal-nik", args=[data.a.pk]))

    assert response.status_code == 403
    assert NIK not in response.content.decode()
    assert not NikView.objects.exists()


def test_a_secretary_of_another_village_gets_404_revealing_the_nik(data, outsider, client):
    client.force_login(outsider)

    response = client.post(reverse("services:request-reveal-nik", args=[data.a.pk]))

    assert response.status_code == 404
    assert not NikView.objects.exists()


# Filing at the counter


def filing_data(service_type, **changes):
    return {
        "service_type": service_type.pk,
        "applicant_name": "Siti Aminah",
        "nik": NIK,
        "applicant_sex": "male",
        "applicant_phone": "0812 3456 7890",
        "dusun": "Krajan",
        "rt": "1",
        "rw": "2",
        "address": "Jl. Mawar 3",
        "purpose": "Melamar pekerjaan",
        **changes,
    }


def test_a_secretary_files_a_request_with_documents_and_gets_a_receipt_without_the_nik(
    regions, secretary, client
):
    domisili = ServiceTypeFactory(code="domisili")
    label = domisili.document_list[0]
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"),
        filing_data(
            domisili,
            attachment_label_1=label,
            attachment_file_1=SimpleUploadedFile("ktp.png", png_bytes(), "image/png"),
            attachment_label_2="Other document",
            attachment_file_2=SimpleUploadedFile("surat.pdf", PDF, "application/pdf"),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    service_request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:request-receipt", args=[service_request.pk])
    assert NIK not in response["Location"]
    assert service_request.village == regions.village_a
    assert service_request.nik == NIK
    assert service_request.applicant_phone == "+6281234567890"
    assert sorted(service_request.attachments.values_list("label", flat=True)) == sorted(
        [label, "Other document"]
    )
    receipt = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    content = receipt.content.decode()
    assert service_request.tracking_code in content
    assert service_request.due_on.strftime("%d-%m-%Y") in content
    assert "/lacak/" in content
    assert NIK not in content
    assert "3505**********01" not in content


def test_a_bad_nik_is_refused_with_a_message_on_its_field(regions, secretary, client):
    domisili = ServiceTypeFactory(code="domisili")
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"),
        filing_data(domisili, nik="12345"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    assert not ServiceRequest.objects.exists()


def test_a_hostile_file_is_refused_and_nothing_is_filed(regions, secretary, client):
    domisili = ServiceTypeFactory(code="domisili")
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"),
        filing_data(
            domisili,
            attachment_label_1="Other document",
            attachment_file_1=SimpleUploadedFile(
                "ktp.pdf", b"<script>x</script>", "application/pdf"
            ),
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "Only PDF, JPEG or PNG" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_file_without_its_document_label_is_refused(regions, secretary, client):
    domisili = ServiceTypeFactory(code="domisili")
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"),
        filing_data(
            domisili, attachment_file_1=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
        ),
    )

    assert response.context["form"].errors["attachment_label_1"]
    assert not ServiceRequest.objects.exists()


def test_the_filing_form_offers_only_the_services_the_village_offers(regions, secretary, client):
    pindah = ServiceTypeFactory(code="pindah")
    VillageService.objects.create(village=regions.village_a, service_type=pindah, is_offered=False)
    client.force_login(secretary)

    form = client.get(reverse("services:request-create")).context["form"]

    offered = set(form.fields["service_type"].queryset.values_list("code", flat=True))
    assert "domisili" in offered
    assert "pindah" not in offered


def test_a_secretary_of_two_villages_chooses_among_them_only(regions, secretary, client):
    grant(secretary, Role.VILLAGE_SECRETARY, regions.village_a2)
    domisili = ServiceTypeFactory(code="domisili")
    client.force_login(secretary)

    form = client.get(reverse("services:request-create")).context["form"]
    assert set(form.fields["village"].queryset) == {regions.village_a, regions.village_a2}

    client.post(
        reverse("services:request-create"),
        filing_data(domisili, village=regions.village_b.code),
    )
    assert not ServiceRequest.objects.exists()
    client.post(
        reverse("services:request-create"),
        filing_data(domisili, village=regions.village_a2.code),
    )
    assert ServiceRequest.objects.get().village == regions.village_a2


@pytest.mark.parametrize("persona", ["official", "officer", "volunteer"])
def test_only_secretaries_file_requests(regions, as_persona, persona):
    assert as_persona(persona).get(reverse("services:request-create")).status_code == 403


# Attachments


@pytest.mark.parametrize(
    ("persona", "status_code"),
    [
        ("official", 403),
        ("officer", 403),
        ("secretary", 200),
        ("coordinator", 404),
        ("volunteer", 404),
        ("outsider", 404),
    ],
)
def test_an_attachment_carrying_the_nik_downloads_for_the_villages_secretary_only(
    request, data, as_persona, persona, status_code
):
    from services.models import NikView

    attachment = attach(data.a)

    response = as_persona(persona).get(
        reverse("services:attachment-download", args=[data.a.pk, attachment.pk])
    )

    assert response.status_code == status_code
    # Each download by the secretary counts as a view of the NIK; refusals record nothing.
    viewed = NikView.objects.filter(service_request=data.a).values_list("user", flat=True)
    expected = [request.getfixturevalue(persona).pk] if status_code == 200 else []
    assert list(viewed) == expected


def test_an_attachment_is_always_a_download_with_a_safe_name_and_its_stored_type(
    data, secretary, client
):
    attachment = attach(
        data.a, label='KTP "asli" <b>', content=png_bytes(), content_type="image/png"
    )
    client.force_login(secretary)

    response = client.get(reverse("services:attachment-download", args=[data.a.pk, attachment.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ktp-asli-b-{data.a.pk}-{attachment.pk}.png"'
    )
    assert b"".join(response.streaming_content) == png_bytes()


def test_an_attachment_of_another_request_is_not_found_under_this_one(data, secretary, client):
    attachment = attach(data.b)
    client.force_login(secretary)

    url = reverse("services:attachment-download", args=[data.a.pk, attachment.pk])

    assert client.get(url).status_code == 404


def test_a_secretary_adds_a_document_to_an_open_request(data, secretary, client):
    client.force_login(secretary)

    client.post(
        reverse("services:attachment-add", args=[data.a.pk]),
        {"label": "Other document", "file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert list(data.a.attachments.values_list("label", flat=True)) == ["Other document"]


# Forwarded requests


@pytest.fixture
def forwarded(regions):
    def forward(village, code, days_ago):
        service_request = ServiceRequestFactory(
            village=village,
            tracking_code=code,
            status=RequestStatus.FORWARDED,
            forwarded_to="Kecamatan",
            due_on=datetime.date(2026, 12, 31),
        )
        event = RequestEvent.objects.create(
            service_request=service_request, from_status="in_process", to_status="forwarded"
        )
        RequestEvent.objects.filter(pk=event.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        return service_request

    return SimpleNamespace(
        recent=forward(regions.village_a, "FWD000000001", 1),
        old=forward(regions.village_a2, "FWD000000002", 5),
        other=forward(regions.village_b, "FWD000000003", 9),
        not_forwarded=ServiceRequestFactory(
            village=regions.village_a, tracking_code="NOFWD0000001"
        ),
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", ["FWD000000003", "FWD000000002", "FWD000000001"]),
        ("officer", ["FWD000000002", "FWD000000001"]),
        ("secretary", ["FWD000000001"]),
        ("outsider", ["FWD000000003"]),
        ("volunteer", []),
    ],
)
def test_forwarded_requests_of_the_area_show_the_longest_waiting_first(
    forwarded, as_persona, persona, expected
):
    response = as_persona(persona).get(reverse("services:forwarded"))

    assert response.status_code == 200
    assert codes(response) == expected


def test_the_kecamatan_officer_takes_back_a_request_forwarded_to_the_kecamatan(
    forwarded, officer, client
):
    client.force_login(officer)

    client.post(reverse("services:request-receive", args=[forwarded.old.pk]), {"note": "Selesai"})

    forwarded.old.refresh_from_db()
    assert forwarded.old.status == RequestStatus.IN_PROCESS


@pytest.mark.parametrize("rows", [1, 50])
def test_the_forwarded_page_costs_the_same_queries_for_1_or_50_rows(
    regions, officer, client, django_assert_max_num_queries, rows
):
    villages = [
        VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
        for number in range(rows)
    ]
    for village in villages:
        ServiceRequestFactory(
            village=village, status=RequestStatus.FORWARDED, forwarded_to="Dukcapil"
        )
    client.force_login(officer)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("services:forwarded"))

    assert len(codes(response)) == rows


def test_the_services_link_shows_to_service_roles_only(data, as_persona):
    link = f'href="{reverse("services:request-list")}"'

    assert link in as_persona("secretary").get(reverse("home")).content.decode()
    assert link not in as_persona("volunteer").get(reverse("home")).content.decode()
