"""Issuing a request's letter with a number that has no gaps and no duplicates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib import codes
from services.models import Letter, LetterCounter, NikView, ServiceRequest

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CODE_ALPHABET = codes.ALPHABET
CODE_LENGTH = codes.LENGTH


def new_verification_code() -> str:
    return codes.random_code(CODE_LENGTH)


def letter_number(*, letter_code: str, sequence: int, village_code: str, month: int, year: int):
    """`470/12/35.05.01.2001/XI/2026`: classification code, sequence, village, month, year."""
    return f"{letter_code}/{sequence}/{village_code}/{ROMAN_MONTHS[month - 1]}/{year}"


@transaction.atomic
def issue_letter(
    *, service_request: ServiceRequest, signer_name: str, signer_title: str, actor: User
) -> Letter:
    """Give the request its letter: the next number of its village, service type and year.

    The counter row is created if missing and then locked (`select_for_update`), so concurrent
    issues queue up on it: numbers are consecutive, without gaps or duplicates. Idempotent: a
    request that has its letter keeps it, even when asked twice at once (the request's row is
    locked first). Raises ValidationError for a service type without a letter. Callers check
    permissions and the request's state (see services.actions.requests.mark_ready).
    """
    service_request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service_type")
        .get(pk=service_request.pk)
    )
    if not service_request.service_type.issues_letter:
        raise ValidationError(
            gettext("The village issues no letter for %(service)s.")
            % {"service": service_request.service_type.name}
        )
    existing = Letter.objects.filter(service_request=service_request).first()
    if existing:
        return existing
    issued_at = timezone.now()
    local = timezone.localtime(issued_at)
    counter_key = {
        "village_id": service_request.village_id,
        "service_type_id": service_request.service_type_id,
        "year": local.year,
    }
    LetterCounter.objects.get_or_create(**counter_key)
    counter = LetterCounter.objects.select_for_update().get(**counter_key)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    code = new_verification_code()
    while Letter.objects.filter(verification_code=code).exists():
        code = new_verification_code()
    letter = Letter(
        service_request=service_request,
        number=letter_number(
            letter_code=service_request.service_type.letter_code,
            sequence=counter.last_number,
            village_code=service_request.village_id,
            month=local.month,
            year=local.year,
        ),
        sequence=counter.last_number,
        year=local.year,
        issued_at=issued_at,
        signer_name=signer_name,
        signer_title=signer_title,
        verification_code=code,
        issued_by=actor,
    )
    letter.full_clean()
    letter.save()
    return letter


@transaction.atomic
def record_letter_view(*, letter: Letter, actor: User) -> Letter:
    """Account for a download of the letter: it carries the applicant's full NIK, so it counts
    as a view of it (UU PDP). Callers have checked that `actor` sees the request."""
    NikView.objects.create(service_request_id=letter.service_request_id, user=actor)
    return letter
