"""A citizen, on a phone and without an account, reads the programme in numbers of their
kabupaten, follows their request by the code on their receipt and checks a letter's code; the
public page shows no one's personal data."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.dashboard.actions import rebuild_rollups
from services.actions.requests import file_request, mark_ready, start_processing, verify_request
from services.models import Letter
from tests.browser.pages import (
    PHONE,
    assert_fits_width,
    assert_unique_ids,
    kpi,
    map_shapes,
    square,
)
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    MilestoneFactory,
    MilestoneProgressFactory,
    ProgrammeFactory,
    ServiceTypeFactory,
    VisitFactory,
    VolunteerFactory,
)
from villages.models import VillageBoundary

pytestmark = pytest.mark.browser

# Kecamatan Wonodadi (35.05.01), a man born 1 January 1990.
NIK = "3505010101900001"
APPLICANT = {
    "applicant_name": "Budi Santoso",
    "nik": NIK,
    "applicant_sex": "male",
    "applicant_phone": "0812 3456 7890",
    "address": "Jl. Raya Jaten 12",
    "purpose": "Persyaratan melamar pekerjaan",
}


@pytest.fixture
def pilot(regions, secretary):
    """Blitar's programme with Jaten (2 of 3 milestones, mentored by Sri Wahyuni, one visit this
    month) and Bakung (nothing done yet) enrolled, outlines for three villages, and a citizen's
    request at Jaten taken through the workflow to ready, with its letter."""
    programme = ProgrammeFactory(
        name="Desa Cerdas Blitar", slug="dc-blitar", regency=regions.regency
    )
    milestones = [MilestoneFactory(programme=programme) for _ in range(3)]
    jaten = EnrolmentFactory(programme=programme, village=regions.village_a, status="active")
    for milestone in milestones[:2]:
        MilestoneProgressFactory(enrolment=jaten, milestone=milestone)
    EnrolmentFactory(programme=programme, village=regions.village_b, status="active")
    mentor = VolunteerFactory(
        full_name="Sri Wahyuni",
        whatsapp="+6281277700001",
        email="sri.wahyuni@example.org",
        district=regions.district,
    )
    AssignmentFactory(volunteer=mentor, village=regions.village_a, programme=programme)
    VisitFactory(
        volunteer=mentor,
        village=regions.village_a,
        visited_on=timezone.localdate(),
        participants_female=12,
        participants_male=9,
        participants_youth=6,
    )
    for number, village in enumerate([regions.village_a, regions.village_a2, regions.village_b]):
        VillageBoundary.objects.create(village=village, **square(112.1 + number / 50, -8.1, 0.01))

    domisili = ServiceTypeFactory(
        code="domisili",
        name="Surat Keterangan Domisili",
        issues_letter=True,
        letter_code="470",
        letter_title="SURAT KETERANGAN DOMISILI",
    )
    # Factories write no rollups: rebuilt here, as the nightly job does. The request comes
    # after, through the write actions, whose commits refresh the rollups (so the page's
    # request count proves that path too).
    rebuild_rollups()
    service_request = file_request(
        village=regions.village_a, service_type=domisili, actor=secretary, **APPLICANT
    )
    verify_request(service_request=service_request, actor=secretary)
    start_processing(service_request=service_request, actor=secretary)
    mark_ready(service_request=service_request, actor=secretary)
    service_request.refresh_from_db()
    return SimpleNamespace(service_request=service_request, mentor=mentor)


def test_a_citizen_reads_the_programme_in_numbers_tracks_a_request_and_checks_a_letter(
    regions, pilot, open_page, screenshot
):
    service_request, mentor = pilot.service_request, pilot.mentor
    letter = Letter.objects.get(service_request=service_request)

    page = open_page(**PHONE)
    page.goto("/publik/")
    expect(page.locator("h1")).to_have_text("The programme in numbers")
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    assert_fits_width(page)
    screenshot(page, "index")

    with page.expect_response("**/publik/35.05/peta/") as map_response:
        page.get_by_role("link", name="KABUPATEN BLITAR").click()
    expect(page.locator("h1")).to_have_text("KABUPATEN BLITAR")
    main = page.locator("main")
    expect(main).to_contain_text("Desa Cerdas Blitar")
    expect(kpi(page, "villages_enrolled")).to_have_text("2")
    expect(kpi(page, "milestones_percent")).to_have_text("33 %")  # 2 of 6
    expect(kpi(page, "visits")).to_have_text("1")
    expect(main).to_contain_text("12 women, 9 men, of whom 6 young")
    expect(kpi(page, "volunteers_active")).to_have_text("1")
    expect(kpi(page, "requests_filed")).to_have_text("1")  # refreshed by the actions' commits

    # The pilot villages, on the map and in the table; Kelurahan Dua is not one of them.
    expect(map_shapes(page)).to_have_count(2)
    legend = page.locator("[data-map-legend]")
    expect(legend).to_contain_text("50-74 %")
    expect(legend).to_contain_text("0-24 %")
    villages = page.get_by_role("table", name="Pilot villages")
    expect(villages.locator("tbody tr")).to_have_count(2)
    expect(villages.locator("tr", has_text="Jaten")).to_contain_text("67 %")
    expect(villages.locator("tr", has_text="Bakung")).to_contain_text("0 %")
    expect(main).not_to_contain_text("Kelurahan Dua")

    # Only counts, percentages and region names: nobody's name, NIK, phone or tracking code,
    # neither in the page (its whole source, not only what shows) nor in the map's data.
    private = [
        service_request.applicant_name,
        "Santoso",
        "Budi S.",
        NIK,
        "3505**********01",
        service_request.applicant_phone,  # +6281234567890
        "081234567890",
        service_request.tracking_code,
        "Jl. Raya Jaten",
        mentor.full_name,
        mentor.whatsapp,
        mentor.email,
    ]
    assert service_request.applicant_phone == "+6281234567890"
    source = page.content()
    geojson = map_response.value.text()
    assert '"Jaten"' in geojson
    for value in private:
        assert value not in source, f"{value!r} is on the public page"
        assert value not in geojson, f"{value!r} is in the public map's data"
    assert_fits_width(page)
    # Both boxes name their field "code": each label must still lead to its own input.
    assert_unique_ids(page)
    screenshot(page, "kabupaten")

    # The tracking box takes the code as people type it from the receipt.
    code = service_request.tracking_code
    grouped = "-".join(code[i : i + 4] for i in range(0, 12, 4)).lower()
    page.get_by_label("Tracking code:", exact=True).fill(grouped)
    page.get_by_role("button", name="Track").click()
    expect(page.locator("h1")).to_have_text("Surat Keterangan Domisili")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(code)
    expect(facts).to_contain_text("Jaten")
    expect(facts).to_contain_text("Budi S.")
    expect(facts).to_contain_text("Ready for pick-up")
    expect(page.get_by_role("status")).to_contain_text("you can collect it at the village office")
    for value in (NIK, "Santoso", "Jl. Raya Jaten", "081234567890"):
        expect(page.locator("main")).not_to_contain_text(value)
    assert_fits_width(page)
    screenshot(page, "request-status")

    # Back on the kabupaten's page, the letter box checks the code printed on a letter.
    page.go_back()
    expect(page.locator("h1")).to_have_text("KABUPATEN BLITAR")
    page.get_by_label("Verification code:", exact=True).fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("h1")).to_have_text("Letter check")
    expect(page.get_by_role("alert")).to_contain_text("There is no letter with the code")
    screenshot(page, "unknown-letter")

    page.go_back()
    page.get_by_label("Verification code:", exact=True).fill(letter.verification_code.lower())
    page.get_by_role("button", name="Check").click()
    expect(page.locator("h1")).to_have_text("Letter check")
    expect(page.get_by_role("status")).to_contain_text("is valid: the village office issued it")
    checked = page.locator("dl.facts")
    expect(checked).to_contain_text(letter.number)
    expect(checked).to_contain_text("Surat Keterangan Domisili")
    expect(checked).to_contain_text("Jaten")
    for value in (service_request.applicant_name, "Budi S.", NIK, code):
        expect(page.locator("main")).not_to_contain_text(value)
    assert_fits_width(page)
    screenshot(page, "letter-valid")
