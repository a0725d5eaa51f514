"""Letters: their numbers (gap-free, also when twenty are issued at once), their text, the PDF,
the staff download and the public check that shows no personal data."""

import base64
import datetime
import re
import threading
import uuid
import zlib
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from services.actions.letters import issue_letter
from services.letter_pdf import letter_pdf
from services.letters import formatted_code, letter_context, render_body
from services.models import LetterCounter, NikView, ServiceType
from tests.factories import (
    DistrictFactory,
    ProvinceFactory,
    RegencyFactory,
    ServiceRequestFactory,
    ServiceTypeFactory,
    UserFactory,
    VillageFactory,
    VillageProfileFactory,
)

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def jakarta(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever the .po files translate them to."""
    with translation.override("en"):
        yield


@pytest.fixture
def at(monkeypatch):
    """Issue letters as if it were `when` (Asia/Jakarta)."""

    def set_now(when: datetime.datetime):
        monkeypatch.setattr("django.utils.timezone.now", lambda: when)

    return set_now


def issue(service_request, actor, signer="Sutrisno", title="Kepala Desa Jaten"):
    return issue_letter(
        service_request=service_request, signer_name=signer, signer_title=title, actor=actor
    )


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's content streams, decoded (reportlab writes ASCII85 over Flate)."""
    decoded = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            decoded.append(zlib.decompress(base64.a85decode(raw.strip(), adobe=True)))
        except (ValueError, zlib.error):
            decoded.append(raw)
    return b"\n".join(decoded)


@pytest.fixture
def jaten_request(regions):
    """Budi Santoso's request for a surat keterangan domisili at Jaten, whose office has an
    address on file."""
    VillageProfileFactory(
        village=regions.village_a,
        head_name="Sutrisno",
        office_address="Jl. Raya Jaten No. 1, Wonodadi",
    )
    return ServiceRequestFactory(village=regions.village_a, address="Jl. Mawar 3")


@pytest.fixture
def letter(jaten_request, secretary, at):
    at(jakarta(2026, 11, 23, 10, 0))
    return issue(jaten_request, secretary)


# Numbering


def test_the_first_letter_of_a_village_type_and_year_is_number_1(letter):
    assert letter.number == "470/1/35.05.01.2001/XI/2026"
    assert letter.sequence == 1
    assert letter.year == 2026
    assert letter.signer_title == "Kepala Desa Jaten"


@pytest.mark.parametrize("month", range(1, 13))
def test_the_month_is_written_in_roman_numerals(regions, secretary, at, month):
    at(jakarta(2026, month, 15, 9, 0))

    letter = issue(ServiceRequestFactory(village=regions.village_a), secretary)

    assert letter.number == f"470/1/35.05.01.2001/{ROMAN[month - 1]}/2026"


def test_the_month_and_year_are_those_of_jakarta_not_utc(regions, secretary, at):
    # 1 January 2027, 05:00 in Jakarta is still 2026 in UTC.
    at(datetime.datetime(2026, 12, 31, 22, 0, tzinfo=datetime.UTC))

    letter = issue(ServiceRequestFactory(village=regions.village_a), secretary)

    assert letter.number == "470/1/35.05.01.2001/I/2027"


def test_numbers_follow_each_other_per_village_type_and_year(regions, secretary, at):
    at(jakarta(2026, 11, 23, 10, 0))
    jaten = [issue(ServiceRequestFactory(village=regions.village_a), secretary) for _ in range(3)]
    other_village = issue(ServiceRequestFactory(village=regions.village_a2), secretary)
    other_type = issue(
        ServiceRequestFactory(
            village=regions.village_a, service_type=ServiceTypeFactory(code="usaha")
        ),
        secretary,
    )
    at(jakarta(2027, 1, 4, 8, 0))
    next_year = issue(ServiceRequestFactory(village=regions.village_a), secretary)

    assert [letter.number for letter in jaten] == [
        "470/1/35.05.01.2001/XI/2026",
        "470/2/35.05.01.2001/XI/2026",
        "470/3/35.05.01.2001/XI/2026",
    ]
    assert other_village.number == "470/1/35.05.01.1001/XI/2026"
    assert other_type.number == "503/1/35.05.01.2001/XI/2026"
    assert next_year.number == "470/1/35.05.01.2001/I/2027"


def test_issuing_a_letter_twice_gives_the_same_letter_and_uses_no_number(letter, secretary):
    again = issue(letter.service_request, secretary, signer="Someone else")

    assert again.pk == letter.pk
    assert again.number == letter.number
    assert again.signer_name == "Sutrisno"
    assert LetterCounter.objects.get(village_id="35.05.01.2001").last_number == 1


def test_a_service_without_a_letter_gets_none(regions, secretary):
    no_letter = ServiceTypeFactory(code="tanpa-surat", issues_letter=False, letter_code="")
    service_request = ServiceRequestFactory(village=regions.village_a, service_type=no_letter)

    with pytest.raises(ValidationError, match="issues no letter"):
        issue(service_request, secretary)

    assert not LetterCounter.objects.exists()


def test_each_letter_gets_its_own_unguessable_verification_code(regions, secretary):
    codes = {
        issue(ServiceRequestFactory(village=regions.village_a), secretary).verification_code
        for _ in range(5)
    }

    assert len(codes) == 5
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{12}", code) for code in codes)


def _run_at_once(target, arguments):
    """Run `target(argument)` in one thread per argument, all released together."""
    start = threading.Barrier(len(arguments))
    errors = []

    def run(argument):
        try:
            start.wait(timeout=30)
            target(argument)
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _village_with_requests(count: int):
    """Rows of its own: a transactional test cannot count on fixtures' or migrations' data."""
    regency = RegencyFactory(
        code="35.05", name="KABUPATEN BLITAR", province=ProvinceFactory(code="35")
    )
    village = VillageFactory(
        code="35.05.01.2001",
        name="Jaten",
        district=DistrictFactory(code="35.05.01", name="Wonodadi", regency=regency),
    )
    service_type = ServiceTypeFactory(code="uji-serentak", letter_code="470")
    requests = [
        ServiceRequestFactory(village=village, service_type=service_type) for _ in range(count)
    ]
    return requests, UserFactory(username="sekdes")


@pytest.mark.django_db(transaction=True)
def test_twenty_letters_issued_at_once_are_numbered_1_to_20_without_gap_or_duplicate():
    requests, secretary = _village_with_requests(20)
    numbers = []

    errors = _run_at_once(
        lambda service_request: numbers.append(issue(service_request, secretary).number),
        requests,
    )

    assert errors == []
    sequences = sorted(int(number.split("/")[1]) for number in numbers)
    assert sequences == list(range(1, 21))
    assert len(set(numbers)) == 20
    assert LetterCounter.objects.get().last_number == 20


@pytest.mark.django_db(transaction=True)
def test_one_request_issued_twice_at_once_gets_one_letter_and_one_number():
    (service_request,), secretary = _village_with_requests(1)
    numbers = []

    errors = _run_at_once(
        lambda _: numbers.append(issue(service_request, secretary).number), [1, 2]
    )

    assert errors == []
    assert len(set(numbers)) == 1
    assert LetterCounter.objects.get().last_number == 1


# The letter's text


def body(text: str, **context) -> str:
    return render_body(ServiceType(letter_body=text), context)


def test_the_letter_text_is_filled_from_the_request(letter):
    context = letter_context(letter)

    assert context == {
        "applicant_name": "Budi Santoso",
        "nik": "3505010101900001",
        "address": "Dusun Krajan, RT 001/RW 002, Jl. Mawar 3",
        "village_full": "Desa Jaten, Kecamatan Wonodadi, Kabupaten Blitar",
        "purpose": "Persyaratan melamar pekerjaan",
        "village": "Jaten",
        "district": "Wonodadi",
        "regency": "Blitar",
    }
    text = render_body(letter.service_request.service_type, context)
    assert "Budi Santoso" in text
    assert "{" not in text


def test_a_kelurahan_is_named_as_such_once(regions, secretary):
    letter = issue(ServiceRequestFactory(village=regions.village_a2), secretary)

    assert (
        letter_context(letter)["village_full"]
        == "Kelurahan Dua, Kecamatan Wonodadi, Kabupaten Blitar"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nama {applicant_name}, {purpose}.", "Nama Budi, sekolah."),
        ("Unknown {rt_rw} stays", "Unknown {rt_rw} stays"),
        ("{applicant_name.__class__}", "{applicant_name.__class__}"),
        ("{applicant_name!r} {nik:>20} {0} {}", "{applicant_name!r} {nik:>20} {0} {}"),
        ("{{applicant_name}}", "{Budi}"),
        ("unbalanced {applicant_name and } {", "unbalanced {applicant_name and } {"),
        ("{APPLICANT_NAME}", "{APPLICANT_NAME}"),
    ],
)
def test_odd_or_unknown_placeholders_stay_visible_and_never_fail(text, expected):
    assert body(text, applicant_name="Budi", purpose="sekolah", nik="3505") == expected


