"""A district official follows the programme and drills down the regions: kabupaten, kecamatan,
village. (The dashboard's journey belongs beside this one, with the same helpers.)"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import map_shapes, square
from tests.factories import EnrolmentFactory, ProgrammeFactory, VillageProfileFactory
from villages.models import DistrictBoundary, VillageBoundary

pytestmark = pytest.mark.browser


@pytest.fixture
def blitar(regions):
    """Outlines for every village and kecamatan, a Blitar programme with two villages, and one
    in Kediri that a Blitar official must not see."""
    for number, village in enumerate(
        [regions.village_a, regions.village_a2, regions.village_b, regions.far_village]
    ):
        VillageBoundary.objects.create(village=village, **square(112.1 + number / 50, -8.1, 0.01))
    for number, district in enumerate(
        [regions.district, regions.other_district, regions.far_district]
    ):
        DistrictBoundary.objects.create(
            district=district, **square(112.1 + number / 10, -8.1, 0.05)
        )
    programme = ProgrammeFactory(
        name="Desa Cerdas Kemendes 2021", slug="desa-cerdas-2021", regency=regions.regency
    )
    for village in (regions.village_a, regions.village_b):
        EnrolmentFactory(programme=programme, village=village)
    kediri = ProgrammeFactory(name="Kediri Digital", slug="kediri", regency=regions.other_regency)
    EnrolmentFactory(programme=kediri, village=regions.far_village)
    VillageProfileFactory(village=regions.village_a, head_name="Suyatno", population=4200)
    return programme


def test_an_official_drills_down_from_a_programme_to_a_kecamatan_and_a_village(
    regions, official, blitar, logged_in_page, screenshot
):
    page = logged_in_page(official)
    menu = page.get_by_role("navigation", name="Main menu")
    screenshot(page, "home")

    menu.get_by_role("link", name="Programmes").click()
    expect(page.locator("h1")).to_have_text("Programmes")
    programmes = page.get_by_role("table", name="1 programme")
    expect(programmes).to_contain_text("Desa Cerdas Kemendes 2021")
    expect(page.locator("main")).not_to_contain_text("Kediri Digital")
    screenshot(page, "programmes")

    programmes.get_by_role("link", name="Desa Cerdas Kemendes 2021").click()
    expect(page.locator("h1")).to_have_text("Desa Cerdas Kemendes 2021")
    enrolled = page.get_by_role("table", name="2 villages")
    expect(enrolled).to_contain_text("Jaten")
    expect(enrolled).to_contain_text("Bakung")
    # The map shows the regency's villages, the enrolled ones coloured; never Kediri's.
    expect(map_shapes(page)).to_have_count(3)
    screenshot(page, "programme")

    menu.get_by_role("link", name="Regions").click()
    expect(page.locator("h1")).to_have_text("Regions")
    expect(page.locator("main")).to_contain_text("KABUPATEN BLITAR")
    expect(page.locator("main")).not_to_contain_text("KABUPATEN KEDIRI")
    screenshot(page, "regions")

    page.get_by_role("link", name="KABUPATEN BLITAR").click()
    expect(page.locator("h1")).to_have_text("KABUPATEN BLITAR")
    districts = page.get_by_role("table", name="2 districts (kecamatan)")
    expect(districts).to_contain_text("Wonodadi")
    expect(districts).to_contain_text("Udanawu")
    expect(map_shapes(page)).to_have_count(3)
    screenshot(page, "regency")

    districts.get_by_role("link", name="Wonodadi").click()
    expect(page.locator("h1")).to_have_text("Kecamatan Wonodadi")
    villages = page.get_by_role("table", name="2 villages")
    expect(villages).to_contain_text("Jaten")
    expect(villages).to_contain_text("Kelurahan Dua")
    expect(villages).not_to_contain_text("Bakung")
    expect(map_shapes(page)).to_have_count(2)
    screenshot(page, "kecamatan")

    villages.get_by_role("link", name="Jaten").click()
    expect(page.locator("h1")).to_have_text("Jaten")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(breadcrumbs.get_by_role("listitem")).to_have_text(
        ["Regions", "KABUPATEN BLITAR", "Wonodadi", "Jaten"]
    )
    profile = page.locator("main")
    expect(profile).to_contain_text("Suyatno")
    expect(profile).to_contain_text("4200")
    expect(map_shapes(page)).to_have_count(1)
    screenshot(page, "village")

    # Back up through the breadcrumbs, as people do.
    breadcrumbs.get_by_role("link", name="Wonodadi").click()
    expect(page.locator("h1")).to_have_text("Kecamatan Wonodadi")
