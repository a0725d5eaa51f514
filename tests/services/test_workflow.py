"""Filing a request at the counter and moving it through its workflow: who may, from which
status, what is recorded, and what two clerks acting at once cannot do."""

import io
import logging
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from PIL import Image

from services.actions.requests import (
    ACTIONS,
    TRACKING_ALPHABET,
    add_attachment,
    available_actions,
    cancel_request,
    complete_request,
    file_request,
    forward_request,
    mark_ready,
    receive_back,
    reject_request,
    resubmit_request,
    return_request,
    reveal_nik,
    start_processing,
    verify_request,
)
from services.attachments import MAX_ATTACHMENT_BYTES
from services.deadlines import add_working_days
from services.models import (
    Attachment,
    Letter,
    NikView,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    VillageService,
)
from tests.factories import ServiceRequestFactory, ServiceTypeFactory, VillageProfileFactory

NIK = "3505010101900001"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def domisili(db):
    return ServiceTypeFactory(code="domisili")


def a_request(regions, status="submitted", **fields):
    extra = {"completed_at": timezone.now()} if status == "completed" else {}
    if status == "forwarded":
        extra["forwarded_to"] = "Kecamatan Wonodadi"
    return ServiceRequestFactory(village=regions.village_a, status=status, **extra, **fields)


def file_for(secretary, regions, service_type, **fields):
    values = {
        "village": regions.village_a,
        "service_type": service_type,
        "applicant_name": "Sri Wahyuni",
        "nik": "3505 0141 0190 0002",
        "purpose": "Melamar pekerjaan",
        "applicant_sex": "female",
        "applicant_phone": "0812-3456-7890",
        "rt": "1",
        "rw": "02",
        "actor": secretary,
        **fields,
    }
    return file_request(**values)


# Filing


def test_a_secretary_files_a_request_due_in_working_days_with_a_random_tracking_code(
    regions, secretary, domisili
):
    service_request = file_for(
        secretary, regions, domisili, attachments=[("KTP", upload(PDF, "ktp asli.pdf"))]
    )

    service_request.refresh_from_db()
    assert service_request.status == "submitted"
    assert service_request.nik == "3505014101900002"
    assert service_request.nik_is_temporary is False
    assert service_request.applicant_phone == "+6281234567890"
    assert (service_request.rt, service_request.rw) == ("001", "002")
    assert service_request.due_on == add_working_days(timezone.localdate(), 2)
    assert len(service_request.tracking_code) == 12
    assert set(service_request.tracking_code) <= set(TRACKING_ALPHABET)
    event = service_request.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "submitted", secretary)
    attachment = service_request.attachments.get()
    assert (attachment.label, attachment.content_type) == ("KTP", "application/pdf")
    assert "ktp" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")


def test_tracking_codes_differ_between_requests(regions, secretary, domisili):
    first = file_for(secretary, regions, domisili)
    second = file_for(secretary, regions, domisili)
    assert first.tracking_code != second.tracking_code


def test_a_temporary_nik_is_accepted_and_flagged(regions, secretary, domisili):
    service_request = file_for(secretary, regions, domisili, nik="0005014101900002")
    assert service_request.nik_is_temporary is True


def test_every_problem_of_every_field_is_reported_at_once(regions, secretary, domisili):
    with pytest.raises(ValidationError) as caught:
        file_for(
            secretary,
            regions,
            domisili,
            applicant_name="",
            nik="3505013102900001",
            applicant_phone="12",
            rt="12a",
            rw="1234",
            purpose="",
            attachments=[("KTP", upload(b"<html><script>alert(1)</script></html>"))],
        )

    errors = caught.value.message_dict
    assert set(errors) == {
        "applicant_name",
        "nik",
        "applicant_phone",
        "rt",
        "rw",
        "purpose",
        "attachments",
    }
    assert "are not a birth date" in errors["nik"][0]
    assert errors["attachments"][0].startswith("KTP: Only PDF, JPEG or PNG files")
    assert not ServiceRequest.objects.exists()


def test_a_sex_the_nik_contradicts_is_refused_on_the_nik(regions, secretary, domisili):
    with pytest.raises(ValidationError) as caught:
        file_for(secretary, regions, domisili, applicant_sex="male")
    assert caught.value.message_dict["nik"] == ["The NIK says female, but the sex entered is male."]


