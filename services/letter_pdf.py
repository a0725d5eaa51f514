"""A request's letter as PDF: A4 portrait with the village letterhead, the numbered title, the
text of its service type, the signer, and a QR code of the public verification page.

The fixed words on the letter ("Nomor", the verification caption) are Indonesian, not gettext:
the letter is an Indonesian official document, like the letter texts of the catalogue, and reads
the same whatever the language of the page it was downloaded from.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.letters import (
    formatted_code,
    indonesian_date,
    letter_context,
    regency_name,
    render_body,
    village_kind_word,
    village_name,
)
from services.models import Letter
from villages.models import VillageProfile

QR_SIZE = 2.8 * cm
MUTED = HexColor("#555555")

_HEAD = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=1)
_HEAD_VILLAGE = ParagraphStyle("head-village", parent=_HEAD, fontSize=16, leading=20)
_HEAD_ADDRESS = ParagraphStyle(
    "head-address", fontName="Helvetica-Oblique", fontSize=9.5, leading=12, alignment=TA_CENTER
)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=12.5, leading=16, alignment=1)
_NUMBER = ParagraphStyle("number", fontName="Helvetica", fontSize=11, leading=14, alignment=1)
_BODY = ParagraphStyle(
    "body", fontName="Helvetica", fontSize=11, leading=16, alignment=TA_JUSTIFY, spaceAfter=8
)
_SIGNER = ParagraphStyle("signer", fontName="Helvetica", fontSize=11, leading=15, alignment=1)
_SMALL = ParagraphStyle("small", fontName="Helvetica", fontSize=8.5, leading=11, textColor=MUTED)


def _text(value: str) -> str:
    """Plain text for a Paragraph, which reads its input as markup."""
    return escape(value).replace("\n", "<br/>")


def _letterhead(letter: Letter) -> list:
    village = letter.service_request.village
    regency = village.district.regency
    office_address = (
        VillageProfile.objects.filter(village=village)
        .values_list("office_address", flat=True)
        .first()
    )
    lines = [
        Paragraph(_text(f"PEMERINTAH {regency.name.upper()}"), _HEAD),
        Paragraph(_text(f"KECAMATAN {village.district.name.upper()}"), _HEAD),
        Paragraph(
            _text(f"{village_kind_word(village)} {village_name(village)}".upper()), _HEAD_VILLAGE
        ),
    ]
    if office_address:
        lines.append(Paragraph(_text(" ".join(office_address.split())), _HEAD_ADDRESS))
    # The customary double rule under an Indonesian letterhead: thick, then thin.
    lines += [
        Spacer(1, 0.15 * cm),
        HRFlowable(width="100%", thickness=2.2, spaceAfter=1.5, color=HexColor("#000000")),
        HRFlowable(width="100%", thickness=0.6, spaceAfter=0.6 * cm, color=HexColor("#000000")),
    ]
    return lines


def _qr(verify_url: str) -> Drawing:
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(qr)
    return drawing


@sensitive_variables()
def letter_pdf(*, letter: Letter, verify_url: str) -> bytes:
    """The letter of a request, ready to print and sign. `letter` should come with its request,
    village, kecamatan, regency and service type (`select_related`)."""
    service_request = letter.service_request
    service_type = service_request.service_type
    village = service_request.village
    context = letter_context(letter)
    body = render_body(service_type, context)
    issued_on = timezone.localdate(letter.issued_at)

    title = service_type.letter_title or service_type.name.upper()
    story = _letterhead(letter)
    story += [
        Paragraph(f"<u>{_text(title)}</u>", _TITLE),
        Paragraph(_text(f"Nomor: {letter.number}"), _NUMBER),
        Spacer(1, 0.7 * cm),
    ]
    story += [
        Paragraph(_text(paragraph.strip()), _BODY)
        for paragraph in re.split(r"\n\s*\n", body)
        if paragraph.strip()
    ]

    signature = [
        Paragraph(
            _text(f"{regency_name(village.district.regency)}, {indonesian_date(issued_on)}"),
            _SIGNER,
        ),
        Paragraph(_text(letter.signer_title), _SIGNER),
        Spacer(1, 2.4 * cm),  # room for the signature and the stamp
        Paragraph(f"<b><u>{_text(letter.signer_name)}</u></b>", _SIGNER),
    ]
    verification = Paragraph(
        f"Kode verifikasi:<br/><font name='Courier-Bold' size='11' color='#000000'>"
        f"{formatted_code(letter.verification_code)}</font><br/>"
        f"Periksa keaslian surat ini dengan memindai kode QR atau di<br/>{_text(verify_url)}",
        _SMALL,
    )
    width = A4[0] - 5 * cm
    no_padding = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    signature_block = Table(
        [["", signature]], colWidths=[width * 0.45, width * 0.55], style=TableStyle(no_padding)
    )
    # Bottom left: the QR code, and beside it the code for those who type it.
    verification_block = Table(
        [[_qr(verify_url), verification]],
        colWidths=[QR_SIZE + 0.4 * cm, width - QR_SIZE - 0.4 * cm],
        style=TableStyle(no_padding),
    )
    story += [
        Spacer(1, 0.6 * cm),
        KeepTogether([signature_block, Spacer(1, 0.8 * cm), verification_block]),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=2 * cm,
        title=letter.number,
        author=f"{village_kind_word(village)} {village_name(village)}",
    )
    document.build(story)
    return buffer.getvalue()
