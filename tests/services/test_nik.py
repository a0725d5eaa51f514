"""NIK checks at the counter: one test per rule, each with the message the clerk reads."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from services.nik import validate_nik


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def nik_errors(nik, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_nik(nik, **kwargs)
    return caught.value.message_dict["nik"]


def test_a_valid_nik_tells_the_birth_date_and_sex(regions):
    check = validate_nik("3505010101900001")

    assert check.nik == "3505010101900001"
    assert check.birth_date == datetime.date(1990, 1, 1)
    assert check.sex == "male"
    assert check.is_temporary is False


def test_spaces_and_dots_typed_between_groups_are_ignored(regions):
    assert validate_nik(" 3505.0101 0190 0001 ").nik == "3505010101900001"


def test_a_womans_nik_has_forty_added_to_the_day(regions):
    check = validate_nik("3505014101900002")

    assert check.birth_date == datetime.date(1990, 1, 1)
    assert check.sex == "female"


@pytest.mark.parametrize("nik", ["350501010190001", "35050101019000012", ""])
def test_a_nik_without_exactly_16_digits_is_refused(regions, nik):
    digits = len(nik)
    assert nik_errors(nik) == [f"A NIK has exactly 16 digits; this one has {digits}."]


def test_a_nik_with_letters_is_refused(regions):
    assert nik_errors("35050101019O0001") == ["A NIK has only digits, no letters or signs."]


def test_a_nik_from_a_kecamatan_not_in_the_registry_is_refused_naming_the_six_digits(regions):
    assert nik_errors("3599010101900001") == [
        "The first six digits of the NIK, 359901, are not a kecamatan in the region registry."
    ]


@pytest.mark.parametrize("digits", ["310290", "001290", "011390", "721290"])
def test_a_nik_whose_digits_7_to_12_are_no_date_is_refused(regions, digits):
    assert nik_errors(f"350501{digits}0001") == [
        f"Digits 7 to 12 of the NIK, {digits}, are not a birth date (DDMMYY, women add 40 to "
        "the day)."
    ]


def test_both_the_region_and_the_date_are_reported_at_once(regions):
    assert len(nik_errors("3599013102900001")) == 2


def test_a_birth_date_is_never_read_as_in_the_future_but_in_the_century_before(regions):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    nik = f"350501{tomorrow:%d%m%y}0001"

    birth_date = validate_nik(nik).birth_date

    assert birth_date == tomorrow.replace(year=tomorrow.year - 100)
    assert birth_date <= timezone.localdate()


def test_a_birth_date_earlier_this_century_is_read_in_this_century(regions):
    assert validate_nik("3505010101050001").birth_date == datetime.date(2005, 1, 1)


def test_a_sex_entered_that_the_nik_contradicts_is_refused(regions):
    assert nik_errors("3505014101900002", sex="male") == [
        "The NIK says female, but the sex entered is male."
    ]
    assert validate_nik("3505014101900002", sex="female").sex == "female"


def test_a_temporary_nik_beginning_with_0_is_flagged_not_refused(regions):
    check = validate_nik("0005010101900001")

    assert check.is_temporary is True
    assert check.birth_date == datetime.date(1990, 1, 1)


def test_a_temporary_nik_still_needs_a_real_birth_date(regions):
    assert "are not a birth date" in nik_errors("0005013102900001")[0]
