"""A village secretary files a citizen's request at the counter, takes it through the workflow to
completed, and opens its letter (PDF); the citizen follows it on the public tracking page."""

import io
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from services.actions.requests import file_request, mark_ready, start_processing, verify_request
from services.models import Letter, NikView, RequestStatus, ServiceRequest
from tests.browser.pages import PHONE, assert_fits_width
from tests.factories import ServiceTypeFactory, VillageProfileFactory

pytestmark = pytest.mark.browser

# Kecamatan Wonodadi (35.05.01), a man born 1 January 1990.
NIK = "3505010101900001"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def domisili(regions):
    """The seeded Surat Keterangan Domisili (created if an earlier test's flush removed it)."""
    return ServiceTypeFactory(
        code="domisili",
        name="Surat Keterangan Domisili",
        issues_letter=True,
        letter_code="470",
        letter_title="SURAT KETERANGAN DOMISILI",
    )


def status_of(page):
    return page.locator("dl.facts .badge")


def test_a_secretary_files_a_request_completes_it_and_gets_its_letter_as_pdf(
    regions, secretary, domisili, logged_in_page, screenshot
):
    VillageProfileFactory(village=regions.village_a, head_name="Suyatno")
    page = logged_in_page(secretary)
    screenshot(page, "home")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Services").click()
    expect(page.locator("h1")).to_have_text("Service requests")
    screenshot(page, "queue")
    page.get_by_role("link", name="File a request").click()

    # The form judges the NIK: a wrong one is refused, naming the field.
    page.get_by_label("Service:", exact=True).select_option(label="Surat Keterangan Domisili")
    page.get_by_label("Applicant's name:", exact=True).fill("Budi Santoso")
    page.get_by_label("NIK:", exact=True).fill("3505010101900")
    page.get_by_label("Purpose:", exact=True).fill("Persyaratan melamar pekerjaan")
    page.get_by_role("button", name="File the request").click()
    nik_field = page.locator(".field-invalid", has=page.get_by_label("NIK:", exact=True))
    expect(nik_field).to_contain_text("16 digits")
    screenshot(page, "form-with-error")
    assert not ServiceRequest.objects.exists()

    page.get_by_label("NIK:", exact=True).fill(NIK)
    page.get_by_label("Sex:", exact=True).select_option("male")
    page.get_by_label("Phone:", exact=True).fill("0812 3456 7890")
    page.get_by_label("Dusun:", exact=True).fill("Krajan")
    page.get_by_label("RT:", exact=True).fill("1")
    page.get_by_label("RW:", exact=True).fill("2")
    screenshot(page, "form-filled")
    page.get_by_role("button", name="File the request").click()

    expect(page.locator("h1")).to_have_text("Receipt of a service request")
    code = page.locator(".tracking-code").inner_text().strip()
    service_request = ServiceRequest.objects.get(tracking_code=code)
    assert service_request.village == regions.village_a
    assert service_request.filed_by == secretary
    assert service_request.applicant_phone == "+6281234567890"
    expect(page.locator("main")).to_contain_text("Surat Keterangan Domisili")
    # The receipt goes to the applicant: it never shows the NIK.
    expect(page.locator("main")).not_to_contain_text(NIK)
    screenshot(page, "receipt")

    page.get_by_role("link", name="Back to the request").click()
    expect(status_of(page)).to_have_text("Submitted")
    expect(page.locator("main")).to_contain_text("3505**********01")
    screenshot(page, "request-submitted")

    steps = [
        ("Documents complete", "The documents are verified.", "Documents verified"),
        ("Start processing", "The request is in process.", "In process"),
        ("Ready for pick-up", "The request is ready for pick-up.", "Ready for pick-up"),
        ("Handed over: complete", "The request is completed.", "Completed"),
    ]
    for button, message, status in steps:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".messages")).to_contain_text(message)
        expect(status_of(page)).to_have_text(status)
        screenshot(page, f"request-{status}")

    # Completed: no step is left, and the timeline shows the whole way.
    expect(page.get_by_role("heading", name="Next steps")).to_have_count(0)
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(5)
    expect(timeline.last).to_contain_text("ready for pick-up → completed")
    # Times are shown in Asia/Jakarta, whatever the server's clock zone.
    filed_at = timezone.localtime(service_request.submitted_at, JAKARTA)
    expect(timeline.first).to_contain_text(filed_at.strftime("%d-%m-%Y %H:%M"))

    letter = Letter.objects.get(service_request=service_request)
    assert re.fullmatch(r"470/1/35\.05\.01\.2001/[IVX]+/20\d\d", letter.number)
    expect(page.locator("main")).to_contain_text(letter.number)
    # The letter opens in the browser's PDF viewer (inline, to print and sign, or save). The
    # viewer hides the bytes from the page, so what the server sends is read on its way in.
    letters = []

    def keep_letter(route):
        response = route.fetch()
        letters.append((response.status, response.headers, response.body()))
        route.fulfill(response=response)

    page.route("**/surat.pdf", keep_letter)
    page.get_by_role("link", name="Letter (PDF)").click()
    page.wait_for_url("**/surat.pdf")
    [(status, headers, body)] = letters
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    filename = letter.number.replace("/", "-") + ".pdf"
    assert f'filename="{filename}"' in headers["content-disposition"]
    assert body.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert letter.number in text
    assert "Suyatno" in text  # the village head signs
    # The letter carries the full NIK: its download is recorded against the secretary.
    assert NikView.objects.filter(service_request=service_request, user=secretary).count() == 1

    service_request.refresh_from_db()
    assert service_request.status == RequestStatus.COMPLETED
    assert service_request.completed_at is not None


