"""The village list, its CSV export and `/api/villages/`: scoped, filtered alike, fixed cost."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import (
    EnrolmentFactory,
    IdmScoreFactory,
    ProgrammeFactory,
    VillageFactory,
    VillageProfileFactory,
)
from villages.models import Programme, Village

LIST_URL = reverse("villages:village-list")
CSV_URL = reverse("villages:village-csv")
A, A2, B, FAR = "35.05.01.2001", "35.05.01.1001", "35.05.02.2001", "35.06.01.2001"

VISIBLE = {
    "official": {A, A2, B},
    "officer": {A, A2},
    "secretary": {A},
    "volunteer": set(),
    "outsider": {B},
    "admin_user": {A, A2, B, FAR},
}


@pytest.fixture
def api(request):
    client = APIClient()

    def log_in(persona):
        client.force_authenticate(request.getfixturevalue(persona))
        return client

    return log_in


def page_codes(response):
    assert response.status_code == 200
    return {village.code for village in response.context["villages"]}


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def api_codes(response):
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.fixture
def landscape(regions):
    """Programmes, enrolments, IDM scores and connectivity spread over the villages."""
    pandu = ProgrammeFactory(slug="pandu-digital", name="Pandu Digital", regency=regions.regency)
    smart = ProgrammeFactory(slug="desa-pintar", name="Desa Pintar", regency=regions.regency)
    EnrolmentFactory(programme=pandu, village=regions.village_a, status="active")
    EnrolmentFactory(programme=smart, village=regions.village_a, status="withdrawn")
    EnrolmentFactory(programme=pandu, village=regions.village_b, status="withdrawn")
    EnrolmentFactory(programme=smart, village=regions.village_a2, status="active")
    # Village A was Tertinggal in 2023 and is Mandiri now; its latest year decides.
    IdmScoreFactory(village=regions.village_a, year=2023, score="0.5500")
    IdmScoreFactory(village=regions.village_a, year=2024, score="0.8200")
    IdmScoreFactory(village=regions.village_b, year=2024, score="0.5500")
    IdmScoreFactory(village=regions.far_village, year=2024, score="0.8200")
    VillageProfileFactory(village=regions.village_a, connectivity="fibre", population=4100)
    VillageProfileFactory(village=regions.village_b, connectivity="3g", population=2500)
    return regions


# Scoping


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_village_list_shows_only_the_users_villages(as_persona, regions, persona):
    assert page_codes(as_persona(persona).get(LIST_URL)) == VISIBLE[persona]


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_csv_export_holds_only_the_users_villages(as_persona, regions, persona):
    rows = csv_rows(as_persona(persona).get(CSV_URL))
    assert {row["code"] for row in rows} == VISIBLE[persona]


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_village_api_lists_only_the_users_villages(api, regions, persona):
    assert api_codes(api(persona).get("/api/villages/")) == VISIBLE[persona]


def test_anonymous_visitors_are_sent_to_log_in_from_the_list_and_the_export(client, regions):
    for url in (LIST_URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_filters_cannot_reach_villages_outside_the_users_area(as_persona, api, landscape):
    filters = {"district": "35.05.02", "q": "Bakung"}
    assert page_codes(as_persona("secretary").get(LIST_URL, filters)) == set()
    assert csv_rows(as_persona("secretary").get(CSV_URL, filters)) == []
    assert api_codes(api("secretary").get("/api/villages/", filters)) == set()


def test_a_programme_of_another_regency_is_not_a_valid_filter(as_persona, api, regions):
    ProgrammeFactory(slug="kediri-cerdas", regency=regions.other_regency)
    response = as_persona("official").get(LIST_URL, {"programme": "kediri-cerdas"})
    assert page_codes(response) == set()
    assert "programme" in response.context["filter"].form.errors
    assert api("official").get("/api/villages/", {"programme": "kediri-cerdas"}).status_code == 400
    assert as_persona("official").get(CSV_URL, {"programme": "kediri-cerdas"}).status_code == 400


# Filters: the same on the page, the export and the API

FILTER_CASES = [
    ({"district": "35.05.01"}, {A, A2}),
    ({"kind": "kelurahan"}, {A2}),
    ({"programme": "pandu-digital"}, {A, B}),
    ({"enrolment_status": "withdrawn"}, {A, B}),
    ({"programme": "pandu-digital", "enrolment_status": "active"}, {A}),
    ({"programme": "desa-pintar", "enrolment_status": "active"}, {A2}),
    ({"idm_status": "mandiri"}, {A, FAR}),
    ({"idm_status": "tertinggal"}, {B}),
    ({"connectivity": "fibre"}, {A}),
    ({"q": "bak"}, {B}),
    ({"q": "35.05.01"}, {A, A2}),
    ({"q": "35.06"}, {FAR}),
    ({"regency": "35.06"}, {FAR}),
    ({"district": "35.05.01", "idm_status": "mandiri", "kind": "desa"}, {A}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
def test_the_list_page_filters_narrow_the_villages(as_persona, landscape, filters, expected):
    assert page_codes(as_persona("admin_user").get(LIST_URL, filters)) == expected


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
def test_the_csv_export_applies_the_same_filters(as_persona, landscape, filters, expected):
    rows = csv_rows(as_persona("admin_user").get(CSV_URL, filters))
    assert {row["code"] for row in rows} == expected


@pytest.mark.parametrize(("filters", "expected"), FILTER_CASES)
def test_the_village_api_applies_the_same_filters(api, landscape, filters, expected):
    assert api_codes(api("admin_user").get("/api/villages/", filters)) == expected


def test_the_idm_status_filter_follows_the_bands(as_persona, landscape):
    from villages.models import IdmStatus

    IdmStatus.objects.filter(code="maju").update(max_score="0.8300")
    response = as_persona("admin_user").get(LIST_URL, {"idm_status": "maju"})
    assert page_codes(response) == {A, FAR}


@pytest.mark.parametrize(
    "filters", [{"kind": "kota"}, {"idm_status": "hebat"}, {"connectivity": "5g"}]
)
def test_an_unknown_filter_value_is_a_clear_error(as_persona, api, regions, filters):
    response = as_persona("admin_user").get(LIST_URL, filters)
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert "field-invalid" in response.content.decode()
    assert api("admin_user").get("/api/villages/", filters).status_code == 400


# What the page, the export and the API show


def test_the_list_page_shows_links_kecamatan_connectivity_and_latest_idm_status(
    as_persona, landscape
):
    html = as_persona("official").get(LIST_URL).content.decode()
    detail = reverse("villages:village-detail", args=[A])
    assert f'<a href="{detail}">Jaten</a>' in html
    assert "Wonodadi" in html
    assert "serat optik" in html
    assert "Mandiri" in html
    assert "Unduh CSV" in html


def test_the_download_link_carries_the_current_filters(as_persona, landscape):
    html = as_persona("official").get(LIST_URL, {"kind": "desa", "page": "1"}).content.decode()
    assert f'href="{CSV_URL}?kind=desa"' in html


def test_the_csv_export_has_the_agreed_columns_and_values(as_persona, landscape):
    response = as_persona("official").get(CSV_URL, {"q": "Jaten"})
    assert response["Content-Disposition"] == 'attachment; filename="desa.csv"'
    (row,) = csv_rows(response)
    assert row == {
        "code": A,
        "name": "Jaten",
        "kind": "desa",
        "kecamatan": "Wonodadi",
        "kabupaten": "KABUPATEN BLITAR",
        "population": "4100",
        "connectivity": "serat optik",
        "idm_year": "2024",
        "idm_score": "0.8200",
        "idm_status": "Mandiri",
        "programmes": "Desa Pintar, Pandu Digital",
    }


def test_a_village_without_profile_or_scores_exports_blank_cells(as_persona, regions):
    (row,) = csv_rows(as_persona("official").get(CSV_URL, {"kind": "kelurahan"}))
    assert row["code"] == A2
    assert [row[c] for c in ("population", "connectivity", "idm_year", "programmes")] == [""] * 4


def test_the_village_api_list_carries_connectivity_and_the_latest_idm(api, landscape):
    rows = api("official").get("/api/villages/", {"q": "Jaten"}).json()["results"]
    assert rows == [
        {
            "code": A,
            "name": "Jaten",
            "kind": "desa",
            "district": "35.05.01",
            "connectivity": "fibre",
            "latest_idm_year": 2024,
            "latest_idm_score": "0.8200",
            "latest_idm_status": "mandiri",
        }
    ]


def test_the_list_is_paginated_by_50_and_pages_keep_the_filters(as_persona, regions):
    for number in range(55):
        VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
    client = as_persona("official")
    first = client.get(LIST_URL, {"district": "35.05.01"})
    assert len(first.context["villages"]) == 50
    assert 'href="?district=35.05.01&amp;page=2"' in first.content.decode()
    second = client.get(LIST_URL, {"district": "35.05.01", "page": 2})
    assert len(second.context["villages"]) == 57 - 50


# Query budgets: the same for one village and for fifty more


@pytest.fixture(params=[0, 50], ids=["few-rows", "many-rows"])
def many_villages(request, landscape):
    programme = Programme.objects.get(slug="pandu-digital")
    for number in range(request.param):
        village = VillageFactory(code=f"35.05.01.{2100 + number}", district=landscape.district)
        VillageProfileFactory(village=village)
        IdmScoreFactory(village=village, year=2024, score="0.7")
        EnrolmentFactory(programme=programme, village=village)
    return Village.objects.count()


def test_the_village_list_query_budget(as_persona, many_villages, django_assert_max_num_queries):
    client = as_persona("official")
    # session, user, scope, count, page, programme options, IDM status options, navigation roles
    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)
    assert len(response.context["villages"]) == min(many_villages - 1, 50)


def test_the_filtered_village_list_query_budget(
    as_persona, many_villages, django_assert_max_num_queries
):
    client = as_persona("official")
    filters = {"programme": "pandu-digital", "idm_status": "berkembang", "connectivity": "4g"}
    # ...and the programme and IDM status the filters name
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL, filters)
    assert len(response.context["villages"]) == min(many_villages - 4, 50)


def test_the_csv_export_query_budget(as_persona, many_villages, django_assert_max_num_queries):
    client = as_persona("official")
    # session, user, scope, rows (one server-side cursor)
    with django_assert_max_num_queries(4):
        rows = csv_rows(client.get(CSV_URL))
    assert len(rows) == many_villages - 1


def test_the_village_api_query_budget(api, many_villages, django_assert_max_num_queries):
    client = api("official")
    # scope, count, page
    with django_assert_max_num_queries(3):
        response = client.get("/api/villages/")
    assert len(response.json()["results"]) == min(many_villages - 1, 50)
