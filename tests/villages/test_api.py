"""The read-only region API: scoped per role, filterable by code, with a fixed query budget."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DistrictFactory, VillageFactory


@pytest.fixture
def api():
    return APIClient()


def codes(response):
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_anonymous_requests_are_asked_to_authenticate(api, regions):
    response = api.get("/api/villages/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_user", {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001", "35.06.01.2001"}),
        ("official", {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001"}),
        ("officer", {"35.05.01.2001", "35.05.01.1001"}),
        ("secretary", {"35.05.01.2001"}),
        ("outsider", {"35.05.02.2001"}),
        ("volunteer", set()),
    ],
)
def test_each_role_lists_only_the_villages_of_its_area(api, request, regions, persona, expected):
    api.force_authenticate(request.getfixturevalue(persona))
    assert codes(api.get("/api/villages/")) == expected


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("secretary", "35.05.01.2001", 200),
        ("outsider", "35.05.01.2001", 404),
        ("officer", "35.05.02.2001", 404),
        ("official", "35.06.01.2001", 404),
        ("volunteer", "35.05.01.2001", 404),
        ("admin_user", "35.06.01.2001", 200),
    ],
)
def test_a_village_outside_the_users_area_is_not_found(
    api, request, regions, persona, code, status
):
    api.force_authenticate(request.getfixturevalue(persona))
    response = api.get(f"/api/villages/{code}/")
    assert response.status_code == status
    if status == 200:
        assert response.json() == {
            "code": code,
            "name": response.json()["name"],
            "kind": "desa",
            "district": code[:8],
        }


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("outsider", "/api/districts/35.05.01/", 404),
        ("secretary", "/api/districts/35.05.01/", 200),
        ("officer", "/api/regencies/35.06/", 404),
        ("officer", "/api/regencies/35.05/", 200),
        ("volunteer", "/api/provinces/35/", 404),
        ("secretary", "/api/provinces/35/", 200),
    ],
)
def test_higher_regions_are_visible_only_on_the_way_to_the_users_area(
    api, request, regions, persona, path, status
):
    api.force_authenticate(request.getfixturevalue(persona))
    assert api.get(path).status_code == status


def test_villages_filter_by_district_regency_and_kind(api, admin_user, regions):
    api.force_authenticate(admin_user)
    assert codes(api.get("/api/villages/", {"district": "35.05.01"})) == {
        "35.05.01.2001",
        "35.05.01.1001",
    }
    assert codes(api.get("/api/villages/", {"regency": "35.06"})) == {"35.06.01.2001"}
    assert codes(api.get("/api/villages/", {"regency": "35.05", "kind": "kelurahan"})) == {
        "35.05.01.1001"
    }
    assert codes(api.get("/api/districts/", {"regency": "35.05"})) == {"35.05.01", "35.05.02"}
    assert codes(api.get("/api/regencies/", {"province": "35"})) == {"35.05", "35.06"}


def test_a_filter_cannot_widen_the_scope(api, secretary, regions):
    api.force_authenticate(secretary)
    assert codes(api.get("/api/villages/", {"district": "35.05.02"})) == set()


def test_an_invalid_kind_filter_is_a_clear_400(api, admin_user, regions):
    api.force_authenticate(admin_user)
    response = api.get("/api/villages/", {"kind": "kota"})
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.parametrize("extra", [0, 60])
@pytest.mark.parametrize(
    "path", ["/api/villages/", "/api/districts/", "/api/regencies/", "/api/provinces/"]
)
def test_region_lists_use_the_same_number_of_queries_for_few_and_many_rows(
    api, official, regions, django_assert_max_num_queries, extra, path
):
    for _ in range(extra):
        VillageFactory(district=DistrictFactory(regency=regions.regency))
    api.force_authenticate(official)
    # session-less auth: 1 role lookup, 1 count, 1 page
    with django_assert_max_num_queries(3):
        response = api.get(path)
    assert response.status_code == 200
