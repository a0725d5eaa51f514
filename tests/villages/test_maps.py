"""Boundary GeoJSON endpoints and map pages: scoped, layered, small, cached, query-bounded."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import VillageFactory
from tests.shared_data import PROJECT_DIR, shared_data_dir
from villages.actions import import_regions
from villages.actions.boundaries import import_boundaries
from villages.models import (
    DistrictBoundary,
    Enrolment,
    IdmScore,
    Programme,
    VillageBoundary,
    VillageProfile,
)
from villages.selectors.maps import coordinate_decimals, simplify_tolerance

PERSONAS = ["official", "officer", "secretary", "volunteer", "outsider", "admin_user"]
ALL_VILLAGES = {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001", "35.06.01.2001"}
VISIBLE_VILLAGES = {
    "admin_user": ALL_VILLAGES,
    "official": {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001"},
    "officer": {"35.05.01.2001", "35.05.01.1001"},
    "secretary": {"35.05.01.2001"},
    "outsider": {"35.05.02.2001"},
    "volunteer": set(),
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def outline(region, x: float, y: float, size: float = 0.01):
    """A square outline for a village or kecamatan, written straight to the table."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    fields = {
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "centroid_lat": y + size / 2,
        "centroid_lng": x + size / 2,
        "inside_lat": y + size / 2,
        "inside_lng": x + size / 2,
        "area_km2": 1.2,
        "source": "test",
    }
    if hasattr(region, "district"):
        return VillageBoundary.objects.create(village=region, **fields)
    return DistrictBoundary.objects.create(district=region, **fields)


@pytest.fixture
def outlines(regions):
    for number, name in enumerate(["village_a", "village_a2", "village_b", "far_village"]):
        outline(getattr(regions, name), 112 + number / 50, -8)
    for number, name in enumerate(["district", "other_district", "far_district"]):
        outline(getattr(regions, name), 112 + number / 10, -8, 0.05)
    return regions


