"""WhatsApp messages to the applicant (no account, the number given at the counter): which events,
once each, in Indonesian, without the NIK or the name."""

import pytest

from portal.notifications.models import Notification
from services.actions.requests import (
    file_request,
    mark_ready,
    reject_request,
    resubmit_request,
    return_request,
    start_processing,
    verify_request,
)
from services.models import ServiceRequest
from tests.factories import ServiceTypeFactory

NIK = "3505014101900002"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def domisili(db):
    return ServiceTypeFactory(code="domisili", issues_letter=False)


def file(secretary, regions, service_type, phone="0812-3456-7890") -> ServiceRequest:
    return file_request(
        village=regions.village_a,
        service_type=service_type,
        applicant_name="Sri Wahyuni",
        nik=NIK,
        applicant_sex="female",
        applicant_phone=phone,
        purpose="Melamar pekerjaan",
        actor=secretary,
    )


def messages(service_request) -> list[Notification]:
    return list(Notification.objects.filter(subject_id=str(service_request.pk)).order_by("pk"))


def test_filing_owes_the_applicant_one_whatsapp_message_with_the_code_in_indonesian(
    regions, secretary, domisili
):
    service_request = file(secretary, regions, domisili)

    [message] = messages(service_request)
    assert message.channel == "whatsapp"
    assert message.recipient is None
    assert message.address == "+6281234567890"
    assert message.state == "pending"
    assert message.title == f"Permohonan {service_request.tracking_code} diterima"
    assert service_request.tracking_code in message.body
    assert f"/lacak/{service_request.tracking_code}/" == message.url
    assert NIK not in message.body and "Sri Wahyuni" not in message.body


def test_without_a_phone_number_nothing_is_owed(regions, secretary, domisili):
    service_request = file(secretary, regions, domisili, phone="")

    assert messages(service_request) == []


def test_each_return_ready_and_rejection_is_told_once_and_a_second_return_again(
    regions, secretary, domisili
):
    service_request = file(secretary, regions, domisili)
    return_request(service_request=service_request, missing="Fotokopi KK", actor=secretary)
    resubmit_request(service_request=service_request, actor=secretary)
    return_request(service_request=service_request, missing="Surat pengantar RT", actor=secretary)
    resubmit_request(service_request=service_request, actor=secretary)
    verify_request(service_request=service_request, actor=secretary)
    start_processing(service_request=service_request, actor=secretary)
    mark_ready(service_request=service_request, actor=secretary)

    kinds = [message.kind for message in messages(service_request)]
    assert kinds == [
        "request.applicant.filed",
        "request.applicant.returned",
        "request.applicant.returned",
        "request.applicant.ready",
    ]
    returned = [m for m in messages(service_request) if m.kind.endswith("returned")]
    assert "Fotokopi KK" in returned[0].body
    assert "Surat pengantar RT" in returned[1].body

    other = file(secretary, regions, domisili)
    reject_request(service_request=other, reason="Bukan warga desa ini", actor=secretary)
    assert [m.kind for m in messages(other)] == [
        "request.applicant.filed",
        "request.applicant.rejected",
    ]
    assert "Bukan warga desa ini" in messages(other)[1].body
