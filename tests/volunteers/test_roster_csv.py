"""The roster as CSV: the import action (checks, atomicity, idempotence, scope), its page and
management command, and the scoped, filtered, fixed-cost download that re-imports unchanged."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.factories import AssignmentFactory, CorpsFactory, MembershipFactory, VolunteerFactory
from volunteers.actions.roster_csv import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    VolunteerImportError,
    import_volunteers,
)
from volunteers.models import CorpsLevel, Membership, Volunteer

CSV_URL = reverse("volunteers:volunteer-csv")
IMPORT_URL = reverse("volunteers:volunteer-import")
NO_CORPS = {"corps": "", "level": "", "member_since": ""}


@pytest.fixture(autouse=True)
def in_english(client):
    """Messages are checked in English, in the actions and on the pages alike."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def row(**cells) -> dict:
    """A valid row for a Pandu Digital Madya based in Wonodadi; `cells` override columns."""
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        full_name="Rina Kartika",
        gender="female",
        whatsapp="0812-3456-7001",
        email="rina@example.org",
        district_code="35.05.01",
        home_village_code="35.05.01.2001",
        skills="Canva, WhatsApp Business",
        status="active",
        joined_on="2021-01-10",
        corps="pandu-digital",
        level="Madya",
        member_since="2021-02-01",
    )
    values.update(cells)
    return values