def features(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {feature["properties"]["code"]: feature for feature in body["features"]}


def test_anonymous_requests_are_asked_to_authenticate(api, outlines):
    assert api.get("/api/village-boundaries/").status_code == 401
    assert api.get("/api/village-boundaries/35.05.01.2001/").status_code == 401
    assert api.get("/api/district-boundaries/").status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_only_the_village_outlines_of_its_area(api, request, outlines, persona):
    api.force_authenticate(request.getfixturevalue(persona))

    assert set(features(api.get("/api/village-boundaries/"))) == VISIBLE_VILLAGES[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_village_outline_outside_the_area_is_not_found(api, request, outlines, persona):
    api.force_authenticate(request.getfixturevalue(persona))

    for code in ALL_VILLAGES:
        response = api.get(f"/api/village-boundaries/{code}/")
        expected = 200 if code in VISIBLE_VILLAGES[persona] else 404
        assert response.status_code == expected, code


def test_the_outsider_sees_neither_village_a_nor_its_kecamatan_outline(api, outsider, outlines):
    api.force_authenticate(outsider)

    assert "35.05.01.2001" not in features(api.get("/api/village-boundaries/?regency=35.05"))
    assert api.get("/api/village-boundaries/35.05.01.2001/").status_code == 404
    assert set(features(api.get("/api/district-boundaries/"))) == {"35.05.02"}
    assert api.get("/api/district-boundaries/35.05.01/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"35.05.01", "35.05.02"}),
        ("officer", {"35.05.01"}),
        ("secretary", {"35.05.01"}),
        ("volunteer", set()),
        ("admin_user", {"35.05.01", "35.05.02"}),
    ],
)
def test_the_kecamatan_outlines_of_a_regency_follow_the_scope(
    api, request, outlines, persona, expected
):
    api.force_authenticate(request.getfixturevalue(persona))

    assert set(features(api.get("/api/district-boundaries/?regency=35.05"))) == expected


def test_the_collection_filters_by_regency_and_kecamatan(api, admin_user, outlines):
    api.force_authenticate(admin_user)

    by_regency = features(api.get("/api/village-boundaries/?regency=35.05"))
    by_district = features(api.get("/api/village-boundaries/?district=35.05.01"))

    assert set(by_regency) == VISIBLE_VILLAGES["official"]
    assert set(by_district) == {"35.05.01.2001", "35.05.01.1001"}


def test_a_feature_names_its_village_kecamatan_and_page(api, secretary, outlines):
    api.force_authenticate(secretary)

    feature = features(api.get("/api/village-boundaries/"))["35.05.01.2001"]

    assert feature["geometry"]["type"] == "Polygon"
    assert {
        "code": "35.05.01.2001",
        "name": "Jaten",
        "kind": "desa",
        "district_code": "35.05.01",
        "district_name": "Wonodadi",
        "url": reverse("villages:village-detail", args=["35.05.01.2001"]),
    }.items() <= feature["properties"].items()


def test_the_detail_has_the_full_outline_and_its_points(api, secretary, outlines):
    api.force_authenticate(secretary)

    feature = api.get("/api/village-boundaries/35.05.01.2001/").json()

    assert feature["type"] == "Feature"
    assert feature["geometry"] == VillageBoundary.objects.get(pk="35.05.01.2001").geometry
    assert feature["properties"]["inside"] == [-7.995, 112.005]
    assert feature["properties"]["area_km2"] == 1.2


def test_the_layers_show_the_latest_idm_status_connectivity_and_enrolment(api, official, outlines):
    village = outlines.village_a
    IdmScore.objects.create(village=village, year=2023, score=Decimal("0.55"))
    IdmScore.objects.create(village=village, year=2024, score=Decimal("0.82"))
    VillageProfile.objects.create(village=village, connectivity="4g")
    pandu = Programme.objects.create(
        name="Pandu",
        slug="pandu",
        owner_agency="Kominfo",
        regency=outlines.regency,
        starts_on=datetime.date(2024, 1, 1),
    )
    wifi = Programme.objects.create(
        name="Wifi",
        slug="wifi",
        owner_agency="Kominfo",
        regency=outlines.regency,
        starts_on=datetime.date(2024, 1, 1),
    )
    enrolled_on = datetime.date(2024, 2, 1)
    Enrolment.objects.create(
        programme=pandu, village=village, enrolled_on=enrolled_on, status="candidate"
    )
    Enrolment.objects.create(
        programme=wifi, village=village, enrolled_on=enrolled_on, status="graduated"
    )
    api.force_authenticate(official)

    plain = features(api.get("/api/village-boundaries/"))
    for_pandu = features(api.get("/api/village-boundaries/?programme=pandu"))
    by_id = features(api.get(f"/api/village-boundaries/?programme={pandu.pk}"))

    jaten = plain["35.05.01.2001"]["properties"]
    assert (jaten["idm_status"], jaten["idm_year"]) == ("mandiri", 2024)
    assert jaten["connectivity"] == "4g"
    assert jaten["programme_status"] == "graduated"
    assert for_pandu["35.05.01.2001"]["properties"]["programme_status"] == "candidate"
    assert by_id["35.05.01.2001"]["properties"]["programme_status"] == "candidate"
    other = plain["35.05.01.1001"]["properties"]
    assert (other["idm_status"], other["connectivity"], other["programme_status"]) == (
        None,
        None,
        None,
    )


def test_a_programme_outside_the_area_is_refused(api, outsider, outlines):
    foreign = Programme.objects.create(
        name="Kediri",
        slug="kediri",
        owner_agency="Kominfo",
        regency=outlines.other_regency,
        starts_on=datetime.date(2024, 1, 1),
    )
    api.force_authenticate(outsider)

    response = api.get(f"/api/village-boundaries/?programme={foreign.slug}")

    assert response.status_code == 400
    assert "programme" in response.json()


@pytest.mark.parametrize("count", [1, 50])
def test_the_collection_costs_the_same_queries_for_1_and_50_villages(
    api, official, regions, count, django_assert_max_num_queries
):
    for number in range(count):
        village = VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
        outline(village, 112 + number / 100, -8)
        IdmScore.objects.create(village=village, year=2024, score=Decimal("0.7"))
        VillageProfile.objects.create(village=village, connectivity="3g")
    programme = Programme.objects.create(
        name="Pandu",
        slug="pandu",
        owner_agency="Kominfo",
        regency=regions.regency,
        starts_on=datetime.date(2024, 1, 1),
    )
    api.force_authenticate(official)

    # The user's areas, the programme, the outlines with every layer.
    with django_assert_max_num_queries(3):
        collection = features(api.get("/api/village-boundaries/?regency=35.05&programme=pandu"))

    assert len(collection) == count
    assert programme.pk


def test_a_repeated_request_is_answered_from_the_cache(api, official, outlines):
    api.force_authenticate(official)
    first = api.get("/api/village-boundaries/?zoom=12").json()
    VillageBoundary.objects.filter(pk="35.05.01.2001").update(
        geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    )

    assert api.get("/api/village-boundaries/?zoom=12").json() == first


def test_a_boundary_import_invalidates_the_cached_collections(
    api, official, outlines, tmp_path, django_capture_on_commit_callbacks
):
    api.force_authenticate(official)
    before = features(api.get("/api/village-boundaries/?zoom=12"))["35.05.01.2001"]
    moved = [[[111.5, -8.5], [111.6, -8.5], [111.6, -8.4], [111.5, -8.4], [111.5, -8.5]]]
    path = tmp_path / "moved.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"code": "35.05.01.2001"}, '
        f'"geometry": {{"type": "Polygon", "coordinates": {moved}}}}}]}}'
    )

    with django_capture_on_commit_callbacks(execute=True):
        import_boundaries(source=path)
    after = features(api.get("/api/village-boundaries/?zoom=12"))["35.05.01.2001"]

    assert before["geometry"] != after["geometry"]
    assert [111.5, -8.5] in after["geometry"]["coordinates"][0]


