"""Letter numbers through the workflow itself: twenty clerks' "ready" at the same moment."""

import threading

import pytest
from django.db import connection

from services.actions.requests import mark_ready
from services.models import Letter, LetterCounter, ServiceRequest
from tests.factories import ServiceRequestFactory, ServiceTypeFactory


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_made_ready_at_once_get_numbers_1_to_20_without_gaps(regions, secretary):
    domisili = ServiceTypeFactory(code="domisili", letter_code="470")
    requests = [
        ServiceRequestFactory(village=regions.village_a, service_type=domisili, status="in_process")
        for _ in range(20)
    ]
    start = threading.Barrier(len(requests))
    failures = []

    def make_ready(service_request):
        try:
            start.wait()
            mark_ready(service_request=service_request, actor=secretary)
        except Exception as error:  # any failure is the test's finding
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=make_ready, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert sorted(Letter.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    numbers = set(Letter.objects.values_list("number", flat=True))
    assert len(numbers) == 20
    assert all(number.startswith("470/") and "/35.05.01.2001/" in number for number in numbers)
    assert (
        LetterCounter.objects.get(village=regions.village_a, service_type=domisili).last_number
        == 20
    )
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {"ready"}
