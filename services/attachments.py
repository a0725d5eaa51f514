"""Checking a document uploaded with a request: by its content, never its name or the browser's
word for its type, so that a script or a web page renamed `.pdf` or `.jpg` is refused."""

from __future__ import annotations

import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from PIL import Image

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10

# (leading bytes, content type, extension, Pillow's format name or None for PDF)
_KINDS = (
    (b"%PDF-", "application/pdf", "pdf", None),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
)


def _size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    return size


def _decodes_as(uploaded_file, image_format: str) -> bool:
    """Whether the whole file decodes as an image of that format (not just its first bytes)."""
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            # A decompression bomb warning is a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded_file) as image:
                if image.format != image_format:
                    return False
                image.load()
    # Pillow raises many kinds of errors; any of them means "not an image".
    except Exception:
        return False
    finally:
        uploaded_file.seek(0)
    return True


def check_attachment(uploaded_file) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload: a PDF, JPEG or PNG of at most 5 MB.

    Raises ValidationError with a message for the applicant's clerk otherwise.
    """
    if _size(uploaded_file) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(gettext("The file is larger than 5 MB."))
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for magic, content_type, extension, image_format in _KINDS:
        if head.startswith(magic):
            if image_format and not _decodes_as(uploaded_file, image_format):
                raise ValidationError(
                    gettext("The file looks like a %(kind)s image but is damaged or not one.")
                    % {"kind": image_format}
                )
            return content_type, extension
    raise ValidationError(
        gettext("Only PDF, JPEG or PNG files are accepted; this file is none of them.")
    )
