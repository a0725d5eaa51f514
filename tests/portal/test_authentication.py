"""The signed-in user and their roles come from the cache (portal.authentication), and every
change to them counts from the very next request: sessions and API tokens alike."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    AssignmentFactory,
    ServiceRequestFactory,
    UserFactory,
    VolunteerFactory,
    grant,
)
from villages.models import Role, RoleAssignment

REQUESTS = "/api/service-requests/"
VILLAGES = "/api/villages/"


@pytest.fixture(autouse=True)
def read_cache_on(settings):
    settings.API_READ_CACHE = True


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def with_token(user) -> tuple[APIClient, Token]:
    token = Token.objects.create(user=user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en"), token


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("sign_in", ["session", "token"])
def test_a_repeated_request_reads_neither_user_nor_roles(regions, official, sign_in):
    ServiceRequestFactory(village=regions.village_a)
    client = signed_in(official) if sign_in == "session" else with_token(official)[0]

    assert query_count(client, REQUESTS) >= 3  # user (or token), roles, the list
    assert query_count(client, REQUESTS) == 0


def test_a_changed_password_signs_other_sessions_out_at_once(regions, official):
    client = signed_in(official)
    dashboard = reverse("dashboard:home")
    assert client.get(dashboard).status_code == 200

    official.set_password("sandi-baru-yang-panjang")
    official.save()

    response = client.get(dashboard)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_user_is_refused_at_once(regions, official):
    session = signed_in(official)
    api, _token = with_token(official)
    assert session.get(reverse("dashboard:home")).status_code == 200
    assert api.get(REQUESTS).status_code == 200

    official.is_active = False
    official.save()

    assert session.get(reverse("dashboard:home")).status_code == 302
    assert api.get(REQUESTS).status_code == 401


def test_a_revoked_token_is_refused_at_once(regions, official):
    api, token = with_token(official)
    assert api.get(REQUESTS).status_code == 200

    token.delete()

    response = api.get(REQUESTS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    indonesian = api.get(REQUESTS, HTTP_ACCEPT_LANGUAGE="id").json()["detail"]
    assert indonesian == "Token tidak sah."


def test_a_lost_role_closes_the_dashboard_at_once(regions, official):
    client = signed_in(official)
    assert client.get(reverse("dashboard:home")).status_code == 200

    RoleAssignment.objects.filter(user=official).delete()

    assert client.get(reverse("dashboard:home")).status_code == 403


def test_a_new_mentoring_assignment_counts_at_once(regions, volunteer, mentoring):
    api, _token = with_token(volunteer)
    before = {row["code"] for row in api.get(VILLAGES).json()["results"]}
    assert regions.village_b.code not in before

    AssignmentFactory(
        volunteer=mentoring.volunteer, village=regions.village_b, programme=mentoring.programme
    )

    after = {row["code"] for row in api.get(VILLAGES).json()["results"]}
    assert after == before | {regions.village_b.code}


def test_an_assignment_that_starts_tomorrow_counts_from_tomorrow(regions, monkeypatch):
    user = UserFactory(username="relawan-baru")
    grant(user, Role.VOLUNTEER)
    today = timezone.localdate()
    AssignmentFactory(
        volunteer=VolunteerFactory(user=user, district=regions.district),
        village=regions.village_a,
        starts_on=today + datetime.timedelta(days=1),
    )
    api, _token = with_token(user)
    assert api.get(VILLAGES).json()["count"] == 0

    # Nothing is written overnight: the stored user is simply of another day.
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))

    assert [row["code"] for row in api.get(VILLAGES).json()["results"]] == [regions.village_a.code]


def test_the_cache_never_holds_a_usable_token(regions, official):
    api, token = with_token(official)
    assert api.get(REQUESTS).status_code == 200

    redis = get_redis_connection("default")
    database = connection.settings_dict["NAME"].encode()
    stored = [key for key in redis.scan_iter(count=1000) if database in key]
    assert any(b":token:" in key for key in stored)
    for key in stored:
        assert token.key.encode() not in key
        assert token.key.encode() not in (redis.get(key) or b"")


def test_a_token_works_with_the_cache_down(regions, official, cache_down):
    api, _token = with_token(official)
    cache_down()

    assert api.get(REQUESTS).status_code == 200
    assert api.get(REQUESTS, HTTP_AUTHORIZATION="Token wrong").status_code == 401
