"""The boundary importer: the real Blitar outlines, every refused input, atomicity and re-runs."""

import io
import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import translation
from shapely.geometry import Point, shape

from tests.shared_data import PROJECT_DIR, shared_data_dir
from villages.actions import boundaries, import_regions
from villages.actions.boundaries import BoundaryImportError, area_km2, import_boundaries
from villages.models import DistrictBoundary, VillageBoundary
from villages.selectors.maps import boundary_cache_version


@pytest.fixture(autouse=True)
def english():
    # The messages are asserted in their English source form; Indonesian is the default language.
    with translation.override("en"):
        yield


@pytest.fixture
def blitar_regions(db):
    import_regions(directory=PROJECT_DIR / "villages" / "fixtures" / "blitar")


@pytest.fixture
def village_file():
    return shared_data_dir("geo") / "blitar_villages.geojson"


@pytest.fixture
def district_file():
    return shared_data_dir("geo") / "blitar_kecamatan_dissolved.geojson"


def square(x: float, y: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


def feature(code, geometry, **properties) -> dict:
    if code is not None:
        properties["code"] = code
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write(tmp_path, features, name="boundaries.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def refusal(**kwargs) -> list[str]:
    with pytest.raises(BoundaryImportError) as caught:
        import_boundaries(**kwargs)
    return caught.value.messages


def test_the_real_blitar_file_imports_all_248_villages(
    blitar_regions, village_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = import_boundaries(source=village_file)

    assert (result.inserted, result.updated, result.unchanged) == (248, 0, 0)
    assert VillageBoundary.objects.count() == 248
    jaten = VillageBoundary.objects.get(village_id="35.05.01.2001")
    assert jaten.source == str(village_file)
    assert jaten.geometry["type"] in ("Polygon", "MultiPolygon")
    assert jaten.centroid_lat == pytest.approx(-8.0085, abs=1e-3)
    assert jaten.centroid_lng == pytest.approx(111.9631, abs=1e-3)
    # SOURCE.md: the union of the Blitar villages covers about 1,756 km².
    total = sum(VillageBoundary.objects.values_list("area_km2", flat=True))
    assert total == pytest.approx(1756, rel=0.01)


def test_the_real_blitar_kecamatan_file_imports_all_22(blitar_regions, district_file):
    result = import_boundaries(source=district_file, level="district")

    assert (result.inserted, result.updated, result.unchanged) == (22, 0, 0)
    assert DistrictBoundary.objects.count() == 22
    assert VillageBoundary.objects.count() == 0


def test_a_second_run_of_the_same_file_writes_nothing(
    blitar_regions, village_file, django_assert_max_num_queries
):
    import_boundaries(source=village_file)
    before = dict(VillageBoundary.objects.values_list("village_id", "updated_at"))

    # Reading the regions and the existing outlines, inside a savepoint: no writes.
    with django_assert_max_num_queries(5):
        result = import_boundaries(source=village_file)

    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 248)
    assert dict(VillageBoundary.objects.values_list("village_id", "updated_at")) == before


def test_every_inside_point_lies_inside_its_village(blitar_regions, village_file):
    import_boundaries(source=village_file)

    for boundary in VillageBoundary.objects.all():
        outline = shape(boundary.geometry)
        assert outline.contains(Point(boundary.inside_lng, boundary.inside_lat)), boundary.pk


def test_stored_coordinates_have_at_most_six_decimals_and_outer_rings_run_counter_clockwise(
    regions, tmp_path
):
    clockwise = [[[112.1234567891, -8.1], [112.1, -8.2], [112.2, -8.2], [112.1234567891, -8.1]]]
    path = write(
        tmp_path, [feature("35.05.01.2001", {"type": "Polygon", "coordinates": clockwise})]
    )

    import_boundaries(source=path)

    ring = VillageBoundary.objects.get().geometry["coordinates"][0]
    assert [112.123457, -8.1] in ring
    assert shape({"type": "Polygon", "coordinates": [ring]}).exterior.is_ccw


def test_the_area_is_computed_on_an_equal_area_approximation(regions, tmp_path):
    # 0.01° x 0.01° at 8° S: 1.1132 km x 1.1132 km x cos(8°).
    path = write(tmp_path, [feature("35.05.01.2001", square(112.0, -8.005))])

    import_boundaries(source=path)

    assert VillageBoundary.objects.get().area_km2 == pytest.approx(1.2272, rel=1e-3)
    assert area_km2(shape(square(112.0, -0.005))) == pytest.approx(1.2392, rel=1e-3)


def test_a_changed_outline_is_updated_and_the_others_left_alone(regions, tmp_path):
    import_boundaries(
        source=write(
            tmp_path,
            [feature("35.05.01.2001", square(112, -8)), feature("35.05.02.2001", square(113, -8))],
        )
    )
    result = import_boundaries(
        source=write(
            tmp_path,
            [
                feature("35.05.01.2001", square(112, -8, 0.02)),
                feature("35.05.02.2001", square(113, -8)),
            ],
        )
    )

    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert VillageBoundary.objects.get(pk="35.05.01.2001").area_km2 > 4


def test_unknown_codes_are_all_listed_with_their_feature_numbers(regions, tmp_path):
    path = write(
        tmp_path,
        [
            feature("35.05.01.2001", square(112, -8)),
            feature("35.05.09.2001", square(112, -8)),
            feature("35.05.09.2002", square(112, -8)),
        ],
    )

    messages = refusal(source=path)

    assert messages == [
        "2 codes are not in the region registry: "
        "feature 2 (35.05.09.2001), feature 3 (35.05.09.2002)."
    ]


def test_a_feature_without_a_code_is_refused_by_number(regions, tmp_path):
    path = write(tmp_path, [feature("35.05.01.2001", square(112, -8)), feature(None, square(1, 1))])

    assert refusal(source=path) == ['Feature 2: no "code" property.']


def test_a_code_of_the_wrong_level_is_refused(regions, tmp_path):
    path = write(tmp_path, [feature("35.05.01", square(112, -8))])

    assert refusal(source=path) == [
        "Feature 1: malformed code '35.05.01' (expected like 35.05.01.2001)."
    ]


def test_a_duplicate_code_is_refused(regions, tmp_path):
    path = write(
        tmp_path,
        [feature("35.05.01.2001", square(112, -8)), feature("35.05.01.2001", square(1, 1))],
    )

    assert refusal(source=path) == ["Feature 2: duplicate code 35.05.01.2001 (first in feature 1)."]


def test_a_line_is_not_accepted_as_an_outline(regions, tmp_path):
    line = {"type": "LineString", "coordinates": [[112, -8], [112.1, -8.1]]}
    path = write(tmp_path, [feature("35.05.01.2001", line)])

    assert refusal(source=path) == [
        "Feature 1 (35.05.01.2001): a LineString, not a Polygon or MultiPolygon."
    ]


def test_a_geometry_that_cannot_become_a_polygon_is_refused(regions, tmp_path):
    flat = {"type": "Polygon", "coordinates": [[[112, -8], [112.1, -8], [112.2, -8], [112, -8]]]}
    broken = {"type": "Polygon", "coordinates": "nonsense"}
    path = write(tmp_path, [feature("35.05.01.2001", flat), feature("35.05.01.1001", broken)])

    assert refusal(source=path) == [
        "Feature 1 (35.05.01.2001): the geometry cannot be made into a polygon.",
        "Feature 2 (35.05.01.1001): unreadable geometry.",
    ]


def test_a_bowtie_is_repaired_and_reported(regions, tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[112, -8], [112.1, -8.1], [112.1, -8], [112, -8.1], [112, -8]]],
    }
    path = write(tmp_path, [feature("35.05.01.2001", bowtie)])

    result = import_boundaries(source=path)

    assert result.repaired == ["Feature 1 (35.05.01.2001): invalid geometry repaired."]
    stored = shape(VillageBoundary.objects.get().geometry)
    assert stored.is_valid
    assert stored.geom_type == "MultiPolygon"
    assert stored.area == pytest.approx(0.005, rel=1e-3)