# The PDF


def test_the_letter_is_a_pdf_with_letterhead_number_applicant_signer_and_code(letter):
    url = f"https://portal.example/surat/{letter.verification_code}/"

    with translation.override("en"):
        pdf = letter_pdf(letter=letter, verify_url=url)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        "PEMERINTAH KABUPATEN BLITAR",
        "KECAMATAN WONODADI",
        "DESA JATEN",
        "Jl. Raya Jaten No. 1, Wonodadi",
        "SURAT KETERANGAN DOMISILI",
        "Nomor: 470/1/35.05.01.2001/XI/2026",
        "Budi Santoso",
        "3505010101900001",
        "Blitar, 23 November 2026",
        "Kepala Desa Jaten",
        "Sutrisno",
        formatted_code(letter.verification_code),
        url,
    ):
        assert expected.encode() in text, expected


def test_the_letter_is_dated_in_indonesian_whatever_the_page_language(jaten_request, secretary, at):
    at(jakarta(2026, 8, 17, 9, 0))
    letter = issue(jaten_request, secretary)

    with translation.override("en"):
        text = pdf_text(letter_pdf(letter=letter, verify_url="https://portal.example/surat/x/"))

    assert b"Blitar, 17 Agustus 2026" in text


def test_markup_in_the_request_is_printed_as_text(regions, secretary):
    service_request = ServiceRequestFactory(
        village=regions.village_a, applicant_name="Budi <b>& Sons", purpose="a < b"
    )
    letter = issue(service_request, secretary)

    pdf = letter_pdf(letter=letter, verify_url="https://portal.example/surat/x/")

    # reportlab draws the escaped markup as several strings on one line: join them.
    line = pdf_text(pdf).replace(b") Tj (", b"")
    assert b"(Nama: Budi <b>& Sons)" in line


