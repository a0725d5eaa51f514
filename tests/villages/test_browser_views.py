"""The region browser shows each persona its own areas (and the way up to them), 404 elsewhere."""

import re

import pytest
from django.urls import reverse

from tests.factories import DistrictFactory, RegencyFactory, VillageFactory, grant
from villages.models import District, Regency, Role, Village

PERSONAS = ["official", "officer", "secretary", "volunteer", "outsider", "admin_user"]
REGIONS = [
    "regency",
    "other_regency",
    "district",
    "other_district",
    "far_district",
    "village_a",
    "village_a2",
    "village_b",
    "far_village",
]
# What each persona may open, by the attribute names of the `regions` fixture.
VISIBLE = {
    "official": {"regency", "district", "other_district", "village_a", "village_a2", "village_b"},
    "officer": {"regency", "district", "village_a", "village_a2"},
    "secretary": {"regency", "district", "village_a"},
    "volunteer": set(),
    "outsider": {"regency", "other_district", "village_b"},
    "admin_user": set(REGIONS),
}


def detail_url(region) -> str:
    name = {Regency: "regency-detail", District: "district-detail", Village: "village-detail"}
    return reverse(f"villages:{name[type(region)]}", args=[region.code])


# Scoping


@pytest.mark.parametrize("region_name", REGIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_region_page_opens_inside_the_users_area_and_is_404_outside(
    as_persona, regions, persona, region_name
):
    client = as_persona(persona)
    region = getattr(regions, region_name)
    response = client.get(detail_url(region))
    expected = 200 if region_name in VISIBLE[persona] else 404
    assert response.status_code == expected
    assert (region.name in response.content.decode()) == (expected == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"35.05": 2}),
        ("officer", {"35.05": 1}),
        ("secretary", {"35.05": 1}),
        ("volunteer", {}),
        ("outsider", {"35.05": 1}),
        ("admin_user", {"35.05": 2, "35.06": 1}),
    ],
)
def test_the_regency_list_shows_the_users_regencies_with_their_visible_district_count(
    as_persona, regions, persona, expected
):
    response = as_persona(persona).get(reverse("villages:regency-list"))
    assert response.status_code == 200
    regencies = response.context["regencies"]
    assert {regency.code: regency.district_count for regency in regencies} == expected
    html = response.content.decode()
    assert ("KABUPATEN BLITAR" in html) == ("35.05" in expected)
    assert ("KABUPATEN KEDIRI" in html) == ("35.06" in expected)


def test_a_volunteer_is_told_their_role_covers_no_region(as_persona, regions):
    html = as_persona("volunteer").get(reverse("villages:regency-list")).content.decode()
    assert "Peran Anda tidak mencakup wilayah apa pun" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"35.05.01": 2, "35.05.02": 1}),
        ("officer", {"35.05.01": 2}),
        ("secretary", {"35.05.01": 1}),
        ("outsider", {"35.05.02": 1}),
        ("admin_user", {"35.05.01": 2, "35.05.02": 1}),
    ],
)
def test_a_regency_page_lists_the_visible_districts_with_their_visible_village_count(
    as_persona, regions, persona, expected
):
    response = as_persona(persona).get(detail_url(regions.regency))
    districts = response.context["districts"]
    assert {district.code: district.village_count for district in districts} == expected
    html = response.content.decode()
    assert ("Wonodadi" in html) == ("35.05.01" in expected)
    assert ("Udanawu" in html) == ("35.05.02" in expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"35.05.01.2001", "35.05.01.1001"}),
        ("officer", {"35.05.01.2001", "35.05.01.1001"}),
        ("secretary", {"35.05.01.2001"}),
        ("admin_user", {"35.05.01.2001", "35.05.01.1001"}),
    ],
)
def test_a_district_page_lists_only_the_visible_villages(as_persona, regions, persona, expected):
    response = as_persona(persona).get(detail_url(regions.district))
    assert {village.code for village in response.context["villages"]} == expected
    html = response.content.decode()
    assert ("Kelurahan Dua" in html) == ("35.05.01.1001" in expected)


@pytest.mark.parametrize("region_name", ["regency", "district", "village_a"])
@pytest.mark.parametrize("view", ["list", "detail"])
def test_anonymous_visitors_are_sent_to_log_in(client, regions, region_name, view):
    url = (
        reverse("villages:regency-list")
        if view == "list"
        else detail_url(getattr(regions, region_name))
    )
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# What the pages show


def test_the_regency_list_shows_code_province_and_links(as_persona, regions):
    html = as_persona("official").get(reverse("villages:regency-list")).content.decode()
    assert '<td class="code">35.05</td>' in html
    assert f'<a href="{detail_url(regions.regency)}">KABUPATEN BLITAR</a>' in html
    assert re.search(r'<span class="sub">.*Provinsi: </span>JAWA TIMUR</span>', html)
    assert "1 kabupaten/kota" in html


