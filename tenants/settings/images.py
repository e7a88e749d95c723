"""Checks of the images a tenant uploads (logo, footer banner): Pillow reads them under limits,
then they are re-encoded to PNG from their pixels alone, so no metadata (EXIF, GPS, comments)
and no hostile payload survive."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ApplicationError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 12_000_000
ACCEPTED_FORMATS = {"PNG", "JPEG"}
# Recommended sizes (px) — 300 dpi prints: the logo is 8 mm high, the banner the width of the page.
RECOMMENDED = {"logo": (95, 95), "banner": (760, 95)}


@dataclass(frozen=True)
class CleanImage:
    content: bytes  # PNG
    width: int
    height: int
    digest: str
    warning: str = ""


def image_clean(*, data: bytes, kind: str, field: str | None = None) -> CleanImage:
    """A JPG or PNG within size limits, re-encoded to PNG without metadata; other sizes than
    the recommended one are accepted with a warning."""
    field = field or kind
    if not data:
        raise ApplicationError(_("The file is empty."), field=field)
    if len(data) > MAX_FILE_BYTES:
        raise ApplicationError(
            _("The file is too large (%(size)s MB); the limit is %(max)s MB.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_FILE_BYTES // 1024 // 1024},
            field=field,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            width, height = image.size
            if width * height > MAX_PIXELS * 4:
                raise Image.DecompressionBombError("too many pixels")
            if width > MAX_SIDE or height > MAX_SIDE:
                raise ApplicationError(
                    _("The image is too large (%(w)s×%(h)s px); at most %(max)s px per side.")
                    % {"w": width, "h": height, "max": MAX_SIDE},
                    field=field,
                )
            if width * height > MAX_PIXELS:
                raise ApplicationError(
                    _(
                        "The image is too large (%(w)s×%(h)s px, %(mp)s megapixels); at most "
                        "%(max_mp)s megapixels, e.g. %(example)s px."
                    )
                    % {
                        "w": width,
                        "h": height,
                        "mp": number_format(width * height / 1_000_000, 1),
                        "max_mp": MAX_PIXELS // 1_000_000,
                        "example": "4000×3000",
                    },
                    field=field,
                )
            if image_format not in ACCEPTED_FORMATS:
                raise ApplicationError(
                    _("Only JPG or PNG images are accepted (this file is %(format)s).")
                    % {"format": image_format or "?"},
                    field=field,
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApplicationError(
            _("This image is refused: it declares an enormous number of pixels (a decompression bomb)."),
            field=field,
        ) from None
    except UnidentifiedImageError:
        raise ApplicationError(
            _("This file is not an image Pillow can read (JPG or PNG expected)."), field=field
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ApplicationError(
            _("This image is damaged or truncated and cannot be read."), field=field
        ) from None

    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    pixels = upright.convert(mode)
    # A new image from the raw pixels: nothing of the uploaded file's metadata comes along.
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    fresh.save(out, format="PNG", optimize=True)
    content = out.getvalue()
    warning = ""
    recommended = RECOMMENDED.get(kind)
    if recommended and fresh.size != recommended:
        warning = _(
            "The image is %(w)s×%(h)s px; %(rw)s×%(rh)s px is recommended. It is accepted and will be "
            "scaled to fit: check the preview."
        ) % {"w": fresh.width, "h": fresh.height, "rw": recommended[0], "rh": recommended[1]}
    return CleanImage(
        content=content,
        width=fresh.width,
        height=fresh.height,
        digest=hashlib.sha256(content).hexdigest()[:16],
        warning=warning,
    )
