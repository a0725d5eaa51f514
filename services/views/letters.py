"""Letters: the staff's PDF of a request's letter, and the public check of a letter by its
verification code (no login, no personal data)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET

from services.actions.letters import record_letter_view
from services.letter_pdf import letter_pdf
from services.letters import formatted_code, normalise_verification_code, village_full
from services.models import Letter, ServiceRequest
from services.permissions import can_view_full_nik

# What a letter needs to be drawn or checked, in one query.
LETTER_RELATED = (
    "service_request__service_type",
    "service_request__village__district__regency",
)


class LetterLookupForm(forms.Form):
    code = forms.CharField(
        label=capfirst(_("verification code")),
        max_length=30,
        help_text=_("As printed beside the QR code on the letter, e.g. 7KQ2-M9XD-P3HT."),
    )

    def __init__(self, *args, **kwargs):
        # Ids of its own: the public programme page shows this box beside the tracking box.
        kwargs.setdefault("auto_id", "id_letter_%s")
        super().__init__(*args, **kwargs)


def verify_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("letters:verify", args=[code]))


@login_required
@require_GET
@sensitive_variables()
def letter_pdf_view(request, pk: int):
    """The letter of a request as PDF, to print and sign. It carries the full NIK, so it is for
    the handling secretary only (officials see its number and can check it like anyone), and
    each download is recorded as a view of the NIK."""
    service_request = get_object_or_404(ServiceRequest.objects.visible_to(request.user), pk=pk)
    if not can_view_full_nik(request.user, service_request):
        raise PermissionDenied(gettext("Only the village's secretary prints its letters."))
    letter = (
        Letter.objects.filter(service_request=service_request).select_related(*LETTER_RELATED)
    ).first()
    if letter is None:
        raise Http404(gettext("This request has no letter yet."))
    record_letter_view(letter=letter, actor=request.user)
    pdf = letter_pdf(letter=letter, verify_url=verify_url(request, letter.verification_code))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = letter.number.replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# Public: no login.


def _public(response):
    # A verification page is for the person holding the paper, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def letter_lookup_view(request):
    form = LetterLookupForm(request.GET or None)
    if form.is_valid():
        code = normalise_verification_code(form.cleaned_data["code"])
        if code is not None:
            return redirect("letters:verify", code)
        form.add_error("code", gettext("A verification code has 12 letters and digits."))
    return _public(render(request, "services/letter_lookup.html", {"form": form}))


@require_GET
def letter_verify_view(request, code: str):
    """Whether a letter with this code exists: its number, service, village, date and signer's
    title, and nothing about the applicant."""
    normalised = normalise_verification_code(code)
    letter = None
    if normalised is not None:
        letter = (
            Letter.objects.filter(verification_code=normalised)
            .select_related(*LETTER_RELATED)
            .first()
        )
    context = {"code": formatted_code(normalised) if normalised else code, "letter": letter}
    if letter is not None:
        context.update(
            service=letter.service_request.service_type.name,
            village=village_full(letter.service_request.village),
        )
    response = render(
        request,
        "services/letter_verify.html",
        {**context, "form": LetterLookupForm()},
        status=200 if letter else 404,
    )
    return _public(response)