# The staff download


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("secretary", 200),
        ("admin_user", 200),
        ("officer", 403),
        ("official", 403),
        ("outsider", 404),
        ("volunteer", 404),
    ],
)
def test_the_letter_pdf_with_its_full_nik_is_for_the_handling_secretary(
    letter, as_persona, persona, status
):
    response = as_persona(persona).get(
        reverse("services:letter-pdf", args=[letter.service_request_id])
    )

    assert response.status_code == status


def test_the_staff_pdf_opens_inline_named_after_its_number_and_counts_as_a_nik_view(
    letter, as_persona, secretary
):
    response = as_persona("secretary").get(
        reverse("services:letter-pdf", args=[letter.service_request_id])
    )

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="470-1-35.05.01.2001-XI-2026.pdf"'
    assert "no-store" in response["Cache-Control"]
    verify = f"http://testserver/surat/{letter.verification_code}/"
    assert verify.encode() in pdf_text(response.content)
    assert NikView.objects.filter(service_request=letter.service_request, user=secretary).exists()


def test_a_request_without_a_letter_has_no_pdf(jaten_request, as_persona):
    response = as_persona("secretary").get(reverse("services:letter-pdf", args=[jaten_request.pk]))

    assert response.status_code == 404


def test_the_staff_pdf_needs_a_login(letter, client):
    response = client.get(reverse("services:letter-pdf", args=[letter.service_request_id]))

    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