def csv_bytes(*rows: dict, columns=COLUMNS, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def run_import(*rows: dict, actor, dry_run=False, **options):
    return import_volunteers(
        file=io.BytesIO(csv_bytes(*rows, **options)), actor=actor, dry_run=dry_run
    )


def import_errors(*rows: dict, actor, **options) -> list[str]:
    with pytest.raises(VolunteerImportError) as caught:
        run_import(*rows, actor=actor, **options)
    return caught.value.messages


def roster_state() -> list[tuple]:
    """Everything an import may change, to prove that it changed nothing."""
    volunteers = list(
        Volunteer.objects.order_by("pk").values_list(
            "pk", "full_name", "gender", "whatsapp", "email", "district", "home_village",
            "skills", "status", "joined_on", "left_on", "updated_at",
        )
    )  # fmt: skip
    memberships = list(
        Membership.objects.order_by("pk").values_list(
            "pk", "volunteer", "corps", "level", "komisariat", "position",
            "appointing_village", "decree_number", "decree_date", "since",
        )
    )  # fmt: skip
    return volunteers + memberships


def downloaded(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="relawan.csv"'
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


# The import: a valid file


def test_a_valid_file_creates_volunteers_and_memberships_with_normalised_numbers(
    regions, coordinator
):
    result = run_import(
        row(),
        row(corps="relawan-tik", level="", komisariat="Komisariat Blitar", position="Ketua"),
        row(
            full_name="Bagus Pratama",
            gender="male",
            whatsapp="62 857 1234 5678",
            email="",
            home_village_code="",
            corps="kader-digital",
            level="",
            appointing_village_code="35.05.01.1001",
            decree_number="141/12/2023",
            decree_date="15/03/2023",
            member_since="",
        ),
        row(full_name="Tanpa Nomor", whatsapp="", email="", **NO_CORPS),
        actor=coordinator,
    )

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert (result.memberships_created, result.memberships_updated) == (3, 0)
    rina = Volunteer.objects.get(whatsapp="+6281234567001")
    assert (rina.full_name, rina.district_id, rina.home_village_id) == (
        "Rina Kartika",
        "35.05.01",
        "35.05.01.2001",
    )
    assert rina.joined_on == datetime.date(2021, 1, 10)
    assert {
        (m.corps.code, m.level and m.level.name, m.komisariat) for m in rina.memberships.all()
    } == {
        ("pandu-digital", "Madya", ""),
        ("relawan-tik", None, "Komisariat Blitar"),
    }
    bagus = Volunteer.objects.get(whatsapp="+6285712345678")
    kader = bagus.memberships.get()
    assert (kader.appointing_village_id, kader.decree_number, kader.decree_date) == (
        "35.05.01.1001",
        "141/12/2023",
        datetime.date(2023, 3, 15),
    )
    assert Volunteer.objects.get(full_name="Tanpa Nomor").memberships.count() == 0


def test_local_spellings_of_gender_status_and_dates_are_understood(regions, coordinator):
    run_import(
        row(whatsapp="081234567001", gender="P", joined_on="10-01-2021", status=""),
        row(whatsapp="081234567002", gender="LAKI-LAKI", joined_on="10/01/2021", status="Inactive"),
        row(whatsapp="081234567003", gender="Perempuan", joined_on="", corps="Pandu-Digital"),
        row(whatsapp="081234567004", gender="l", level="utama"),
        actor=coordinator,
    )

    got = {
        v.whatsapp: (v.gender, v.status, v.joined_on)
        for v in Volunteer.objects.order_by("whatsapp")
    }
    jan10 = datetime.date(2021, 1, 10)
    assert got == {
        "+6281234567001": ("female", "active", jan10),
        "+6281234567002": ("male", "inactive", jan10),
        "+6281234567003": ("female", "active", None),
        "+6281234567004": ("male", "active", jan10),
    }
    assert Membership.objects.get(volunteer__whatsapp="+6281234567004").level.name == "Utama"


def test_a_semicolon_separated_file_with_a_bom_imports(regions, coordinator):
    result = run_import(row(skills="Canva, Excel"), actor=coordinator, delimiter=";", bom=True)

    assert result.created == 1
    assert Volunteer.objects.get().skills == "Canva, Excel"


def test_extra_columns_are_ignored_and_column_order_does_not_matter(regions, coordinator):
    columns = ["no", *reversed(COLUMNS)]
    result = run_import(row(no="1"), actor=coordinator, columns=columns)

    assert result.created == 1
    assert Volunteer.objects.get().full_name == "Rina Kartika"


# The import: bad input, each named by row and column


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"whatsapp": "0812"}, "Row 2, whatsapp: 0812 is not a valid phone number"),
        ({"district_code": "35.05.09"}, "Row 2, district_code: 35.05.09 is not a known kecamatan"),
        ({"district_code": ""}, "Row 2, district_code: Fill in the kecamatan code"),
        ({"home_village_code": "35.05.01.9999"}, "Row 2, home_village_code: 35.05.01.9999 is"),
        ({"corps": "pramuka"}, "Row 2, corps: pramuka is not a known corps"),
        ({"corps": "relawan-tik", "level": "Purwa"}, "Row 2, level: Relawan TIK has no levels"),
        ({"level": "Sesepuh"}, "Row 2, level: Sesepuh is not a level of Pandu Digital"),
        ({"joined_on": "2021-02-30"}, "Row 2, joined_on: 2021-02-30 is not a date"),
        ({"decree_date": "tahun lalu"}, "Row 2, decree_date: tahun lalu is not a date"),
        ({"left_on": "2020-01-01"}, "Row 2, left_on: A volunteer cannot leave before joining."),
        ({"gender": "x"}, "Row 2, gender: x is not a gender"),
        ({"gender": ""}, "Row 2, gender: Fill in female or male"),
        ({"status": "cuti"}, "Row 2, status: cuti is not a status"),
        ({"email": "rina@"}, "Row 2, email: "),
        ({"full_name": ""}, "Row 2, full_name: "),
        ({"full_name": "R" * 151}, "Row 2, full_name: "),
        ({"corps": "", "level": ""}, "Row 2, member_since: Fill in the corps"),
    ],
)
def test_a_bad_value_is_refused_naming_its_row_and_column(regions, coordinator, cells, expected):
    messages = import_errors(row(**cells), actor=coordinator)

    assert len(messages) == 1
    assert messages[0].startswith(expected), messages


def test_a_missing_column_is_refused_naming_it(regions, coordinator):
    columns = [column for column in COLUMNS if column != "corps"]

    messages = import_errors(row(), actor=coordinator, columns=columns)

    assert messages == ["The header row lacks the column corps."]


def test_rows_of_one_number_must_agree_on_the_volunteer_columns(regions, coordinator):
    messages = import_errors(
        row(),
        row(whatsapp="+62 812-3456-7001", email="lain@example.org", corps="relawan-tik", level=""),
        actor=coordinator,
    )

    assert messages == [
        "Row 3, whatsapp: this number is also on row 2 with a different email; the rows of one "
        "volunteer must agree."
    ]