def test_a_service_the_village_switched_off_cannot_be_filed(regions, secretary, domisili):
    VillageService.objects.create(
        village=regions.village_a, service_type=domisili, is_offered=False
    )

    with pytest.raises(ValidationError) as caught:
        file_for(secretary, regions, domisili)
    assert caught.value.message_dict["service_type"] == ["The village does not offer this service."]


def test_an_inactive_service_cannot_be_filed(regions, secretary, domisili):
    domisili.is_active = False
    domisili.save()

    with pytest.raises(ValidationError) as caught:
        file_for(secretary, regions, domisili)
    assert "service_type" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["outsider", "officer", "official", "volunteer"])
def test_only_the_villages_secretary_may_file_its_requests(request, regions, domisili, persona):
    with pytest.raises(PermissionDenied):
        file_for(request.getfixturevalue(persona), regions, domisili)
    assert not ServiceRequest.objects.exists()


# Attachments


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "ktp.pdf", "Only PDF, JPEG or PNG"),
        (b"#!/bin/sh\nrm -rf /\n", "kk.jpg", "Only PDF, JPEG or PNG"),
        (b"MZ\x90\x00" + b"\x00" * 64, "foto.png", "Only PDF, JPEG or PNG"),
        (b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>", "foto.png", "damaged or not one"),
        (b"\xff\xd8\xff\xe0<script>", "foto.jpg", "damaged or not one"),
        (PDF + b"0" * MAX_ATTACHMENT_BYTES, "big.pdf", "larger than 5 MB"),
    ],
)
def test_hostile_or_oversized_attachments_are_refused(regions, secretary, content, name, message):
    service_request = a_request(regions)

    with pytest.raises(ValidationError) as caught:
        add_attachment(
            service_request=service_request,
            label="KTP",
            uploaded_file=upload(content, name, "application/pdf"),
            actor=secretary,
        )

    assert message in caught.value.message_dict["uploaded_file"][0]
    assert not Attachment.objects.exists()


def test_a_real_png_is_stored_under_a_random_name_and_recorded(regions, secretary):
    service_request = a_request(regions)

    add_attachment(
        service_request=service_request,
        label="Foto KK",
        uploaded_file=upload(png_bytes(), "../../etc/passwd.html", "text/html"),
        actor=secretary,
    )

    attachment = service_request.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.name.startswith(f"requests/{service_request.pk}/")
    assert attachment.file.name.endswith(".png")
    assert service_request.events.get().note == "Document added: Foto KK"


def test_at_most_ten_documents_per_request(regions, secretary, domisili):
    with pytest.raises(ValidationError) as caught:
        file_for(
            secretary, regions, domisili, attachments=[(f"Dok {i}", upload(PDF)) for i in range(11)]
        )
    assert caught.value.message_dict["attachments"] == [
        "At most 10 documents can be attached to a request."
    ]


def test_no_document_is_added_to_a_closed_request(regions, secretary):
    with pytest.raises(ValidationError, match='The request is "completed"'):
        add_attachment(
            service_request=a_request(regions, "completed"),
            label="KTP",
            uploaded_file=upload(PDF),
            actor=secretary,
        )


# The workflow table


def call(action, service_request, actor):
    """Call the action of that name with the input it needs."""
    functions = {
        "verify": lambda: verify_request(service_request=service_request, actor=actor),
        "return": lambda: return_request(
            service_request=service_request, missing="Fotokopi KK", actor=actor
        ),
        "reject": lambda: reject_request(
            service_request=service_request, reason="Bukan warga desa", actor=actor
        ),
        "cancel": lambda: cancel_request(
            service_request=service_request, reason="Atas permintaan pemohon", actor=actor
        ),
        "process": lambda: start_processing(service_request=service_request, actor=actor),
        "forward": lambda: forward_request(
            service_request=service_request, forwarded_to="Dukcapil", actor=actor
        ),
        "receive": lambda: receive_back(service_request=service_request, actor=actor),
        "ready": lambda: mark_ready(service_request=service_request, actor=actor),
        "complete": lambda: complete_request(service_request=service_request, actor=actor),
        "resubmit": lambda: resubmit_request(service_request=service_request, actor=actor),
    }
    return functions[action]()