def test_a_file_that_is_not_json_is_refused(regions, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')

    assert refusal(source=path) == [
        "The file is not valid JSON (line 1, column 44: Expecting value)."
    ]


def test_a_single_feature_is_not_a_feature_collection(regions, tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(feature("35.05.01.2001", square(112, -8))))

    assert refusal(source=path) == [
        "The file is not a GeoJSON FeatureCollection (found 'Feature')."
    ]


def test_a_missing_file_and_a_plain_http_address_are_refused(regions, tmp_path):
    (missing,) = refusal(source=tmp_path / "nowhere.geojson")
    assert missing.startswith(f"{tmp_path / 'nowhere.geojson'}: cannot be read")

    assert refusal(source="http://example.org/blitar.geojson") == [
        "http://example.org/blitar.geojson: only https:// addresses can be fetched."
    ]


def test_nothing_is_written_when_one_feature_of_many_is_bad(regions, tmp_path):
    import_boundaries(source=write(tmp_path, [feature("35.05.01.2001", square(112, -8))]))
    before = list(VillageBoundary.objects.values_list("village_id", "geometry", "updated_at"))

    path = write(
        tmp_path,
        [
            feature("35.05.01.2001", square(112, -8, 0.05)),
            feature("35.05.01.1001", square(112.2, -8)),
            feature("35.05.99.2001", square(112.3, -8)),
        ],
    )
    refusal(source=path)

    assert list(VillageBoundary.objects.values_list("village_id", "geometry", "updated_at")) == (
        before
    )


def test_an_import_that_changes_outlines_makes_cached_maps_stale(
    regions, tmp_path, django_capture_on_commit_callbacks
):
    cache.clear()
    path = write(tmp_path, [feature("35.05.01.2001", square(112, -8))])
    first = boundary_cache_version()

    with django_capture_on_commit_callbacks(execute=True):
        import_boundaries(source=path)
    second = boundary_cache_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_boundaries(source=path)

    assert first != second
    assert callbacks == []
    assert boundary_cache_version() == second


def test_the_command_reports_counts_and_refusals(regions, tmp_path, capsys):
    path = write(tmp_path, [feature("35.05.01", square(112, -8))])

    call_command("import_boundaries", str(path), "--level", "district")
    assert "1 new, 0 updated, 0 unchanged" in capsys.readouterr().out

    with pytest.raises(CommandError, match=r":\nFeature 1: no \"code\" property"):
        call_command("import_boundaries", str(write(tmp_path, [feature(None, square(1, 1))])))


class FakeResponse(io.BytesIO):
    """What urlopen returns, for the one piece of the outside world these tests fake."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_an_https_address_is_fetched_with_a_timeout(regions, monkeypatch):
    body = json.dumps(
        {"type": "FeatureCollection", "features": [feature("35.05.01.2001", square(112, -8))]}
    ).encode()
    calls = []

    def urlopen(request, timeout):
        calls.append((request.full_url, timeout))
        return FakeResponse(body)

    monkeypatch.setattr(boundaries.urllib.request, "urlopen", urlopen)

    result = import_boundaries(source="https://example.org/blitar.geojson")

    assert calls == [("https://example.org/blitar.geojson", boundaries.FETCH_TIMEOUT)]
    assert result.inserted == 1
    assert VillageBoundary.objects.get().source == "https://example.org/blitar.geojson"


def test_a_download_over_the_size_limit_is_refused(regions, monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_BYTES", 3 * 1024 * 1024)
    monkeypatch.setattr(
        boundaries.urllib.request,
        "urlopen",
        lambda request, timeout: FakeResponse(b" " * (4 * 1024 * 1024)),
    )

    assert refusal(source="https://example.org/huge.geojson") == [
        "https://example.org/huge.geojson: larger than 3 MB."
    ]


def test_an_address_that_does_not_answer_is_refused(regions, monkeypatch):
    def urlopen(request, timeout):
        raise OSError("timed out")

    monkeypatch.setattr(boundaries.urllib.request, "urlopen", urlopen)

    assert refusal(source="https://example.org/slow.geojson") == [
        "https://example.org/slow.geojson: cannot be fetched (timed out)."
    ]
