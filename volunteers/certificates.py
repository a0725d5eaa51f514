"""Training certificates as PDF: one A4 landscape page with a QR code of the verification page."""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from volunteers.models import Registration

BRAND = HexColor("#0b5d6b")
MUTED = HexColor("#555555")
QR_SIZE = 4 * cm


def _date(value) -> str:
    return formats.date_format(value, "j F Y")


def _period(training) -> str:
    if training.starts_on == training.ends_on:
        return _date(training.starts_on)
    return f"{_date(training.starts_on)} \N{EN DASH} {_date(training.ends_on)}"


def _fitted_font_size(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """`size`, or smaller so that a long name or title stays within `width`."""
    return min(size, size * width / max(canvas.stringWidth(text, font, size), 1))


def certificate_pdf(*, registration: Registration, verify_url: str) -> bytes:
    """The certificate of an issued registration, in the active language (Indonesian by default).

    Holds the holder's name, the training's title, kind, organiser, dates and place, the code,
    and `verify_url` as text and as a QR code.
    """
    training = registration.training
    width, height = landscape(A4)
    text_width = width - 6 * cm
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"{gettext('Certificate')} {registration.certificate_code}")
    canvas.setAuthor(training.organiser)

    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(4)
    canvas.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)

    centre = width / 2
    canvas.setFillColor(BRAND)
    canvas.setFont("Helvetica-Bold", 34)
    canvas.drawCentredString(centre, height - 4.2 * cm, gettext("CERTIFICATE"))
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(centre, height - 5.6 * cm, gettext("This certifies that"))

    name = registration.volunteer.full_name
    size = _fitted_font_size(canvas, name, "Helvetica-Bold", 28, text_width)
    canvas.setFillColor(HexColor("#000000"))
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(centre, height - 7.2 * cm, name)

    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 14)
    canvas.drawCentredString(
        centre,
        height - 8.6 * cm,
        gettext("has completed the %(kind)s") % {"kind": training.get_kind_display()},
    )
    title = training.title
    size = _fitted_font_size(canvas, title, "Helvetica-Bold", 20, text_width)
    canvas.setFillColor(HexColor("#000000"))
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawCentredString(centre, height - 9.9 * cm, title)

    canvas.setFont("Helvetica", 13)
    canvas.drawCentredString(
        centre,
        height - 11.2 * cm,
        gettext("organised by %(organiser)s, %(period)s, at %(place)s")
        % {"organiser": training.organiser, "period": _period(training), "place": training.place},
    )

    # The code and the verification address, next to the QR code, bottom left.
    left = 2.5 * cm
    bottom = 2.3 * cm
    qr = QrCodeWidget(verify_url)
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, left, bottom)

    text_left = left + QR_SIZE + 0.5 * cm
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(text_left, bottom + 3.0 * cm, gettext("Certificate code"))
    canvas.setFillColor(HexColor("#000000"))
    canvas.setFont("Courier-Bold", 16)
    canvas.drawString(text_left, bottom + 2.3 * cm, registration.certificate_code)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(text_left, bottom + 1.4 * cm, gettext("Check this certificate at"))
    canvas.drawString(text_left, bottom + 0.9 * cm, verify_url)
    if registration.completed_at:
        canvas.drawString(
            text_left,
            bottom + 0.1 * cm,
            gettext("Issued on %(date)s")
            % {"date": _date(timezone.localdate(registration.completed_at))},
        )

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
