"""A request filed while Redis is down: saved, its message owed, and sent once Redis is back."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from portal.celery import app as celery_app
from portal.notifications.actions import requeue_stale_sends
from portal.notifications.models import Notification
from services.models import ServiceRequest
from tests.factories import ServiceTypeFactory

FILING = {
    "applicant_name": "Siti Aminah",
    "nik": "3505014101900001",
    "applicant_sex": "female",
    "applicant_phone": "0812 3456 7890",
    "dusun": "Krajan",
    "rt": "1",
    "rw": "2",
    "address": "Jl. Mawar 3",
    "purpose": "Melamar pekerjaan",
}


def wait_for(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_request_filed_while_the_broker_is_down_is_saved_and_its_message_sent_when_back(
    regions, secretary, client, settings, tmp_path, gateway, broker_down, caplog
):
    settings.MEDIA_ROOT = tmp_path
    domisili = ServiceTypeFactory(code="domisili")
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"), {"service_type": domisili.pk, **FILING}
    )

    # Filed as if nothing were wrong: the receipt, the request, and the message owed.
    service_request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("services:request-receipt", args=[service_request.pk])
    message = Notification.objects.get(subject_id=str(service_request.pk))
    assert (message.channel, message.address, message.recipient) == (
        "whatsapp",
        "+6281234567890",
        None,
    )
    assert message.state == "pending"
    assert "left for the requeue sweep" in caplog.text
    assert gateway.requests == []

    # Redis is back: beat's requeue sweep publishes the send, a real worker takes it from Redis.
    broker_down.up()
    with start_worker(
        celery_app, queues=[broker_down.queue], perform_ping_check=False, shutdown_timeout=10
    ):
        assert requeue_stale_sends(older_than=datetime.timedelta(0)) == [message.pk]
        assert wait_for(lambda: Notification.objects.get(pk=message.pk).state == "sent")

    [sent] = gateway.requests
    assert sent.json["target"] == "+6281234567890"
    assert service_request.tracking_code in sent.json["message"]
    assert "3505014101900001" not in sent.json["message"]
    # The sweep again, later: nothing is sent twice.
    assert requeue_stale_sends(older_than=datetime.timedelta(0)) == []