def test_a_corps_cannot_appear_twice_for_one_volunteer(regions, coordinator):
    messages = import_errors(row(), row(level="Utama"), actor=coordinator)

    assert messages == ["Row 3, corps: pandu-digital is already on row 2 for this volunteer."]


def test_every_bad_row_is_reported_in_row_order_up_to_fifty(regions, coordinator):
    rows = [row(whatsapp=f"08123456{n:04d}", gender="x") for n in range(60)]
    rows[1]["district_code"] = "99.99.99"

    messages = import_errors(*rows, actor=coordinator)

    assert messages[0].startswith("Row 2, gender:")
    assert messages[1].startswith("Row 3, ")
    assert messages[2].startswith("Row 3, ")
    assert len(messages) == 51
    assert messages[-1] == "... and 11 more errors."


def test_a_file_with_one_bad_row_among_good_ones_writes_nothing(regions, coordinator):
    existing = VolunteerFactory(
        whatsapp="+6281234567001", full_name="Lama", district=regions.district
    )
    before = roster_state()

    import_errors(
        row(),  # would update Lama
        row(whatsapp="081234567002"),
        row(whatsapp="081234567003", joined_on="kemarin"),
        actor=coordinator,
    )

    assert roster_state() == before
    existing.refresh_from_db()
    assert existing.full_name == "Lama"


def test_a_text_that_is_not_utf8_is_refused_naming_its_line(regions, coordinator):
    data = csv_bytes(row(), row(whatsapp="081234567002", full_name="Siti Aisyah")).decode()
    data = data.encode("utf-8").replace(b"Siti", "S\xeeti".encode("cp1252"))

    with pytest.raises(VolunteerImportError) as caught:
        import_volunteers(file=io.BytesIO(data), actor=coordinator)

    assert caught.value.messages == [
        "Line 3 is not UTF-8 text; save the sheet as “CSV UTF-8” and try again."
    ]
    assert not Volunteer.objects.exists()


def test_a_file_over_two_megabytes_is_refused(regions, coordinator):
    data = csv_bytes(row()) + b"\n" * MAX_BYTES

    with pytest.raises(VolunteerImportError) as caught:
        import_volunteers(file=io.BytesIO(data), actor=coordinator)

    assert caught.value.messages == ["The file is larger than 2 MB; split it into parts."]


def test_a_file_over_five_thousand_rows_is_refused(regions, coordinator):
    rows = [row(whatsapp="", **NO_CORPS)] * (MAX_ROWS + 1)

    messages = import_errors(*rows, actor=coordinator)

    assert messages == ["The file has more than 5,000 rows; split it into parts."]
    assert not Volunteer.objects.exists()


def test_a_formula_looking_name_survives_the_export_quote(regions, official, client):
    run_import(row(full_name="=HYPERLINK(1)", skills="-ketik"), actor=official)
    client.force_login(official)

    exported = downloaded(client.get(CSV_URL))

    assert exported[0]["full_name"] == "'=HYPERLINK(1)"
    assert exported[0]["skills"] == "'-ketik"
    assert run_import(*exported, actor=official).unchanged == 1
    assert Volunteer.objects.get().full_name == "=HYPERLINK(1)"


# The import: who may import what


def test_a_row_in_another_kecamatan_than_the_coordinators_is_refused(regions, coordinator):
    messages = import_errors(
        row(), row(whatsapp="081234567002", district_code="35.05.02"), actor=coordinator
    )

    assert messages == [
        "Row 3, district_code: you do not manage the roster of kecamatan Udanawu (35.05.02)."
    ]
    assert not Volunteer.objects.exists()


def test_a_coordinator_cannot_take_over_another_kecamatans_volunteer_by_number(
    regions, coordinator
):
    VolunteerFactory(whatsapp="+6281234567001", full_name="Dewi", district=regions.other_district)

    messages = import_errors(row(), actor=coordinator)

    # Dewi is not on the coordinator's roster: her number is not a way to learn her name.
    assert messages == [
        "Row 2, whatsapp: +6281234567001 belongs to a volunteer whose roster you do not manage."
    ]
    assert Volunteer.objects.get().district_id == "35.05.02"


