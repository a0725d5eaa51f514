"""The national region importer: villages.actions.import_regions and `manage.py import_regions`."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import translation

from tests.factories import VillageFactory
from tests.shared_data import shared_data_dir
from villages.actions import LevelCounts, RegionImportError, import_regions
from villages.models import District, Province, Regency, Village

pytestmark = pytest.mark.django_db

HEADERS = {
    "provinces.csv": "code,name",
    "regencies.csv": "code,province_code,name",
    "districts.csv": "code,regency_code,name",
    "villages.csv": "code,district_code,name",
}

# Two provinces; Blitar (35.05) has two kecamatan, Kediri (35.06) and Pandeglang (36.01) one each.
GOOD_ROWS = {
    "provinces.csv": ["35,JAWA TIMUR", "36,BANTEN"],
    "regencies.csv": [
        "35.05,35,KABUPATEN BLITAR",
        "35.06,35,KABUPATEN KEDIRI",
        "36.01,36,KABUPATEN PANDEGLANG",
    ],
    "districts.csv": [
        "35.05.01,35.05,Wonodadi",
        "35.05.02,35.05,Udanawu",
        "35.06.01,35.06,Mojo",
        "36.01.01,36.01,Sumur",
    ],
    "villages.csv": [
        "35.05.01.2001,35.05.01,Jaten",  # line 2
        "35.05.01.2002,35.05.01,Salam",  # line 3
        "35.05.01.1001,35.05.01,Kelurahan Satu",  # line 4
        "35.05.02.2001,35.05.02,Bakung",  # line 5
        "35.06.01.2001,35.06.01,Mojo",  # line 6
        "36.01.01.2001,36.01.01,Sumur",  # line 7
        "36.01.01.3001,36.01.01,Pulau Umang",  # line 8
    ],
}


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever the .po files translate them to."""
    with translation.override("en"):
        yield


