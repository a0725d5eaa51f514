"""A district official opens the dashboard, reads the programme's figures, switches the map's
layer, follows the attention list and drills down to a kecamatan and a village; another regency's
dashboard is not theirs."""

import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.dashboard.actions import rebuild_rollups
from tests.browser.pages import assert_unique_ids, kpi, map_shapes, square
from tests.dashboard.conftest import activity
from tests.factories import (
    EnrolmentFactory,
    MilestoneFactory,
    ProgrammeFactory,
    VisitFactory,
)
from villages.models import VillageBoundary

pytestmark = pytest.mark.browser

# The map's colours (static/js/map.js) that the journey tells apart.
OVERDUE_RED = "#c62828"
NO_BACKLOG_GREEN = "#2e7d32"
ACTIVE_BLUE = "#1e88e5"
NO_DATA_GREY = "#9e9e9e"


def busy_village(village, programme, milestones, *, serial: int):
    """The dashboard tests' one village of activity (2 of 3 milestones done today, a main mentor,
    2 verified visits today, 4 requests: completed on time, completed late, overdue and open)
    and a draft visit that does not count yet."""
    volunteer = activity(village, programme, milestones, serial=serial).volunteer
    VisitFactory(
        volunteer=volunteer, village=village, visited_on=timezone.localdate(), status="draft"
    )


@pytest.fixture
def programme_activity(regions):
    """Blitar's programme: Jaten (Wonodadi) busy, Bakung (Udanawu) enrolled with nothing done and
    no mentor, Kelurahan Dua not enrolled; Kediri's programme as busy as Jaten, so that a figure
    leaking across the regency's border changes a number. Outlines for every village. Factories
    write no rollups (only the write actions do, after their commit), so they are rebuilt here,
    as the nightly job does."""
    blitar = ProgrammeFactory(name="Desa Cerdas Blitar", slug="dc-blitar", regency=regions.regency)
    kediri = ProgrammeFactory(
        name="Desa Cerdas Kediri", slug="dc-kediri", regency=regions.other_regency
    )
    blitar_milestones = [MilestoneFactory(programme=blitar) for _ in range(3)]
    kediri_milestones = [MilestoneFactory(programme=kediri) for _ in range(3)]
    busy_village(regions.village_a, blitar, blitar_milestones, serial=1)
    EnrolmentFactory(programme=blitar, village=regions.village_b, status="active")
    busy_village(regions.far_village, kediri, kediri_milestones, serial=2)
    for number, village in enumerate(
        [regions.village_a, regions.village_a2, regions.village_b, regions.far_village]
    ):
        VillageBoundary.objects.create(village=village, **square(112.1 + number / 50, -8.1, 0.01))
    rebuild_rollups()
    return SimpleNamespace(blitar=blitar, kediri=kediri)


def fills(page) -> list[str]:
    """The fill colour of each outline on the map, sorted."""
    return sorted(map_shapes(page).evaluate_all("paths => paths.map(p => p.getAttribute('fill'))"))