ALLOWED = {
    ("submitted", "verify"): "verified",
    ("submitted", "return"): "returned",
    ("submitted", "reject"): "rejected",
    ("submitted", "cancel"): "cancelled",
    ("verified", "process"): "in_process",
    ("verified", "forward"): "forwarded",
    ("verified", "reject"): "rejected",
    ("verified", "cancel"): "cancelled",
    ("in_process", "ready"): "ready",
    ("in_process", "forward"): "forwarded",
    ("in_process", "cancel"): "cancelled",
    ("forwarded", "receive"): "in_process",
    ("forwarded", "ready"): "ready",
    ("forwarded", "reject"): "rejected",
    ("ready", "complete"): "completed",
    ("returned", "resubmit"): "submitted",
    ("returned", "cancel"): "cancelled",
}
REFUSED = [
    (status, action)
    for status in RequestStatus.values
    for action in ACTIONS
    if (status, action) not in ALLOWED
]


@pytest.mark.parametrize(("status", "action"), list(ALLOWED))
def test_an_allowed_transition_moves_the_request_and_records_who_and_why(
    regions, secretary, status, action
):
    service_request = a_request(regions, status)

    moved = call(action, service_request, secretary)

    service_request.refresh_from_db()
    assert service_request.status == moved.status == ALLOWED[(status, action)]
    event = service_request.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        status,
        service_request.status,
        secretary,
    )


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_a_transition_not_allowed_from_the_current_status_is_refused_naming_it(
    regions, secretary, status, action
):
    service_request = a_request(regions, status)
    label = RequestStatus(status).label

    with pytest.raises(ValidationError, match=f'The request is "{label}"; it cannot move to'):
        call(action, service_request, secretary)

    service_request.refresh_from_db()
    assert service_request.status == status
    assert not RequestEvent.objects.exists()


def test_the_actions_table_matches_the_allowed_transitions():
    assert {
        (status, action) for action, (_to, sources) in ACTIONS.items() for status in sources
    } == set(ALLOWED)


def test_returning_and_rejecting_keep_the_note_for_the_applicant(regions, secretary):
    returned = call("return", a_request(regions), secretary)
    rejected = call("reject", a_request(regions), secretary)

    assert returned.applicant_note == "Fotokopi KK"
    assert returned.events.get().note == "Fotokopi KK"
    assert rejected.applicant_note == "Bukan warga desa"


@pytest.mark.parametrize(
    ("action", "field", "status"),
    [
        ("return", "missing", "submitted"),
        ("reject", "reason", "submitted"),
        ("cancel", "reason", "submitted"),
        ("forward", "forwarded_to", "verified"),
    ],
)
def test_a_note_that_the_transition_needs_cannot_be_blank(
    regions, secretary, action, field, status
):
    service_request = a_request(regions, status)
    functions = {
        "return": return_request,
        "reject": reject_request,
        "cancel": cancel_request,
        "forward": forward_request,
    }

    with pytest.raises(ValidationError) as caught:
        functions[action](service_request=service_request, actor=secretary, **{field: "  "})

    assert field in caught.value.message_dict
    service_request.refresh_from_db()
    assert service_request.status == status


def test_forwarding_records_where_it_went(regions, secretary):
    forwarded = call("forward", a_request(regions, "verified"), secretary)
    assert forwarded.forwarded_to == "Dukcapil"


def test_resubmitting_restarts_the_deadline_from_today(regions, secretary):
    service_request = a_request(regions, "returned", applicant_note="Fotokopi KK")
    service_request.due_on = timezone.localdate().replace(year=2020)
    service_request.save()

    resubmitted = call("resubmit", service_request, secretary)

    assert resubmitted.due_on == add_working_days(timezone.localdate(), 2)
    assert resubmitted.applicant_note == ""


def test_completing_sets_the_completion_time(regions, secretary):
    completed = call("complete", a_request(regions, "ready"), secretary)
    assert completed.completed_at is not None


def test_becoming_ready_issues_the_letter_signed_by_the_village_head(regions, secretary):
    VillageProfileFactory(village=regions.village_a, head_name="Suyanto")

    ready = call("ready", a_request(regions, "in_process"), secretary)

    letter = Letter.objects.get(service_request=ready)
    assert (letter.signer_name, letter.signer_title) == ("Suyanto", "Kepala Desa Jaten")
    assert letter.number.startswith("470/1/35.05.01.2001/")


def test_a_kelurahan_letter_is_signed_by_the_lurah_or_else_the_acting_user(regions, admin_user):
    service_request = ServiceRequestFactory(village=regions.village_a2, status="in_process")

    mark_ready(service_request=service_request, actor=admin_user)

    letter = service_request.letter
    assert letter.signer_title == "Lurah Kelurahan Dua"
    assert letter.signer_name == admin_user.full_name


