"""Public tracking: a citizen with the receipt's code sees the status, the due date and the
timeline, never personal data; lookups are throttled per address, page and API together."""

import datetime
import secrets

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.models import RequestEvent, RequestStatus
from services.throttle import cache_key
from tests.factories import ServiceRequestFactory, UserFactory

CODE = "K7QM2XD9P3HT"
NIK = "3505010101900001"
PHONE = "+6281234567890"
# Everything personal the request holds, none of which may reach the public.
PERSONAL = [
    NIK,
    "0101900001",
    PHONE,
    "81234567890",
    "Budi Santoso",
    "Santoso",
    "Krajan",
    "Jalan Mawar 17",
    "RT 017",
    "RW 023",
    "kurang fotokopi KK",
    "Sekretaris Jaten",
]


def jakarta(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def add_event(service_request, from_status, to_status, at, actor=None, note=""):
    event = RequestEvent.objects.create(
        service_request=service_request,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    RequestEvent.objects.filter(pk=event.pk).update(created_at=at)
    return event


@pytest.fixture
def tracked(regions):
    """Budi Santoso's domisili request at Jaten, filed 20 Nov 2026 and returned on the 23rd for
    a missing document; a second request of the same village is rejected."""
    clerk = UserFactory(username="sekdes", first_name="Sekretaris", last_name="Jaten")
    service_request = ServiceRequestFactory(
        village=regions.village_a,
        tracking_code=CODE,
        applicant_name="Budi Santoso",
        nik=NIK,
        applicant_phone=PHONE,
        dusun="Krajan",
        rt="017",
        rw="023",
        address="Jalan Mawar 17, RT 017 RW 023",
        status=RequestStatus.RETURNED,
        submitted_at=jakarta(2026, 11, 20, 9, 0),
        due_on=datetime.date(2026, 11, 24),
        applicant_note="kurang fotokopi KK",
    )
    add_event(service_request, "", "submitted", jakarta(2026, 11, 20, 9, 0), clerk, "Diterima")
    # A document added: no status change, not a public step.
    add_event(service_request, "submitted", "submitted", jakarta(2026, 11, 21, 8, 0), clerk)
    add_event(
        service_request,
        "submitted",
        "returned",
        jakarta(2026, 11, 23, 10, 0),
        clerk,
        "kurang fotokopi KK",
    )
    other = ServiceRequestFactory(
        village=regions.village_a,
        tracking_code="ZZZZ99998888",
        applicant_name="Sri Wahyuni",
        status=RequestStatus.REJECTED,
        submitted_at=jakarta(2026, 10, 1, 9, 0),
    )
    add_event(other, "", "submitted", jakarta(2026, 10, 1, 9, 0), clerk)
    add_event(other, "submitted", "rejected", jakarta(2026, 10, 2, 9, 0), clerk, "Bukan warga")
    return service_request


@pytest.fixture
def new_address():
    """Client addresses of this test alone: the shared Redis holds other runs' counts too, so
    only these addresses' keys are deleted, before and after."""
    used = []

    def make() -> str:
        ip = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
        used.append(ip)
        cache.delete(cache_key(ip))
        return ip

    yield make
    for ip in used:
        cache.delete(cache_key(ip))


@pytest.fixture
def public(new_address):
    """An anonymous browser, in English."""
    return Client(REMOTE_ADDR=new_address(), HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def public_api(public):
    """An API client from the same address as `public`."""
    return APIClient(REMOTE_ADDR=public.defaults["REMOTE_ADDR"], HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def tracking_limit(settings):
    def set_limit(rate):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": rate}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_limit


def page(client, code=CODE):
    return client.get(reverse("tracking:detail", args=[code]))


def api(client, code=CODE):
    return client.get(f"/api/track/{code}/")


# What the public sees


def test_the_tracking_page_shows_the_status_due_date_and_timeline_without_a_login(public, tracked):
    response = page(public)

    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        "Surat Keterangan Domisili",
        "Jaten",
        "Budi S.",
        "20 November 2026",
        "24 November 2026",
        "Returned to the applicant",
        "The office needs more documents: please contact the village office.",
    ):
        assert shown in html
    steps = [(step.status, step.on) for step in response.context["tracking"].steps]
    assert steps == [
        ("submitted", datetime.date(2026, 11, 20)),
        ("returned", datetime.date(2026, 11, 23)),
    ]
    assert response["X-Robots-Tag"] == "noindex"


def test_the_tracking_api_gives_the_same_public_fields(public_api, tracked):
    response = api(public_api)

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("code", "service", "village", "applicant")} == {
        "code": CODE,
        "service": "Surat Keterangan Domisili",
        "village": "Jaten",
        "applicant": "Budi S.",
    }
    assert (body["filed_on"], body["due_on"]) == ("2026-11-20", "2026-11-24")
    assert (body["status"], body["needs_documents"]) == ("returned", True)
    assert [(step["status"], step["on"]) for step in body["steps"]] == [
        ("submitted", "2026-11-20"),
        ("returned", "2026-11-23"),
    ]


def test_no_personal_data_reaches_the_page_or_the_api(public, public_api, tracked):
    html = page(public).content.decode()
    payload = api(public_api).content.decode()

    for secret in PERSONAL:
        assert secret not in html, secret
        assert secret not in payload, secret


def test_the_events_of_another_request_are_never_shown(public, public_api, tracked):
    html = page(public).content.decode()
    body = api(public_api).json()

    assert "Rejected" not in html and "2 October 2026" not in html
    assert "rejected" not in {step["status"] for step in body["steps"]}
    assert len(body["steps"]) == 2


def test_a_request_ready_for_pick_up_says_so(public, tracked):
    tracked.status = RequestStatus.READY
    tracked.save(update_fields=["status"])
    html = page(public).content.decode()
    assert "Your request is ready: you can collect it at the village office." in html
    assert "more documents" not in html


# Finding the request


@pytest.mark.parametrize("typed", ["k7qm2xd9p3ht", "K7QM-2XD9-P3HT", "k7qm 2xd9 p3ht"])
def test_the_code_matches_in_any_case_with_dashes_or_spaces(public, public_api, tracked, typed):
    assert page(public, typed).status_code == 200
    assert api(public_api, typed).json()["code"] == CODE


def test_an_unknown_code_is_a_404_with_a_clear_message(public, public_api, tracked):
    response = page(public, "AAAA-BBBB-CCCC")
    api_response = api(public_api, "AAAABBBBCCCC")

    assert response.status_code == 404
    assert "There is no request with the code AAAA-BBBB-CCCC." in response.content.decode()
    assert api_response.status_code == 404
    assert api_response.json() == {"detail": "No request has this tracking code."}
    assert page(public, "not-a-code").status_code == 404


def test_the_lookup_box_leads_to_the_request(public, tracked):
    assert public.get(reverse("tracking:lookup")).status_code == 200

    response = public.post(reverse("tracking:lookup"), {"code": " k7qm-2xd9-p3ht "})

    assert response.status_code == 302
    assert response["Location"] == reverse("tracking:detail", args=[CODE])


def test_a_nik_typed_into_the_lookup_box_is_refused_and_not_put_in_an_address(public, tracked):
    response = public.post(reverse("tracking:lookup"), {"code": NIK})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "A tracking code has twelve letters and digits."
    ]


# Throttling guesses


def test_the_page_is_limited_per_address(public, tracked, tracking_limit, new_address):
    tracking_limit("3/10m")

    answers = [page(public, code).status_code for code in (CODE, "AAAABBBBCCCC", CODE, CODE)]

    assert answers == [200, 404, 200, 429]
    limited = page(public)
    assert "Too many tracking lookups from your connection." in limited.content.decode()
    assert int(limited["Retry-After"]) == 600
    assert page(Client(REMOTE_ADDR=new_address())).status_code == 200


def test_the_page_and_the_api_share_one_limit(public, public_api, tracked, tracking_limit):
    tracking_limit("3/10m")

    assert page(public).status_code == 200
    assert api(public_api).status_code == 200
    assert page(public).status_code == 200
    limited = api(public_api)

    assert limited.status_code == 429
    assert limited.json()["detail"].startswith("Too many tracking lookups from your connection.")
    assert page(public).status_code == 429


# Query budget


@pytest.mark.parametrize("events", [1, 50])
def test_the_tracking_page_and_api_cost_the_same_queries_for_1_and_50_events(
    public, public_api, regions, django_assert_max_num_queries, events
):
    service_request = ServiceRequestFactory(village=regions.village_a, tracking_code=CODE)
    statuses = ["submitted", "verified", "in_process", "forwarded"]
    for number in range(events):
        add_event(
            service_request,
            statuses[number % 4 - 1] if number else "",
            statuses[number % 4],
            jakarta(2026, 11, 2, 8, 0) + datetime.timedelta(hours=number),
        )
    # Two reads (request, events); the throttle counts in Redis, not in the database.
    with django_assert_max_num_queries(2):
        response = page(public)
    assert len(response.context["tracking"].steps) == events
    with django_assert_max_num_queries(2):
        assert len(api(public_api).json()["steps"]) == events


def test_the_openapi_schema_lists_the_public_tracking_endpoint():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operation = response.json()["paths"]["/api/track/{code}/"]["get"]
    assert operation["operationId"] == "track_request"
    assert set(operation["responses"]) == {"200", "404", "429"}