def test_a_volunteer_the_coordinator_sees_is_named_when_their_number_is_refused(
    regions, coordinator
):
    dewi = VolunteerFactory(
        whatsapp="+6281234567001", full_name="Dewi", district=regions.other_district
    )
    AssignmentFactory(volunteer=dewi, village=regions.village_a)

    messages = import_errors(row(), actor=coordinator)

    assert messages == [
        "Row 2, whatsapp: +6281234567001 belongs to Dewi of kecamatan Udanawu, whose roster you "
        "do not manage."
    ]


def test_the_district_official_imports_into_every_kecamatan_of_the_regency(regions, official):
    result = run_import(
        row(), row(whatsapp="081234567002", district_code="35.05.02"), actor=official
    )

    assert result.created == 2
    messages = import_errors(row(whatsapp="081234567003", district_code="35.06.01"), actor=official)
    assert messages[0].startswith("Row 2, district_code: you do not manage the roster of")


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_users_who_manage_no_roster_may_not_import(regions, request, persona):
    with pytest.raises(PermissionDenied):
        run_import(row(), actor=request.getfixturevalue(persona))


# The import: updates, idempotence, dry runs


def test_a_known_number_updates_the_volunteer_and_their_membership(regions, coordinator):
    volunteer = VolunteerFactory(
        whatsapp="+6281234567001", full_name="Rina K.", district=regions.district
    )
    purwa = CorpsLevel.objects.get(corps__code="pandu-digital", name="Purwa")
    MembershipFactory(volunteer=volunteer, corps=CorpsFactory(code="pandu-digital"), level=purwa)
    MembershipFactory(volunteer=volunteer, corps=CorpsFactory(code="kader-digital"))

    result = run_import(row(), actor=coordinator)

    assert (result.created, result.updated) == (0, 1)
    assert (result.memberships_created, result.memberships_updated) == (0, 1)
    volunteer.refresh_from_db()
    assert (volunteer.full_name, volunteer.email) == ("Rina Kartika", "rina@example.org")
    # Memberships not in the file are left alone.
    assert {(m.corps.code, m.level and m.level.name) for m in volunteer.memberships.all()} == {
        ("pandu-digital", "Madya"),
        ("kader-digital", None),
    }


def test_importing_the_same_file_again_changes_nothing(regions, coordinator):
    rows = [row(), row(corps="relawan-tik", level=""), row(whatsapp="081234567002", **NO_CORPS)]
    run_import(*rows, actor=coordinator)
    before = roster_state()

    result = run_import(*rows, actor=coordinator)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert (result.memberships_created, result.memberships_updated) == (0, 0)
    assert result.memberships_unchanged == 2
    assert roster_state() == before


def test_a_dry_run_reports_the_counts_and_writes_nothing(regions, coordinator):
    VolunteerFactory(whatsapp="+6281234567001", full_name="Rina K.", district=regions.district)
    before = roster_state()

    result = run_import(row(), row(whatsapp="081234567002"), actor=coordinator, dry_run=True)

    assert result.dry_run
    assert (result.created, result.updated, result.memberships_created) == (1, 1, 2)
    assert roster_state() == before


def test_a_dry_run_reports_errors_like_a_real_import(regions, coordinator):
    with pytest.raises(VolunteerImportError):
        run_import(row(whatsapp="0812"), actor=coordinator, dry_run=True)


# The download


@pytest.fixture
def corps_members(mentoring, regions):
    """Sri (Wonodadi) is in two corps, Agus in none, Dewi (Udanawu) in one."""
    madya = CorpsLevel.objects.get(corps__code="pandu-digital", name="Madya")
    MembershipFactory(
        volunteer=mentoring.volunteer, corps=CorpsFactory(code="pandu-digital"), level=madya
    )
    MembershipFactory(
        volunteer=mentoring.volunteer,
        corps=CorpsFactory(code="kader-digital"),
        appointing_village=regions.village_a,
        decree_number="141/7/2022",
        decree_date=datetime.date(2022, 7, 1),
    )
    MembershipFactory(
        volunteer=mentoring.far, corps=CorpsFactory(code="relawan-tik"), komisariat="Blitar"
    )
    return mentoring


