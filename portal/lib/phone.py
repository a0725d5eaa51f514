"""Indonesian phone numbers, as people type them, to the one form WhatsApp gateways accept."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def normalise_phone(value: str) -> str:
    """`0812-3456-789`, `62812…`, `+62 812 …` -> `+628123456789` (E.164); "" stays "".

    Numbers without a country code are read as Indonesian. Raises ValidationError naming the value
    when it is not a possible phone number.
    """
    value = (value or "").strip()
    if not value:
        return ""
    # "62812…" typed without the plus is common on WhatsApp; read it as a country code.
    candidate = f"+{value}" if value.startswith("62") else value
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        message = gettext("%(value)s is not a valid phone number, e.g. 0812 3456 7890.")
        raise ValidationError(message % {"value": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
