"""Checking and cleaning a visit photo before it is stored.

The file is judged by decoding it with Pillow, never by its name or the browser's content type,
and stored as a fresh JPEG without any metadata: a phone photo's EXIF carries the exact position
of whoever took it (often at home), which is read into the visit's record and then dropped.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS_PER_VISIT = 6
MAX_SIDE_PX = 1600
JPEG_QUALITY = 85
# 50 megapixels covers any phone camera; a larger canvas in a small file is a decompression bomb.
MAX_PIXELS = 50_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes  # JPEG, no metadata
    width: int
    height: int
    latitude: float | None = None
    longitude: float | None = None
    taken_at: datetime.datetime | None = None


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    uploaded_file.seek(0)
    return size


def _degrees(value, ref) -> float | None:
    """EXIF (degrees, minutes, seconds) rationals and an N/S/E/W ref as signed decimal degrees."""
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -decimal if str(ref).strip().upper() in ("S", "W") else decimal


def _exif_position(exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(_GPS_IFD)
    latitude = _degrees(gps.get(2), gps.get(1))
    longitude = _degrees(gps.get(4), gps.get(3))
    if latitude is None or longitude is None:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude, longitude) == (0, 0):
        return None, None
    return round(latitude, 6), round(longitude, 6)


def _exif_taken_at(exif) -> datetime.datetime | None:
    """DateTimeOriginal, read as local time (Asia/Jakarta): cameras record no zone."""
    value = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL)
    try:
        return datetime.datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(
            tzinfo=timezone.get_default_timezone()
        )
    except ValueError:
        return None


def process_photo(uploaded_file) -> ProcessedPhoto:
    """A JPEG, PNG or WebP photo of at most 8 MB, re-encoded as a JPEG of at most 1600 px a side
    (turned upright by its EXIF orientation), quality 85, with no metadata; with the EXIF GPS
    position and DateTimeOriginal read before they are dropped.

    Raises ValidationError (one plain message) for a file too large, of another type, that
    Pillow cannot fully decode, or whose canvas is larger than MAX_PIXELS.
    """
    if _size_of(uploaded_file) > MAX_PHOTO_BYTES:
        raise ValidationError(gettext("The photo is larger than 8 MB."))
    not_a_photo = gettext("The file is not a JPEG, PNG or WebP photo.")
    try:
        with Image.open(uploaded_file) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(not_a_photo)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(gettext("The photo has too many pixels."))
            image.load()
            exif = image.getexif()
            latitude, longitude = _exif_position(exif)
            taken_at = _exif_taken_at(exif)
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(not_a_photo) from None
    finally:
        uploaded_file.seek(0)

    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        # JPEG has no transparency: lay the image on white rather than on black.
        upright = upright.convert("RGBA")
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright, mask=upright.getchannel("A"))
        upright = background
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX), Image.Resampling.LANCZOS)

    output = io.BytesIO()
    # No exif=, icc_profile= or xmp= arguments: Pillow writes none of them unless asked.
    upright.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ProcessedPhoto(
        content=output.getvalue(),
        width=upright.width,
        height=upright.height,
        latitude=latitude,
        longitude=longitude,
        taken_at=taken_at,
    )