def write_regions(directory: Path, rows: dict | None = None, headers: dict | None = None) -> Path:
    """A folder of the four CSV files; `rows` items may be str or raw bytes lines."""
    directory.mkdir(parents=True, exist_ok=True)
    rows = {**GOOD_ROWS, **(rows or {})}
    headers = {**HEADERS, **(headers or {})}
    for file, header in headers.items():
        lines = [header, *rows[file]]
        data = b"".join(
            (line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines
        )
        (directory / file).write_bytes(data)
    return directory


def with_rows(file: str, *extra: str | bytes) -> dict:
    return {file: [*GOOD_ROWS[file], *extra]}


def snapshot() -> dict:
    return {
        model.__name__: set(model.objects.values_list())
        for model in (Province, Regency, District, Village)
    }


def test_a_fresh_import_inserts_every_level_and_derives_the_village_kinds(tmp_path):
    result = import_regions(directory=write_regions(tmp_path))

    assert result.levels == {
        "province": LevelCounts(inserted=2),
        "regency": LevelCounts(inserted=3),
        "district": LevelCounts(inserted=4),
        "village": LevelCounts(inserted=7),
    }
    assert dict(Village.objects.values_list("code", "kind")) == {
        "35.05.01.2001": "desa",
        "35.05.01.2002": "desa",
        "35.05.01.1001": "kelurahan",
        "35.05.02.2001": "desa",
        "35.06.01.2001": "desa",
        "36.01.01.2001": "desa",
        "36.01.01.3001": "other",
    }
    assert Village.objects.get(code="35.05.01.2001").district.regency.province.name == "JAWA TIMUR"


def test_a_rerun_inserts_and_updates_nothing(tmp_path):
    folder = write_regions(tmp_path)
    import_regions(directory=folder)
    before = snapshot()

    result = import_regions(directory=folder)

    assert (result.inserted, result.updated) == (0, 0)
    assert result.levels["village"] == LevelCounts(unchanged=7)
    assert snapshot() == before


def test_a_renamed_village_is_updated_not_duplicated(tmp_path):
    import_regions(directory=write_regions(tmp_path / "first"))
    villages = [line.replace("Jaten", "Jaten Baru") for line in GOOD_ROWS["villages.csv"]]

    result = import_regions(
        directory=write_regions(tmp_path / "renamed", {"villages.csv": villages})
    )

    assert result.levels["village"] == LevelCounts(updated=1, unchanged=6)
    assert (result.inserted, result.updated) == (0, 1)
    assert Village.objects.get(code="35.05.01.2001").name == "Jaten Baru"
    assert Village.objects.count() == 7


def test_new_rows_are_inserted_next_to_unchanged_ones(tmp_path):
    import_regions(directory=write_regions(tmp_path / "first"))
    folder = write_regions(
        tmp_path / "more", with_rows("villages.csv", "35.05.02.2002,35.05.02,Baru")
    )

    result = import_regions(directory=folder)

    assert result.levels["village"] == LevelCounts(inserted=1, unchanged=7)
    assert Village.objects.get(code="35.05.02.2002").kind == "desa"


def test_rows_missing_from_the_files_are_left_alone_and_counted(tmp_path):
    import_regions(directory=write_regions(tmp_path))
    kept = VillageFactory(
        code="35.05.01.2099", name="Desa Lama", district=District.objects.get(code="35.05.01")
    )

    result = import_regions(directory=tmp_path)

    assert result.levels["village"] == LevelCounts(unchanged=7, absent=1)
    assert Village.objects.filter(pk=kept.pk, name="Desa Lama").exists()


def test_only_a_regency_imports_that_regency_its_province_and_its_regions(tmp_path):
    result = import_regions(directory=write_regions(tmp_path), only="35.05")

    assert set(Province.objects.values_list("code", flat=True)) == {"35"}
    assert set(Regency.objects.values_list("code", flat=True)) == {"35.05"}
    assert set(District.objects.values_list("code", flat=True)) == {"35.05.01", "35.05.02"}
    assert set(Village.objects.values_list("code", flat=True)) == {
        "35.05.01.2001",
        "35.05.01.2002",
        "35.05.01.1001",
        "35.05.02.2001",
    }
    assert result.levels["village"] == LevelCounts(inserted=4)


def test_only_a_province_imports_every_regency_of_that_province(tmp_path):
    import_regions(directory=write_regions(tmp_path), only="35")

    assert set(Regency.objects.values_list("code", flat=True)) == {"35.05", "35.06"}
    assert not Village.objects.filter(code__startswith="36.").exists()


def test_only_skips_the_rows_of_other_regions_without_checking_them(tmp_path):
    folder = write_regions(tmp_path, with_rows("villages.csv", "36.01.01.2001,36.01.01,Dobel"))

    import_regions(directory=folder, only="35.05")

    assert Village.objects.count() == 4


@pytest.mark.parametrize("only", ["35.5", "35.05.01", "Blitar", ""])
def test_it_rejects_an_only_that_is_not_a_province_or_regency_code(tmp_path, only):
    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=write_regions(tmp_path), only=only)

    assert caught.value.messages == [
        f"{only!r} is not a province or regency code; expected for example 35 or 35.05."
    ]
    assert not Province.objects.exists()


def test_it_rejects_an_only_that_is_not_in_the_files(tmp_path):
    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=write_regions(tmp_path), only="35.99")

    assert caught.value.messages == ["regencies.csv: no row with code '35.99'."]


def test_names_with_a_stray_quote_are_imported_intact(tmp_path):
    folder = write_regions(
        tmp_path,
        with_rows(
            "villages.csv",
            '35.05.02.2017,35.05.02,Soka"an',
            '35.05.02.2018,35.05.02,T"Singa',
            '35.05.02.2019,35.05.02,"Ra""as"',
        ),
    )

    import_regions(directory=folder)

    names = dict(Village.objects.filter(district_id="35.05.02").values_list("code", "name"))
    assert names["35.05.02.2017"] == 'Soka"an'
    assert names["35.05.02.2018"] == 'T"Singa'
    assert names["35.05.02.2019"] == 'Ra"as'


def test_a_utf8_byte_order_mark_and_crlf_line_ends_are_accepted(tmp_path):
    folder = write_regions(tmp_path)
    path = folder / "provinces.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))

    import_regions(directory=folder)

    assert dict(Province.objects.values_list("code", "name")) == {
        "35": "JAWA TIMUR",
        "36": "BANTEN",
    }


