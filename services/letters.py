"""What a letter says: its placeholders filled from the request, its village's names, its date.

The letter is an Indonesian official document, so its place and date are written in Indonesian
whatever the language of the page that asked for it.
"""

from __future__ import annotations

import datetime
import re
import string

from django.views.decorators.debug import sensitive_variables

from portal.lib.codes import code_symbols, grouped
from services.actions.letters import CODE_ALPHABET, CODE_LENGTH
from services.models import Letter, ServiceType
from villages.models import Regency, Village
from villages.models.regions import VillageKind

INDONESIAN_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# `{name}` only: no attribute access, indexing or format specs, whatever an editor types.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def indonesian_date(value: datetime.date) -> str:
    """`23 November 2026`."""
    return f"{value.day} {INDONESIAN_MONTHS[value.month - 1]} {value.year}"


def _without_prefix(name: str, *prefixes: str) -> str:
    for prefix in prefixes:
        if name.upper().startswith(prefix + " "):
            return name[len(prefix) + 1 :].strip()
    return name


def regency_name(regency: Regency) -> str:
    """`Blitar` from the registry's `KABUPATEN BLITAR`."""
    return string.capwords(_without_prefix(regency.name, "KABUPATEN", "KOTA").lower())


def regency_full(regency: Regency) -> str:
    """`Kabupaten Blitar` or `Kota Blitar`."""
    return f"{'Kota' if regency.is_city else 'Kabupaten'} {regency_name(regency)}"


def village_kind_word(village: Village) -> str:
    return "Kelurahan" if village.kind == VillageKind.KELURAHAN else "Desa"


def village_name(village: Village) -> str:
    """The village's name without a `Desa`/`Kelurahan` some registry names carry."""
    return _without_prefix(village.name, "DESA", "KELURAHAN")


def village_full(village: Village) -> str:
    """`Desa Jaten, Kecamatan Wonodadi, Kabupaten Blitar`."""
    district = village.district
    return (
        f"{village_kind_word(village)} {village_name(village)}, "
        f"Kecamatan {district.name}, {regency_full(district.regency)}"
    )


@sensitive_variables()
def letter_context(letter: Letter) -> dict[str, str]:
    """The values of the placeholders a letter text may use. `{nik}` is the full NIK: it belongs
    on the letter itself, which only the applicant and the office hold."""
    service_request = letter.service_request
    village = service_request.village
    address = []
    if service_request.dusun:
        address.append(f"Dusun {service_request.dusun}")
    if service_request.rt or service_request.rw:
        address.append(f"RT {service_request.rt or '-'}/RW {service_request.rw or '-'}")
    if service_request.address:
        address.append(service_request.address)
    return {
        "applicant_name": service_request.applicant_name,
        "nik": service_request.nik,
        "address": ", ".join(address) or "-",
        "village_full": village_full(village),
        "purpose": service_request.purpose.strip().rstrip("."),
        "village": village_name(village),
        "district": village.district.name,
        "regency": regency_name(village.district.regency),
    }


def render_body(service_type: ServiceType, context: dict[str, str]) -> str:
    """The type's letter text with its `{placeholders}` filled; an unknown one stays visible as
    typed, so that whoever edits the catalogue sees the mistake on the letter, not a crash."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return str(context[name]) if name in context else match.group(0)

    return PLACEHOLDER.sub(fill, service_type.letter_body)


def normalise_verification_code(text: str) -> str | None:
    """The stored form of a code as typed (any case, with or without dashes or spaces), or None
    when it cannot be a code."""
    symbols = code_symbols(text)
    return symbols if _CODE_RE.match(symbols) else None


formatted_code = grouped