SRI, AGUS, DEWI = "Sri Wahyuni", "Agus Salim", "Dewi Lestari"


@pytest.mark.parametrize(
    ("persona", "names", "contacts"),
    [
        ("admin_user", [AGUS, DEWI, SRI, SRI], True),
        ("official", [AGUS, DEWI, SRI, SRI], True),
        ("coordinator", [AGUS, SRI, SRI], True),
        ("officer", [AGUS, SRI, SRI], True),
        ("secretary", [AGUS, SRI, SRI], False),
        ("outsider", [DEWI], False),
        ("volunteer", [SRI, SRI], True),
    ],
)
def test_the_download_holds_only_the_users_volunteers_and_contacts(
    client, request, corps_members, persona, names, contacts
):
    client.force_login(request.getfixturevalue(persona))

    rows = downloaded(client.get(CSV_URL))

    assert [r["full_name"] for r in rows] == names
    assert all(bool(r["whatsapp"]) == contacts and bool(r["email"]) == contacts for r in rows)


def test_the_download_has_a_row_per_membership_in_the_import_columns(
    client, official, corps_members
):
    client.force_login(official)

    rows = downloaded(client.get(CSV_URL, {"q": "Sri"}))

    assert list(rows[0]) == list(COLUMNS)
    sri = corps_members.volunteer
    assert [
        (r["corps"], r["level"], r["appointing_village_code"], r["decree_date"]) for r in rows
    ] == [
        ("kader-digital", "", "35.05.01.2001", "2022-07-01"),
        ("pandu-digital", "Madya", "", ""),
    ]
    assert {r["whatsapp"] for r in rows} == {sri.whatsapp}
    assert rows[0]["district_code"] == "35.05.01"
    assert rows[0]["joined_on"] == "2021-01-10"


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"corps": "relawan-tik"}, [DEWI]),
        ({"district": "35.05.01"}, [AGUS, SRI, SRI]),
        ({"q": "agus"}, [AGUS]),
        ({"corps": "pandu-digital", "district": "35.05.02"}, []),
    ],
)
def test_the_download_honours_the_roster_filters(client, official, corps_members, filters, names):
    client.force_login(official)

    assert [r["full_name"] for r in downloaded(client.get(CSV_URL, filters))] == names


def test_filters_cannot_reach_volunteers_outside_the_users_area(client, outsider, corps_members):
    client.force_login(outsider)

    assert downloaded(client.get(CSV_URL, {"district": "35.05.01"})) == []


def test_a_bad_filter_value_is_refused(client, official, corps_members):
    client.force_login(official)

    response = client.get(CSV_URL, {"status": "cuti"})

    assert response.status_code == 400
    assert b"status" in response.content