def test_an_official_reads_the_dashboard_and_drills_down_to_a_kecamatan_and_a_village(
    regions, official, programme_activity, logged_in_page, screenshot
):
    page = logged_in_page(official)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()

    # The official's one area, the kabupaten, opens at once, with its own figures only.
    expect(page.locator("h1")).to_have_text("KABUPATEN BLITAR")
    expect(kpi(page, "villages_enrolled")).to_have_text("2")
    expect(kpi(page, "milestones_percent")).to_have_text("33 %")  # 2 of 6
    expect(kpi(page, "visits_this_month")).to_have_text("2")  # the draft does not count
    expect(kpi(page, "visits")).to_have_text("2")
    expect(kpi(page, "requests_filed")).to_have_text("4")
    expect(kpi(page, "on_time_percent")).to_have_text("50 %")
    expect(kpi(page, "requests_overdue")).to_have_text("1")
    main = page.locator("main")
    expect(main).to_contain_text("36 participants")
    expect(main).to_contain_text("20 women, 16 men, of whom 10 young")
    expect(main).not_to_contain_text("Mojo")  # Kediri's kecamatan and village

    # The map draws the regency's three villages, coloured by programme status first.
    expect(map_shapes(page)).to_have_count(3)
    layer = page.get_by_label("Colour villages by")
    expect(layer).to_be_enabled()
    assert fills(page) == sorted([ACTIVE_BLUE, ACTIVE_BLUE, NO_DATA_GREY])
    legend = page.locator("[data-map-legend]")
    expect(legend).to_contain_text("active")
    assert_unique_ids(page)
    screenshot(page, "regency")

    layer.select_option(label="Request backlog")
    expect(legend).to_contain_text("Overdue requests")
    expect(legend).to_contain_text("No open request")
    expect(legend).not_to_contain_text("active")
    assert fills(page) == sorted([OVERDUE_RED, NO_BACKLOG_GREEN, NO_BACKLOG_GREEN])
    screenshot(page, "map-request-backlog")

    # The attention list, worst first: Bakung has three reasons, Jaten one.
    attention = page.locator("ul.attention > li")
    expect(attention).to_have_count(2)
    expect(attention.nth(0)).to_contain_text("Bakung")
    expect(attention.nth(0).locator(".reasons li")).to_have_text(
        ["never visited", "no main mentor", "milestones stalled"]
    )
    expect(attention.nth(1)).to_contain_text("Jaten")
    expect(attention.nth(1).locator(".reasons li")).to_have_text(["1 overdue request"])
    attention.nth(0).get_by_role("link", name="Bakung").click()
    expect(page.locator("h1")).to_have_text("Bakung")
    expect(page).to_have_url(re.compile(r"/wilayah/desa/35\.05\.02\.2001/$"))
    screenshot(page, "attention-village-page")
    page.go_back()
    expect(page.locator("h1")).to_have_text("KABUPATEN BLITAR")

    # Down to the kecamatan through the table's own link.
    per_kecamatan = page.get_by_role("table", name="Per kecamatan")
    expect(per_kecamatan.locator("tbody tr")).to_have_count(2)
    per_kecamatan.get_by_role("link", name="Wonodadi").click()
    expect(page.locator("h1")).to_have_text("Kecamatan Wonodadi")
    expect(kpi(page, "villages_enrolled")).to_have_text("1")
    expect(kpi(page, "milestones_percent")).to_have_text("67 %")
    expect(kpi(page, "visits_this_month")).to_have_text("2")
    expect(kpi(page, "requests_filed")).to_have_text("4")
    expect(kpi(page, "requests_overdue")).to_have_text("1")
    expect(map_shapes(page)).to_have_count(2)
    expect(page.locator("ul.attention > li")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("Bakung")
    assert_unique_ids(page)
    screenshot(page, "kecamatan")

    per_village = page.get_by_role("table", name="Per village")
    per_village.get_by_role("link", name="Jaten").click()
    expect(page.locator("h1")).to_have_text("Jaten")
    breadcrumbs = page.get_by_role("navigation", name="Breadcrumbs")
    expect(breadcrumbs.get_by_role("listitem")).to_have_text(
        ["Dashboard", "KABUPATEN BLITAR", "Wonodadi", "Jaten"]
    )
    expect(kpi(page, "visits_this_month")).to_have_text("2")
    expect(kpi(page, "requests_filed")).to_have_text("4")
    expect(page.locator("main")).to_contain_text("Desa Cerdas Blitar: 2/3")
    expect(map_shapes(page)).to_have_count(1)
    assert_unique_ids(page)
    screenshot(page, "village")

    # Back up through the breadcrumbs, as people do.
    breadcrumbs.get_by_role("link", name="Wonodadi").click()
    expect(page.locator("h1")).to_have_text("Kecamatan Wonodadi")

    # Kediri is another official's: its dashboards are not found, and say nothing of it.
    for address in ("/dasbor/kabupaten/35.06/", "/dasbor/desa/35.06.01.2001/"):
        response = page.goto(address)
        assert response.status == 404, address
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("KEDIRI")
        expect(page.locator("main")).not_to_contain_text("Mojo")
    screenshot(page, "other-regency-not-found")