def test_a_service_without_a_letter_becomes_ready_without_one(regions, secretary):
    service_type = ServiceTypeFactory(code="tanpa-surat", issues_letter=False, letter_code="")
    ready = call("ready", a_request(regions, "in_process", service_type=service_type), secretary)
    assert not Letter.objects.filter(service_request=ready).exists()


def test_available_actions_follow_the_status_and_the_user(regions, secretary, officer, official):
    service_request = a_request(regions, "forwarded")

    assert available_actions(secretary, service_request) == ["reject", "receive", "ready"]
    assert available_actions(officer, service_request) == ["receive"]
    assert available_actions(official, service_request) == []


# Who may act


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_secretary_of_another_village_may_not_act(regions, outsider, action):
    sources = ACTIONS[action][1]
    service_request = a_request(regions, sorted(sources)[0])

    with pytest.raises(PermissionDenied):
        call(action, service_request, outsider)
    assert not RequestEvent.objects.exists()


def test_the_kecamatan_officer_receives_a_forwarded_request_back_but_may_not_verify(
    regions, officer
):
    with pytest.raises(PermissionDenied):
        call("verify", a_request(regions), officer)

    received = call("receive", a_request(regions, "forwarded"), officer)
    assert received.status == "in_process"
    assert received.events.get().actor == officer


@pytest.mark.parametrize("action", ["reject", "ready"])
def test_the_kecamatan_officer_leaves_the_rest_of_a_forwarded_request_to_the_village(
    regions, officer, action
):
    service_request = a_request(regions, "forwarded")

    with pytest.raises(PermissionDenied):
        call(action, service_request, officer)
    assert not RequestEvent.objects.exists()


@pytest.mark.parametrize("persona", ["official", "volunteer", "coordinator"])
def test_officials_and_volunteers_may_not_move_requests(request, regions, persona):
    with pytest.raises(PermissionDenied):
        call("verify", a_request(regions), request.getfixturevalue(persona))


# The full NIK


def test_the_secretary_sees_the_full_nik_and_the_view_is_recorded(regions, secretary):
    service_request = a_request(regions)

    assert reveal_nik(service_request=service_request, actor=secretary) == NIK

    view = NikView.objects.get()
    assert (view.service_request, view.user) == (service_request, secretary)


@pytest.mark.parametrize("persona", ["officer", "official", "outsider"])
def test_nobody_but_the_secretary_sees_the_full_nik(request, regions, persona):
    with pytest.raises(PermissionDenied):
        reveal_nik(service_request=a_request(regions), actor=request.getfixturevalue(persona))
    assert not NikView.objects.exists()


def test_the_nik_is_never_logged_nor_echoed_in_an_error(regions, secretary, domisili, caplog):
    caplog.set_level(logging.DEBUG)
    service_request = file_for(secretary, regions, domisili)
    call("verify", service_request, secretary)
    reveal_nik(service_request=service_request, actor=secretary)
    with pytest.raises(ValidationError) as caught:
        file_for(secretary, regions, domisili, nik="3599014101900002")

    assert "3505014101900002" not in caplog.text
    assert "3599014101900002" not in str(caught.value)


# Two clerks at once


@pytest.mark.django_db(transaction=True)
def test_two_transitions_at_once_cannot_both_succeed(regions, secretary):
    service_request = a_request(regions)
    first_holds_the_lock = threading.Event()
    outcomes = {}

    def verify_and_hold():
        try:
            with transaction.atomic():
                verify_request(service_request=service_request, actor=secretary)
                first_holds_the_lock.set()
                # Keep the row locked while the other clerk tries.
                threading.Event().wait(0.5)
            outcomes["verify"] = "ok"
        finally:
            first_holds_the_lock.set()
            connection.close()

    def return_meanwhile():
        first_holds_the_lock.wait()
        try:
            # A thread does not inherit the test's language.
            with translation.override("en"):
                return_request(service_request=service_request, missing="KK", actor=secretary)
            outcomes["return"] = "ok"
        except ValidationError as error:
            outcomes["return"] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=verify_and_hold), threading.Thread(target=return_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {
        "verify": "ok",
        "return": 'The request is "documents verified"; it cannot move to "returned to the '
        'applicant".',
    }
    service_request.refresh_from_db()
    assert service_request.status == "verified"
    assert list(service_request.events.values_list("to_status", flat=True)) == ["verified"]