def test_anonymous_visitors_are_sent_to_log_in(client, regions):
    for url in (CSV_URL, IMPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_downloaded_roster_imports_back_with_no_change(client, official, corps_members):
    client.force_login(official)
    exported = downloaded(client.get(CSV_URL))
    before = roster_state()

    result = run_import(*exported, actor=official)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert (result.memberships_created, result.memberships_updated) == (0, 0)
    assert result.memberships_unchanged == 3
    assert roster_state() == before


@pytest.mark.parametrize("count", [1, 50])
def test_the_download_costs_the_same_queries_for_1_or_50_volunteers(
    client, regions, coordinator, django_assert_max_num_queries, count
):
    pandu, kader = CorpsFactory(code="pandu-digital"), CorpsFactory(code="kader-digital")
    madya = CorpsLevel.objects.get(corps=pandu, name="Madya")
    for _ in range(count):
        volunteer = VolunteerFactory(district=regions.district, home_village=regions.village_a)
        MembershipFactory(volunteer=volunteer, corps=pandu, level=madya)
        MembershipFactory(volunteer=volunteer, corps=kader, appointing_village=regions.village_a2)
    client.force_login(coordinator)

    with django_assert_max_num_queries(5):
        rows = downloaded(client.get(CSV_URL, {"status": "active"}))

    assert len(rows) == 2 * count


# The import page


def upload(data: bytes, **fields):
    return {"file": SimpleUploadedFile("relawan.csv", data, content_type="text/csv"), **fields}


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_the_import_page_is_forbidden_to_those_who_manage_no_roster(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, upload(csv_bytes(row()))).status_code == 403
    assert not Volunteer.objects.exists()


def test_the_import_page_explains_the_columns(client, coordinator):
    client.force_login(coordinator)

    response = client.get(IMPORT_URL)

    assert response.status_code == 200
    for column in COLUMNS:
        assert f">{column}</th>".encode() in response.content
    assert b'name="dry_run"' in response.content


def test_the_import_page_lists_every_error_and_saves_nothing(client, coordinator):
    client.force_login(coordinator)

    response = client.post(
        IMPORT_URL, upload(csv_bytes(row(whatsapp="0812"), row(whatsapp="", corps="pramuka")))
    )

    assert response.status_code == 200
    assert response.context["errors"] == [
        "Row 2, whatsapp: 0812 is not a valid phone number, e.g. 0812 3456 7890.",
        "Row 3, corps: pramuka is not a known corps; use one of kader-digital, pandu-digital, "
        "relawan-tik.",
    ]
    assert "Row 3, corps: pramuka" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_the_import_page_imports_and_shows_the_counts(client, coordinator):
    client.force_login(coordinator)

    response = client.post(IMPORT_URL, upload(csv_bytes(row(), row(whatsapp="081234567002"))))

    assert response.status_code == 200
    assert response.context["result"].created == 2
    assert "volunteers: 2 new, 0 updated, 0 unchanged" in response.content.decode()
    assert Volunteer.objects.count() == 2


def test_the_import_page_check_only_saves_nothing(client, coordinator):
    client.force_login(coordinator)

    response = client.post(IMPORT_URL, upload(csv_bytes(row()), dry_run="on"))

    assert response.context["result"].created == 1
    assert "nothing was saved" in response.content.decode()
    assert not Volunteer.objects.exists()


# The roster page's links


@pytest.mark.parametrize("can_manage_roster", [True, False])
def test_the_roster_links_keep_the_filters_and_offer_the_import_to_managers(can_manage_roster):
    request = RequestFactory().get("/relawan/", {"corps": "pandu-digital", "status": "active"})

    html = render_to_string(
        "volunteers/includes/roster_csv_links.html",
        {"request": request, "can_manage_roster": can_manage_roster},
    )

    assert f'href="{CSV_URL}?corps=pandu-digital&amp;status=active"' in html
    assert (f'href="{IMPORT_URL}"' in html) is can_manage_roster


# The management command


def write_file(tmp_path, *rows) -> str:
    path = tmp_path / "relawan.csv"
    path.write_bytes(csv_bytes(*rows))
    return str(path)


def test_the_command_imports_and_prints_the_counts(tmp_path, capsys, coordinator):
    call_command("import_volunteers", write_file(tmp_path, row()), user="coordinator")

    out = capsys.readouterr().out
    assert "volunteers: 1 new, 0 updated, 0 unchanged" in out
    assert "memberships: 1 new, 0 updated, 0 unchanged" in out
    assert Volunteer.objects.get().whatsapp == "+6281234567001"


def test_the_command_dry_run_writes_nothing(tmp_path, capsys, coordinator):
    call_command("import_volunteers", write_file(tmp_path, row()), "--dry-run", user="coordinator")

    assert "nothing was written" in capsys.readouterr().out
    assert not Volunteer.objects.exists()


def test_the_command_fails_with_the_errors(tmp_path, coordinator):
    path = write_file(tmp_path, row(), row(whatsapp="0812"))

    with pytest.raises(CommandError) as caught:
        call_command("import_volunteers", path, user="coordinator")

    assert "Row 3, whatsapp: 0812 is not a valid phone number" in str(caught.value)
    assert not Volunteer.objects.exists()


def test_the_command_refuses_a_user_who_manages_no_roster_or_does_not_exist(tmp_path, secretary):
    path = write_file(tmp_path, row())

    with pytest.raises(CommandError):
        call_command("import_volunteers", path, user="secretary")
    with pytest.raises(CommandError, match="No user nobody"):
        call_command("import_volunteers", path, user="nobody")