# The public check

PERSONAL = ("Budi Santoso", "Budi", "3505010101900001", "6281234567890", "Krajan", "Mawar")


def test_anyone_sees_that_a_letter_is_valid_without_personal_data(letter, client):
    typed = " " + formatted_code(letter.verification_code).lower() + " "

    response = client.get(reverse("letters:verify", args=[typed]))

    assert response.status_code == 200
    content = response.content.decode()
    for public in (
        "470/1/35.05.01.2001/XI/2026",
        "Surat Keterangan Domisili",
        "Desa Jaten, Kecamatan Wonodadi, Kabupaten Blitar",
        "Kepala Desa Jaten",
        "23 November 2026",
    ):
        assert public in content
    for personal in (*PERSONAL, "Sutrisno", letter.service_request.masked_nik):
        assert personal not in content
    assert response["X-Robots-Tag"] == "noindex"


def test_an_unknown_code_is_a_404_page_that_says_so(db, client):
    response = client.get(reverse("letters:verify", args=["7KQ2-M9XD-P3HT"]))

    assert response.status_code == 404
    assert "7KQ2-M9XD-P3HT" in response.content.decode()


def test_the_lookup_box_leads_to_the_check(db, client):
    response = client.get(reverse("letters:lookup"), {"code": "7kq2 m9xd p3ht"})

    assert response.status_code == 302
    assert response["Location"] == reverse("letters:verify", args=["7KQ2M9XDP3HT"])


def test_the_lookup_box_says_what_a_code_looks_like(db, client):
    response = client.get(
        reverse("letters:lookup"), {"code": "not-a-code"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "A verification code has 12 letters and digits."
    ]


@pytest.fixture
def anonymous():
    """An anonymous API client from its own address, so that throttle counts start at zero;
    only its own throttle key is deleted (the cache is shared)."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    key = f"throttle_letter-verify_{address}"
    cache.delete(key)
    yield APIClient(REMOTE_ADDR=address)
    cache.delete(key)


def test_the_api_confirms_a_letter_with_the_public_fields_only(letter, anonymous):
    typed = formatted_code(letter.verification_code).lower()

    response = anonymous.get(f"/api/letters/verify/{typed}/")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "code": formatted_code(letter.verification_code),
        "number": "470/1/35.05.01.2001/XI/2026",
        "service": "Surat Keterangan Domisili",
        "village": "Desa Jaten, Kecamatan Wonodadi, Kabupaten Blitar",
        "issued_on": "2026-11-23",
        "signer_title": "Kepala Desa Jaten",
    }
    for personal in PERSONAL:
        assert personal not in response.content.decode()


def test_the_api_answers_404_for_an_unknown_code(db, anonymous):
    response = anonymous.get("/api/letters/verify/7KQ2-M9XD-P3HT/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["detail"] == "There is no letter with this code."


def test_the_api_check_is_throttled_per_address(db, anonymous, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["letter-verify"] == "30/minute"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "letter-verify": "2/minute"},
    }

    statuses = [anonymous.get("/api/letters/verify/7KQ2-M9XD-P3HT/").status_code for _ in range(3)]

    assert statuses == [404, 404, 429]


def test_the_schema_describes_the_public_check_without_authentication(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    operation = response.json()["paths"]["/api/letters/verify/{code}/"]["get"]
    assert "security" not in operation
    assert set(operation["responses"]) == {"200", "404"}