def test_a_parent_already_in_the_database_is_accepted(tmp_path):
    import_regions(directory=write_regions(tmp_path / "first"))
    only_villages = {file: [] for file in ("provinces.csv", "regencies.csv", "districts.csv")}
    only_villages["villages.csv"] = ["35.06.01.2002,35.06.01,Desa Baru"]

    result = import_regions(directory=write_regions(tmp_path / "villages", only_villages))

    assert result.levels["village"] == LevelCounts(inserted=1, absent=7)
    assert result.levels["district"] == LevelCounts(absent=4)
    assert Village.objects.get(code="35.06.01.2002").district.name == "Mojo"


# Each bad folder also renames Jaten and adds a village, so that a partial write would show.
RENAME_AND_ADD = [
    "35.05.01.2001,35.05.01,Jaten Berubah",
    *GOOD_ROWS["villages.csv"][1:],
    "35.05.02.2002,35.05.02,Desa Baru",
]
BAD_INPUTS = {
    "unknown_parent": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.99.2001,35.05.99,Entah"]},
        None,
        "villages.csv, line 10: unknown parent code '35.05.99'.",
    ),
    "malformed_code": (
        with_rows("districts.csv", "35.05.3,35.05,Salah Kode"),
        None,
        "districts.csv, line 6: malformed code '35.05.3' (expected like 35.05.01).",
    ),
    "non_ascii_digits": (
        with_rows("provinces.csv", "\u0663\u0665,JAWA TIMUR"),
        None,
        "provinces.csv, line 4: malformed code '\u0663\u0665' (expected like 35).",
    ),
    "code_not_under_its_parent": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2009,35.05.02,Salah Induk"]},
        None,
        "villages.csv, line 10: code '35.05.01.2009' is not under its parent '35.05.02'.",
    ),
    "duplicate_code": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2002,35.05.01,Salam Lagi"]},
        None,
        "villages.csv, line 10: duplicate code '35.05.01.2002' (first on line 3).",
    ),
    "missing_column": (
        {"regencies.csv": ["35.05,KABUPATEN BLITAR"], "villages.csv": RENAME_AND_ADD},
        {"regencies.csv": "code,name"},
        "regencies.csv, line 1: missing column 'province_code'.",
    ),
    "empty_name": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2003,35.05.01,  "]},
        None,
        "villages.csv, line 10: empty name.",
    ),
    "overlong_name": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2003,35.05.01," + "a" * 101]},
        None,
        "villages.csv, line 10: name longer than 100 characters.",
    ),
    "undecodable_bytes": (
        {"villages.csv": [*RENAME_AND_ADD, b"35.05.01.2004,35.05.01,Sal\xe9m"]},
        None,
        "villages.csv, line 10: the text is not valid UTF-8.",
    ),
    "too_many_fields": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2005,35.05.01,Desa,Lebih"]},
        None,
        "villages.csv, line 10: 4 fields where 3 are expected.",
    ),
    "too_few_fields": (
        {"villages.csv": [*RENAME_AND_ADD, "35.05.01.2006,Kurang"]},
        None,
        "villages.csv, line 10: 2 fields where 3 are expected.",
    ),
    "unclosed_quote": (
        {"villages.csv": [*RENAME_AND_ADD, '35.05.01.2007,35.05.01,"Terbuka', "x,y,z"]},
        None,
        "villages.csv, line 10: line break inside a name.",
    ),
}


@pytest.mark.parametrize(("rows", "headers", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_it_rejects_bad_input_naming_file_line_and_problem_and_changes_nothing(
    tmp_path, rows, headers, message
):
    import_regions(directory=write_regions(tmp_path / "good"))
    before = snapshot()

    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=write_regions(tmp_path / "bad", rows, headers))

    assert caught.value.messages == [message]
    assert snapshot() == before


def test_it_rejects_a_village_whose_parent_is_unknown_even_on_a_fresh_database(tmp_path):
    folder = write_regions(tmp_path, with_rows("villages.csv", "35.07.01.2001,35.07.01,Entah"))

    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=folder)

    assert caught.value.messages == ["villages.csv, line 9: unknown parent code '35.07.01'."]
    assert not Province.objects.exists()


