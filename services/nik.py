"""Checking a NIK (Nomor Induk Kependudukan) as typed at the counter.

A NIK is 16 digits: the kecamatan where it was issued (6), the birth date DDMMYY with 40 added to
the day for women (6), and a serial number (4). A NIK beginning with 0 is a temporary one, given
before registration; its first digits are no region, so it is flagged for a second look rather
than refused. python-stdnum is not used: it refuses real province prefixes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from services.models import Sex
from villages.models import District

# What people type between groups of digits: "3505 0101 …", "3505.01.…".
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NikCheck:
    nik: str
    is_temporary: bool
    birth_date: datetime.date
    sex: str


def _birth_date(day: int, month: int, two_digit_year: int, today: datetime.date):
    """The birth date in the latest century that does not put it in the future, or None."""
    for century in (today.year // 100 * 100, today.year // 100 * 100 - 100):
        try:
            candidate = datetime.date(century + two_digit_year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


@sensitive_variables()
def validate_nik(nik: str, *, sex: str = "") -> NikCheck:
    """The NIK's digits and what they encode; ValidationError({"nik": [...]}) naming each rule
    broken. `sex` ("female"/"male"), when given, must match the one the NIK encodes."""
    digits = _SEPARATORS.sub("", nik or "")
    if digits and not (digits.isascii() and digits.isdigit()):
        raise ValidationError({"nik": [gettext("A NIK has only digits, no letters or signs.")]})
    if len(digits) != 16:
        raise ValidationError(
            {
                "nik": [
                    gettext("A NIK has exactly 16 digits; this one has %(count)d.")
                    % {"count": len(digits)}
                ]
            }
        )
    errors = []
    is_temporary = digits.startswith("0")
    kecamatan = f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    if not is_temporary and not District.objects.filter(code=kecamatan).exists():
        errors.append(
            gettext(
                "The first six digits of the NIK, %(digits)s, are not a kecamatan in the "
                "region registry."
            )
            % {"digits": digits[:6]}
        )
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    encoded_sex = Sex.FEMALE if day > 40 else Sex.MALE
    birth_date = _birth_date(day - 40 if day > 40 else day, month, year, timezone.localdate())
    if birth_date is None:
        errors.append(
            gettext(
                "Digits 7 to 12 of the NIK, %(digits)s, are not a birth date (DDMMYY, women "
                "add 40 to the day)."
            )
            % {"digits": digits[6:12]}
        )
    elif sex and sex != encoded_sex:
        errors.append(
            gettext("The NIK says %(encoded)s, but the sex entered is %(entered)s.")
            % {
                "encoded": encoded_sex.label,
                "entered": Sex(sex).label if sex in Sex.values else sex,
            }
        )
    if errors:
        raise ValidationError({"nik": errors})
    return NikCheck(nik=digits, is_temporary=is_temporary, birth_date=birth_date, sex=encoded_sex)