@pytest.mark.parametrize(("query", "expected"), [("kedi", {"35.06"}), ("35.05", {"35.05"})])
def test_the_regency_list_searches_by_name_or_code(as_persona, regions, query, expected):
    response = as_persona("admin_user").get(reverse("villages:regency-list"), {"q": query})
    assert {regency.code for regency in response.context["regencies"]} == expected


def test_searching_cannot_reach_a_regency_outside_the_users_area(as_persona, regions):
    response = as_persona("official").get(reverse("villages:regency-list"), {"q": "kediri"})
    assert list(response.context["regencies"]) == []
    assert "Tidak ada kabupaten/kota di wilayah Anda yang cocok" in response.content.decode()


def test_the_regency_list_is_paginated_and_keeps_the_search(as_persona, regions):
    for number in range(10, 65):
        RegencyFactory(
            code=f"35.{number}", name=f"KABUPATEN UJI {number}", province=regions.province
        )
    client = as_persona("admin_user")

    first = client.get(reverse("villages:regency-list"), {"q": "uji"})
    assert len(first.context["regencies"]) == 50
    assert "Halaman 1 dari 2" in first.content.decode()
    assert 'href="?q=uji&amp;page=2"' in first.content.decode()

    second = client.get(reverse("villages:regency-list"), {"q": "uji", "page": 2})
    assert len(second.context["regencies"]) == 5


def test_a_district_page_shows_codes_kinds_and_breadcrumbs(as_persona, regions):
    html = as_persona("official").get(detail_url(regions.district)).content.decode()
    assert "<h1>Kecamatan Wonodadi</h1>" in html
    assert f'<li><a href="{detail_url(regions.regency)}">KABUPATEN BLITAR</a></li>' in html
    assert '<td class="code">35.05.01.2001</td>' in html
    assert re.search(r"<td>\s*desa\s*</td>", html)
    assert re.search(r"<td>\s*kelurahan\s*</td>", html)


def test_a_kelurahan_page_names_its_kind(as_persona, regions):
    html = as_persona("official").get(detail_url(regions.village_a2)).content.decode()
    assert re.search(r"<dd>\s*kelurahan\s*</dd>", html)


def test_a_village_page_shows_its_code_kind_kecamatan_kabupaten_and_province(as_persona, regions):
    html = as_persona("secretary").get(detail_url(regions.village_a)).content.decode()
    assert '<dd class="code">35.05.01.2001</dd>' in html
    assert re.search(r"<dd>\s*desa\s*</dd>", html)
    assert f'<a href="{detail_url(regions.district)}">Wonodadi</a>' in html
    assert f'<a href="{detail_url(regions.regency)}">KABUPATEN BLITAR</a>' in html
    assert "JAWA TIMUR" in html
    breadcrumbs = html.split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert breadcrumbs.index("KABUPATEN BLITAR") < breadcrumbs.index("Wonodadi")
    assert breadcrumbs.index("Wonodadi") < breadcrumbs.index("Jaten")


# Query budgets: the same for a handful of rows and for fifty more


@pytest.fixture(params=[0, 50], ids=["few-rows", "many-rows"])
def extra_rows(request, official, regions):
    """`extra` more regencies (the official's), districts of Blitar and villages of Wonodadi."""
    extra = request.param
    for number in range(extra):
        regency = RegencyFactory(code=f"35.{10 + number}", province=regions.province)
        grant(official, Role.DISTRICT_OFFICIAL, regency)
        DistrictFactory(code=f"35.05.{10 + number}", regency=regions.regency)
        VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
    return extra


def test_the_regency_list_query_budget(client, official, extra_rows, django_assert_max_num_queries):
    client.force_login(official)
    # session, user, scope, count, page, navigation roles
    with django_assert_max_num_queries(6):
        response = client.get(reverse("villages:regency-list"))
    assert len(response.context["regencies"]) == min(1 + extra_rows, 50)


def test_the_regency_page_query_budget(
    client, official, regions, extra_rows, django_assert_max_num_queries
):
    client.force_login(official)
    # session, user, scope, regency, districts, navigation roles
    with django_assert_max_num_queries(6):
        response = client.get(detail_url(regions.regency))
    assert len(response.context["districts"]) == 2 + extra_rows


def test_the_district_page_query_budget(
    client, official, regions, extra_rows, django_assert_max_num_queries
):
    client.force_login(official)
    # session, user, scope, district, villages, navigation roles
    with django_assert_max_num_queries(6):
        response = client.get(detail_url(regions.district))
    assert len(response.context["villages"]) == 2 + extra_rows


def test_the_village_page_query_budget(
    client, official, regions, extra_rows, django_assert_max_num_queries
):
    client.force_login(official)
    # session, user, scope, village with its areas and profile, navigation roles; editor roles,
    # IDM history, profile changes; map (boundary); programmes and scorecards (enrolments,
    # assessments, roles)
    with django_assert_max_num_queries(12):
        response = client.get(detail_url(regions.village_a))
    assert response.status_code == 200