def test_it_names_every_missing_file(tmp_path):
    folder = write_regions(tmp_path)
    (folder / "districts.csv").unlink()
    (folder / "villages.csv").unlink()

    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=folder)

    assert caught.value.messages == [
        "districts.csv: file not found.",
        "villages.csv: file not found.",
    ]


def test_it_rejects_a_directory_that_does_not_exist(tmp_path):
    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=tmp_path / "nowhere")

    assert caught.value.messages == [f"{tmp_path / 'nowhere'} is not a folder."]


def test_it_lists_the_first_twenty_errors_and_counts_the_rest(tmp_path):
    bad = [f"35.05.01.{2100 + n},35.05.01," for n in range(25)]

    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=write_regions(tmp_path, with_rows("villages.csv", *bad)))

    messages = caught.value.messages
    assert len(messages) == 21
    assert messages[0] == "villages.csv, line 9: empty name."
    assert messages[19] == "villages.csv, line 28: empty name."
    assert messages[20] == "... and 5 more errors."


def test_a_bad_district_does_not_also_fail_each_of_its_villages(tmp_path):
    folder = write_regions(
        tmp_path, {"districts.csv": ["35.05.01,35.05,", *GOOD_ROWS["districts.csv"][1:]]}
    )

    with pytest.raises(RegionImportError) as caught:
        import_regions(directory=folder)

    assert caught.value.messages == ["districts.csv, line 2: empty name."]


def test_the_progress_hook_is_told_about_each_level(tmp_path):
    calls = []

    import_regions(directory=write_regions(tmp_path), progress=lambda *call: calls.append(call))

    assert calls == [
        ("province", 0, 2),
        ("province", 2, 2),
        ("regency", 0, 3),
        ("regency", 3, 3),
        ("district", 0, 4),
        ("district", 4, 4),
        ("village", 0, 7),
        ("village", 7, 7),
    ]


def test_the_command_prints_a_summary_per_level(tmp_path):
    folder = write_regions(tmp_path)
    out = StringIO()

    call_command("import_regions", str(folder), stdout=out)
    call_command("import_regions", str(folder), "--only", "35.05", stdout=out)

    assert out.getvalue().splitlines() == [
        "provinces: 2 new, 0 updated, 0 unchanged",
        "regencies: 3 new, 0 updated, 0 unchanged",
        "districts (kecamatan): 4 new, 0 updated, 0 unchanged",
        "villages: 7 new, 0 updated, 0 unchanged",
        "provinces: 0 new, 0 updated, 1 unchanged",
        "regencies: 0 new, 0 updated, 1 unchanged",
        "districts (kecamatan): 0 new, 0 updated, 2 unchanged",
        "villages: 0 new, 0 updated, 4 unchanged",
    ]


def test_the_command_fails_listing_every_error(tmp_path):
    rows = {
        "villages.csv": [*RENAME_AND_ADD, "35.05.99.2001,35.05.99,Entah"],
        "districts.csv": [*GOOD_ROWS["districts.csv"], "35.05.3,35.05,Salah"],
    }

    with pytest.raises(CommandError) as caught:
        call_command("import_regions", str(write_regions(tmp_path, rows)), stdout=StringIO())

    assert str(caught.value).splitlines() == [
        "Import refused, nothing was changed:",
        "districts.csv, line 6: malformed code '35.05.3' (expected like 35.05.01).",
        "villages.csv, line 10: unknown parent code '35.05.99'.",
    ]
    assert not Village.objects.exists()


def test_the_national_import_loads_every_region_and_a_rerun_changes_nothing():
    directory = shared_data_dir("wilayah")
    started = time.monotonic()

    first = import_regions(directory=directory)
    again = import_regions(directory=directory)

    assert {level: counts.inserted for level, counts in first.levels.items()} == {
        "province": 38,
        "regency": 514,
        "district": 7277,
        "village": 83763,
    }
    assert (again.inserted, again.updated) == (0, 0)
    assert dict(Village.objects.values_list("kind").annotate(Count("code"))) == {
        "desa": 75251,
        "kelurahan": 8498,
        "other": 14,
    }
    assert Village.objects.filter(name__contains='"').count() == 24
    assert Village.objects.get(code="35.13.15.2017").name == 'Soka"an'
    assert Village.objects.get(code="94.04.10.2004").name == 'T"Singa'
    assert time.monotonic() - started < 30
