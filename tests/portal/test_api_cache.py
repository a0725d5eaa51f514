"""Cached API reads (portal.lib.api_cache): a repeated read is answered from the cache, and no
write — through an action, the ORM, a bulk import or a role change — leaves an answer stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from portal.lib import api_cache
from services.actions.requests import verify_request
from tests.factories import ServiceRequestFactory, VillageProfileFactory, VisitFactory
from villages.models import RoleAssignment

REQUESTS = "/api/service-requests/"


@pytest.fixture(autouse=True)
def read_cache_on(settings):
    settings.API_READ_CACHE = True


@pytest.fixture
def api_as(request):
    """A client signed in with a session, so that every request loads its user (and roles) anew,
    as in production."""

    def log_in(persona):
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.force_login(request.getfixturevalue(persona))
        return api

    return log_in


def queries(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200
    return response.json(), len(captured)


def names(data):
    return sorted(row["applicant_name"] for row in data["results"])


def test_a_repeated_read_is_answered_from_the_cache(api_as, regions, official):
    ServiceRequestFactory(village=regions.village_a, applicant_name="Warga Satu")
    api = api_as("official")

    first, first_queries = queries(api, REQUESTS)
    again, again_queries = queries(api, REQUESTS)

    assert again == first
    assert first_queries >= 4  # user, roles, count, page, villages, services
    assert again_queries == 0  # the user and roles come from the cache too


def test_a_write_through_an_action_shows_in_the_next_read(api_as, regions, official, secretary):
    service_request = ServiceRequestFactory(village=regions.village_a)
    api = api_as("official")
    url = f"{REQUESTS}{service_request.pk}/"
    assert api.get(url).json()["status"] == "submitted"

    verify_request(service_request=service_request, actor=secretary)

    assert api.get(url).json()["status"] == "verified"


def test_a_plain_save_and_a_delete_show_in_the_next_read(api_as, regions, official):
    first = ServiceRequestFactory(village=regions.village_a, applicant_name="Warga Satu")
    api = api_as("official")
    assert names(api.get(REQUESTS).json()) == ["Warga Satu"]

    ServiceRequestFactory(village=regions.village_a2, applicant_name="Warga Dua")
    assert names(api.get(REQUESTS).json()) == ["Warga Dua", "Warga Satu"]

    regions.village_a.name = "Jaten Baru"
    regions.village_a.save()
    rows = api.get(REQUESTS).json()["results"]
    assert {row["village_name"] for row in rows} == {"Jaten Baru", regions.village_a2.name}

    first.delete()
    assert names(api.get(REQUESTS).json()) == ["Warga Dua"]


def test_a_lost_role_is_not_answered_from_the_cache(api_as, regions, official):
    ServiceRequestFactory(village=regions.village_a)
    api = api_as("official")
    assert api.get(REQUESTS).json()["count"] == 1

    RoleAssignment.objects.filter(user=official).delete()

    assert api.get(REQUESTS).json()["count"] == 0


def test_users_never_get_each_others_answers(api_as, regions, official, secretary):
    ServiceRequestFactory(village=regions.village_a, applicant_name="Warga Jaten")
    ServiceRequestFactory(village=regions.village_b, applicant_name="Warga Udanawu")

    assert names(api_as("official").get(REQUESTS).json()) == ["Warga Jaten", "Warga Udanawu"]
    assert names(api_as("secretary").get(REQUESTS).json()) == ["Warga Jaten"]


def test_each_query_string_and_language_has_its_own_answer(api_as, regions, official):
    ServiceRequestFactory(
        village=regions.village_a, applicant_name="Warga Satu", status="submitted"
    )
    api = api_as("official")

    assert api.get(REQUESTS).json()["count"] == 1
    assert api.get(f"{REQUESTS}?status=completed").json()["count"] == 0
    english = api.get("/api/visits/?status=x").json()
    indonesian = api.get("/api/visits/?status=x", HTTP_ACCEPT_LANGUAGE="id").json()
    assert english != indonesian  # the validation message, in each language


def test_a_bulk_import_moves_the_version_on(regions, tmp_path):
    from villages.actions import import_regions

    rows = {
        "provinces.csv": "code,name\n35,JAWA TIMUR\n",
        "regencies.csv": "code,province_code,name\n35.05,35,KABUPATEN BLITAR\n",
        "districts.csv": "code,regency_code,name\n35.05.01,35.05,Wonodadi\n",
        "villages.csv": "code,district_code,name\n35.05.01.2001,35.05.01,Jaten Lama\n",
    }
    for name, text in rows.items():
        (tmp_path / name).write_text(text)
    before = api_cache.current_version("villages")

    import_regions(directory=tmp_path)

    assert api_cache.current_version("villages") > before


def test_a_commit_moves_the_version_on_again(db, django_capture_on_commit_callbacks):
    before = api_cache.current_version("services")
    with django_capture_on_commit_callbacks(execute=True):
        ServiceRequestFactory()
        after_write = api_cache.current_version("services")
    assert before < after_write < api_cache.current_version("services")


def test_a_transaction_of_many_writes_moves_the_version_on_once_at_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ServiceRequestFactory()
        ServiceRequestFactory()

    labels = [
        label
        for callback in callbacks
        if getattr(callback, "func", None) is api_cache._increment
        for label in callback.args[0]
    ]
    assert "services" in labels
    assert sorted(labels) == sorted(set(labels))  # each app's version once


def test_visit_and_village_lists_follow_writes_too(api_as, regions, official):
    api = api_as("official")
    visit = VisitFactory(village=regions.village_a, status="submitted", summary="Kunjungan awal")
    assert [row["summary"] for row in api.get("/api/visits/").json()["results"]] == [
        "Kunjungan awal"
    ]
    visit.summary = "Kunjungan diperbaiki"
    visit.save()
    assert [row["summary"] for row in api.get("/api/visits/").json()["results"]] == [
        "Kunjungan diperbaiki"
    ]

    url = f"/api/villages/?district={regions.district.code}"
    before = {row["code"]: row for row in api.get(url).json()["results"]}
    VillageProfileFactory(village=regions.village_a, connectivity="fiber")
    after = {row["code"]: row for row in api.get(url).json()["results"]}
    assert after[regions.village_a.code] != before[regions.village_a.code]


def test_without_a_shared_cache_nothing_is_cached(api_as, regions, official, settings):
    settings.API_READ_CACHE = False
    ServiceRequestFactory(village=regions.village_a)
    api = api_as("official")

    _data, first = queries(api, REQUESTS)
    _data, again = queries(api, REQUESTS)

    assert again == first


def test_a_cache_that_is_down_fails_neither_a_write_nor_a_read(regions, official, cache_down):
    service_request = ServiceRequestFactory(village=regions.village_a, applicant_name="Warga Satu")
    cache_down()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(official)  # no session: sessions live in the cache too

    service_request.applicant_name = "Warga Baru"
    service_request.save()  # moves the data version on: it must not fail

    response = api.get(REQUESTS)
    assert response.status_code == 200
    assert names(response.json()) == ["Warga Baru"]


def test_a_write_leaves_the_answers_of_unrelated_apps_cached(api_as, regions, official):
    """A service request saved (the services app) leaves visit and village answers, and the
    signed-in user, in the cache; the request list is computed afresh."""
    service_request = ServiceRequestFactory(village=regions.village_a, applicant_name="Warga Satu")
    VisitFactory(village=regions.village_a, status="submitted")
    api = api_as("official")
    urls = [REQUESTS, "/api/visits/", f"/api/villages/?district={regions.district.code}"]
    for url in urls:
        api.get(url)

    service_request.applicant_name = "Warga Baru"
    service_request.save()

    data, count = queries(api, REQUESTS)
    assert names(data) == ["Warga Baru"]
    assert count >= 2
    assert [queries(api, url)[1] for url in urls[1:]] == [0, 0]