def test_a_citizen_tracks_a_request_by_its_code_on_a_phone(
    regions, secretary, domisili, open_page, screenshot
):
    service_request = file_request(
        village=regions.village_a,
        service_type=domisili,
        applicant_name="Budi Santoso",
        nik=NIK,
        applicant_sex="male",
        address="Jl. Raya Jaten 12",
        purpose="Persyaratan melamar pekerjaan",
        actor=secretary,
    )
    service_request = verify_request(service_request=service_request, actor=secretary)
    start_processing(service_request=service_request, actor=secretary)
    code = service_request.tracking_code

    # No login: the citizen only has the receipt, and a phone.
    page = open_page(**PHONE)
    page.goto("/lacak/")
    expect(page.locator("h1")).to_have_text("Track a request")
    expect(page.get_by_role("navigation", name="Main menu")).to_have_count(0)
    assert_fits_width(page)
    screenshot(page, "lookup")

    # An unknown code says so, and what to check.
    page.get_by_label("Tracking code:", exact=True).fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Track").click()
    expect(page.get_by_role("alert")).to_contain_text("There is no request with the code")
    screenshot(page, "unknown-code")

    # Typed as people type it: lower case, in groups.
    grouped = "-".join(code[i : i + 4] for i in range(0, 12, 4)).lower()
    page.get_by_label("Tracking code:", exact=True).fill(grouped)
    page.get_by_role("button", name="Track").click()
    expect(page.locator("h1")).to_have_text("Surat Keterangan Domisili")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(code)
    expect(facts).to_contain_text("Jaten")
    expect(facts).to_contain_text("Budi S.")
    expect(facts).to_contain_text("In process")
    expect(page.locator("ol.timeline li")).to_have_count(3)
    # Nothing personal beyond the shortened name.
    main = page.locator("main")
    for private in (NIK, "3505**********01", "Santoso", "Jl. Raya Jaten"):
        expect(main).not_to_contain_text(private)
    assert_fits_width(page)
    screenshot(page, "in-process")

    # The village marks it ready: the citizen's next look says so.
    mark_ready(service_request=service_request, actor=secretary)
    page.reload()
    expect(facts).to_contain_text("Ready for pick-up")
    expect(page.get_by_role("status")).to_contain_text("you can collect it at the village office")
    screenshot(page, "ready")
