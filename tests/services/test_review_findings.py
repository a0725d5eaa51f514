"""Findings of a review of the services app: each test failed before its fix."""

import secrets
import sys

import pytest
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient

from services.actions.letters import issue_letter
from services.models import RequestStatus
from services.throttle import cache_key
from tests.factories import ServiceRequestFactory, ServiceTypeFactory

NIK = "3505010101900001"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# Throttling: the client address must not come from a header the client writes.


@pytest.fixture
def address():
    """A fresh client address whose tracking-lookup key is deleted before and after."""
    ip = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    cache.delete(cache_key(ip))
    yield ip
    cache.delete(cache_key(ip))


@pytest.fixture
def one_lookup(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": "1/10m"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_a_made_up_x_forwarded_for_does_not_escape_the_tracking_limit(db, one_lookup, address):
    spoofed = ("203.0.113.1", "203.0.113.2", "203.0.113.3")
    for ip in spoofed:
        cache.delete(cache_key(ip))
    public = Client(REMOTE_ADDR=address)
    url = reverse("tracking:detail", args=["K7QM2XD9P3HT"])

    assert public.get(url, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 404
    second = public.get(url, HTTP_X_FORWARDED_FOR="203.0.113.2")
    api = APIClient(REMOTE_ADDR=address).get(
        "/api/track/K7QM2XD9P3HT/", HTTP_X_FORWARDED_FOR="203.0.113.3"
    )

    assert second.status_code == 429
    assert api.status_code == 429
    for ip in spoofed:
        assert cache.get(cache_key(ip)) is None


def test_behind_a_configured_proxy_the_address_it_adds_counts(db, settings, one_lookup, address):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    url = reverse("tracking:detail", args=["K7QM2XD9P3HT"])

    assert proxy.get(url, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {address}").status_code == 404
    assert proxy.get(url, HTTP_X_FORWARDED_FOR=f"5.6.7.8, {address}").status_code == 429


def test_a_made_up_x_forwarded_for_does_not_escape_the_letter_check_limit(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "letter-verify": "1/minute",
        },
    }
    ip = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    key = f"throttle_letter-verify_{ip}"
    cache.delete(key)
    try:
        api = APIClient(REMOTE_ADDR=ip)
        url = "/api/letters/verify/7KQ2M9XDP3HT/"
        assert api.get(url, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 404
        assert api.get(url, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429
    finally:
        cache.delete(key)
        for spoofed in ("203.0.113.1", "203.0.113.2"):
            cache.delete(f"throttle_letter-verify_{spoofed}")


# Error reports (500 e-mails, DEBUG pages): no NIK in any frame's variables.


@pytest.fixture
def error_reports():
    """The text of the error report of each unhandled exception of a request."""
    reports = []

    def receiver(sender, request, **kwargs):
        reports.append(ExceptionReporter(request, *sys.exc_info()).get_traceback_html())

    got_request_exception.connect(receiver)
    yield reports
    got_request_exception.disconnect(receiver)


@pytest.fixture
def insert_fails(monkeypatch):
    """The database fails while the request row is inserted (the SQL and its parameters are in
    the failing frame)."""
    execute = CursorWrapper._execute

    def failing(self, sql, params, *ignored_wrapper):
        if sql.startswith('INSERT INTO "services_servicerequest"'):
            raise RuntimeError("the database went away")
        return execute(self, sql, params, *ignored_wrapper)

    monkeypatch.setattr(CursorWrapper, "_execute", failing)


def _filing(service_type, **changes):
    return {
        "service_type": service_type.pk,
        "applicant_name": "Siti Aminah",
        "nik": NIK,
        "applicant_sex": "male",
        "purpose": "Melamar pekerjaan",
        **changes,
    }


def test_a_crash_while_filing_on_the_page_reports_no_nik(
    regions, secretary, error_reports, insert_fails
):
    client = Client(raise_request_exception=False)
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"), _filing(ServiceTypeFactory(code="domisili"))
    )

    assert response.status_code == 500
    assert error_reports
    assert "the database went away" in error_reports[0]
    assert NIK not in error_reports[0]
    assert "0101900001" not in error_reports[0]


def test_a_crash_while_filing_through_the_api_reports_no_nik(
    regions, secretary, error_reports, insert_fails
):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(secretary)

    response = api.post(
        "/api/service-requests/",
        _filing(ServiceTypeFactory(code="domisili"), village=regions.village_a.code),
        format="json",
    )

    assert response.status_code == 500
    assert error_reports
    assert NIK not in error_reports[0]


def test_a_crash_while_showing_the_full_nik_reports_no_nik(
    regions, secretary, error_reports, monkeypatch
):
    service_request = ServiceRequestFactory(village=regions.village_a)

    def broken_render(request, template, context, **kwargs):
        raise RuntimeError("the template is broken")

    monkeypatch.setattr("services.views.requests.render", broken_render)
    client = Client(raise_request_exception=False)
    client.force_login(secretary)

    response = client.post(reverse("services:request-reveal-nik", args=[service_request.pk]))

    assert response.status_code == 500
    assert "the template is broken" in error_reports[0]
    assert NIK not in error_reports[0]


def test_a_crash_while_drawing_the_letter_reports_no_nik(
    regions, secretary, error_reports, monkeypatch
):
    domisili = ServiceTypeFactory(code="domisili")
    service_request = ServiceRequestFactory(
        village=regions.village_a, service_type=domisili, status=RequestStatus.READY
    )
    if not domisili.issues_letter:
        pytest.skip("the factory's type issues no letter")
    issue_letter(
        service_request=service_request, signer_name="S", signer_title="Kepala", actor=secretary
    )

    def broken_text(value):
        if NIK in value:
            raise RuntimeError("the font is missing")
        return value

    monkeypatch.setattr("services.letter_pdf._text", broken_text)
    client = Client(raise_request_exception=False)
    client.force_login(secretary)

    response = client.get(reverse("services:letter-pdf", args=[service_request.pk]))

    assert response.status_code == 500
    assert "the font is missing" in error_reports[0]
    assert NIK not in error_reports[0]


# Pages that re-show what was typed.


def test_a_nik_typed_into_the_tracking_box_is_not_shown_back(db, address):
    public = Client(REMOTE_ADDR=address)

    response = public.post(reverse("tracking:lookup"), {"code": "3505 0101 0190 0001"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert b"3505 0101 0190 0001" not in response.content
    assert b"0101" not in response.content


def test_the_filing_form_with_the_nik_typed_is_never_cached(regions, secretary, client):
    client.force_login(secretary)

    response = client.post(
        reverse("services:request-create"),
        _filing(ServiceTypeFactory(code="domisili"), applicant_name=""),
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
