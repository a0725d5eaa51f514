"""A volunteer logs a mentoring visit on a small phone, with the phone's GPS position."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import PHONE, assert_fits_width
from villages.models import VillageBoundary
from volunteers.models import PositionCheck, Visit, VisitStatus

pytestmark = pytest.mark.browser

# A square of about 1.1 km around the point where the phone says it is.
JATEN_OUTLINE = [
    [112.10, -8.10],
    [112.11, -8.10],
    [112.11, -8.09],
    [112.10, -8.09],
    [112.10, -8.10],
]
AT_THE_VILLAGE_OFFICE = {"latitude": -8.095, "longitude": 112.105, "accuracy": 12}


@pytest.fixture
def jaten_outline(regions):
    return VillageBoundary.objects.create(
        village=regions.village_a,
        geometry={"type": "Polygon", "coordinates": [JATEN_OUTLINE]},
        centroid_lat=-8.095,
        centroid_lng=112.105,
        inside_lat=-8.095,
        inside_lng=112.105,
        area_km2=1.2,
        source="test",
    )


def test_a_volunteer_logs_a_visit_with_gps_on_a_360_px_phone(
    regions, volunteer, mentoring, jaten_outline, logged_in_page, screenshot
):
    page = logged_in_page(
        volunteer, **PHONE, geolocation=AT_THE_VILLAGE_OFFICE, permissions=["geolocation"]
    )
    assert_fits_width(page)
    screenshot(page, "home")

    page.goto("/relawan/saya/")
    expect(page.locator("h1")).to_have_text("My villages and visits")
    assignments = page.get_by_role("table", name="Villages I mentor now")
    expect(assignments).to_contain_text("Jaten")
    expect(assignments).to_contain_text("Not visited yet")
    expect(page.locator("main")).to_contain_text("You have not logged a visit yet.")
    assert_fits_width(page)
    screenshot(page, "my-visits-before")

    page.get_by_role("link", name="Log a visit").click()
    expect(page.locator("h1")).to_have_text("Log a visit")
    # static/js/visit-draft.js asks the phone for its position and fills the hidden fields.
    expect(page.locator(".position-status")).to_have_text("Position found, accurate to about 12 m.")
    assert page.input_value("input[name=latitude]") == "-8.095000"
    assert page.input_value("input[name=longitude]") == "112.105000"
    client_id = page.input_value("input[name=client_id]")
    assert len(client_id) == 36
    today = timezone.localdate()
    assert page.get_by_label("Date:", exact=True).input_value() == today.isoformat()

    page.get_by_label("Village:", exact=True).select_option(label="Jaten (Wonodadi)")
    page.get_by_label("Duration (minutes):", exact=True).fill("90")
    page.get_by_label("digital literacy", exact=True).check()
    page.get_by_label("village website and social media", exact=True).check()
    page.get_by_label("Women:", exact=True).fill("12")
    page.get_by_label("Men:", exact=True).fill("9")
    page.get_by_label("Of whom young people:", exact=True).fill("6")
    page.get_by_label("Summary:", exact=True).fill(
        "Pelatihan literasi digital untuk perangkat desa."
    )
    # What was typed is kept on the phone until the server confirms it.
    draft = page.evaluate("() => JSON.parse(localStorage.getItem('visit-draft:new'))")
    assert draft["summary"] == "Pelatihan literasi digital untuk perangkat desa."
    assert draft["client_id"] == client_id
    assert_fits_width(page)
    screenshot(page, "form-filled")

    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("The visit has been submitted for review.")
    expect(page.locator("h1")).to_have_text("Visit to Jaten")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Submitted")
    expect(facts).to_contain_text("Inside the village")
    expect(facts).to_contain_text("12 women, 9 men, of whom 6 young people")
    # Saved: the phone forgets the draft, so it is not offered again. The page's script is
    # deferred and may run just after the text shows: wait for it (a draft kept fails here).
    page.wait_for_function("() => localStorage.getItem('visit-draft:new') === null", timeout=5000)
    assert_fits_width(page)
    screenshot(page, "visit-submitted")

    visit = Visit.objects.get()
    assert visit.volunteer == mentoring.volunteer
    assert visit.village == regions.village_a
    assert visit.assignment == mentoring.assignment
    assert visit.status == VisitStatus.SUBMITTED
    assert str(visit.client_id) == client_id
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (-8.095, 112.105, 12)
    assert visit.position_check == PositionCheck.INSIDE
    assert visit.visited_on == today

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My visits").click()
    visits = page.get_by_role("table", name="Visits I logged")
    expect(visits.locator("tbody tr")).to_have_count(1)
    row = visits.locator("tbody tr").first
    expect(row).to_contain_text(today.strftime("%d-%m-%Y"))
    expect(row).to_contain_text("Jaten")
    expect(row).to_contain_text("Submitted")
    expect(row.locator("td.number")).to_have_text("21")
    expect(assignments).to_contain_text(today.strftime("%d-%m-%Y"))
    assert_fits_width(page)
    screenshot(page, "my-visits-after")