def test_the_cache_is_not_shared_between_areas(api, officer, outsider, outlines):
    api.force_authenticate(officer)
    features(api.get("/api/village-boundaries/"))
    api.force_authenticate(outsider)

    assert set(features(api.get("/api/village-boundaries/"))) == {"35.05.02.2001"}


def test_the_simplification_tolerance_is_half_a_pixel_and_zoom_is_clamped(
    api, admin_user, outlines
):
    assert simplify_tolerance(10) == pytest.approx(360 / 256 / 1024 / 2)
    assert (coordinate_decimals(8), coordinate_decimals(10), coordinate_decimals(13)) == (5, 5, 6)
    api.force_authenticate(admin_user)

    for zoom in ("1", "40", "not-a-number"):
        assert api.get(f"/api/village-boundaries/?zoom={zoom}").status_code == 200


def test_the_openapi_schema_lists_the_boundary_endpoints(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    for path in (
        "/api/village-boundaries/",
        "/api/village-boundaries/{code}/",
        "/api/district-boundaries/",
        "/api/district-boundaries/{code}/",
    ):
        assert path in paths


@pytest.fixture
def blitar(db):
    geo = shared_data_dir("geo")
    import_regions(directory=PROJECT_DIR / "villages" / "fixtures" / "blitar")
    import_boundaries(source=geo / "blitar_villages.geojson")
    import_boundaries(source=geo / "blitar_kecamatan_dissolved.geojson", level="district")


def test_all_248_blitar_villages_at_kabupaten_zoom_fit_in_300_kb(api, admin_user, blitar):
    api.force_authenticate(admin_user)

    response = api.get("/api/village-boundaries/?regency=35.05&zoom=10")

    assert len(features(response)) == 248
    assert len(response.content) <= 300_000
    # Five decimals at this zoom: about a metre, far below half a pixel (about 75 m).
    coordinates = re.findall(rb"-?\d+\.(\d+)", response.content.split(b'"geometry"', 1)[1])
    assert max(len(decimals) for decimals in coordinates) <= 5


def test_every_simplified_blitar_village_still_has_an_outline(api, admin_user, blitar):
    api.force_authenticate(admin_user)

    collection = features(api.get("/api/village-boundaries/?regency=35.05&zoom=6"))

    assert all(feature["geometry"]["coordinates"] for feature in collection.values())
    assert len(features(api.get("/api/district-boundaries/?regency=35.05&zoom=10"))) == 22


# The pages -------------------------------------------------------------------------------------

PAGES = {
    "regency": ("villages:regency-detail", "regency", "regency-map"),
    "district": ("villages:district-detail", "district", "district-map"),
}
PAGE_VISIBLE = {
    "official": {"regency", "district"},
    "officer": {"regency", "district"},
    "secretary": {"regency", "district"},
    "outsider": {"regency"},
    "volunteer": set(),
    "admin_user": {"regency", "district"},
}


@pytest.mark.parametrize("with_outlines", [True, False])
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_the_regency_and_kecamatan_pages_carry_a_map_for_whoever_may_open_them(
    client, request, regions, persona, page, with_outlines
):
    if with_outlines:
        request.getfixturevalue("outlines")
    client.force_login(request.getfixturevalue(persona))
    url_name, region, map_id = PAGES[page]

    response = client.get(reverse(url_name, args=[getattr(regions, region).code]))

    if page not in PAGE_VISIBLE[persona]:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{map_id}"' in html
    assert "window.portalMap" in html
    assert "/static/js/map.js" in html
    assert "/static/leaflet/leaflet.js" in html
    # Scripts and styles come from this site (the tile URL is a setting, used by Leaflet).
    assert re.findall(r"""(?:<script[^>]*src|<link[^>]*href)=["'](?:https?:)?//""", html) == []


def test_the_regency_map_asks_for_the_regency_s_villages_at_kabupaten_zoom(
    client, official, regions
):
    client.force_login(official)

    html = client.get(reverse("villages:regency-detail", args=["35.05"])).content.decode()

    assert 'data-geojson-url="/api/village-boundaries/?regency=35.05&amp;zoom=10"' in html


@pytest.mark.parametrize("persona", ["secretary", "officer", "official", "admin_user"])
def test_the_village_page_shows_its_outline_map(client, request, outlines, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("villages:village-detail", args=["35.05.01.2001"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="village-map-35-05-01-2001"' in html
    assert 'data-geojson-url="/api/village-boundaries/35.05.01.2001/"' in html


def test_the_village_page_says_when_no_outline_was_imported(client, secretary, regions):
    client.force_login(secretary)

    response = client.get(
        reverse("villages:village-detail", args=["35.05.01.2001"]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "No boundary has been imported for this village yet." in html
    assert "leaflet.js" not in html


def test_the_outsider_cannot_open_village_a_s_page_or_map(client, outsider, outlines):
    client.force_login(outsider)

    assert client.get(reverse("villages:village-detail", args=["35.05.01.2001"])).status_code == 404


def test_the_map_script_is_a_static_file_of_the_project_and_uses_the_session():
    script = Path(finders.find("js/map.js")).read_text()

    assert "window.portalMap" in script
    assert 'credentials: "same-origin"' in script
