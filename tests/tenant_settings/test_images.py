"""Logos and banners are read by Pillow under limits, re-encoded and stripped of metadata."""

import io
import struct
import zlib

import pytest
from PIL import Image

from core.errors import ApplicationError
from tenants.settings.images import image_clean
from tests.tenant_settings.conftest import jpeg_with_exif, png_bytes


def _bomb_png() -> bytes:
    """A valid tiny PNG whose header claims 60000×60000 pixels (a decompression bomb)."""
    data = png_bytes((1, 1))
    ihdr_start = 8 + 8  # signature, then length + type of the IHDR chunk
    fields = bytearray(data[ihdr_start : ihdr_start + 13])
    fields[0:8] = struct.pack(">II", 60000, 60000)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(fields)) & 0xFFFFFFFF)
    return data[:ihdr_start] + bytes(fields) + crc + data[ihdr_start + 17 :]


def test_a_file_that_is_not_an_image_is_refused_with_a_message():
    with pytest.raises(ApplicationError, match="pas une image|not an image"):
        image_clean(data=b"%PDF-1.7 this is not an image", kind="logo")


def test_a_huge_image_is_refused_with_its_size():
    with pytest.raises(ApplicationError, match="4500"):
        image_clean(data=png_bytes((4500, 200)), kind="banner")


def test_a_decompression_bomb_is_refused_before_being_decoded():
    bomb = _bomb_png()
    assert len(bomb) < 200  # a few bytes that would decode to 3.6 billion pixels
    with pytest.raises(ApplicationError, match="décompression|decompression"):
        image_clean(data=bomb, kind="logo")


def test_a_gif_is_refused_only_jpg_and_png_are_accepted():
    out = io.BytesIO()
    Image.new("RGB", (95, 95)).save(out, format="GIF")
    with pytest.raises(ApplicationError, match="JPG"):
        image_clean(data=out.getvalue(), kind="logo")


def test_an_image_of_another_size_is_accepted_with_a_warning():
    clean = image_clean(data=png_bytes((400, 300)), kind="logo")
    assert (clean.width, clean.height) == (400, 300)
    assert "400×300" in clean.warning and "95×95" in clean.warning


def test_an_image_of_the_recommended_size_has_no_warning():
    assert image_clean(data=png_bytes((760, 95)), kind="banner").warning == ""


def test_exif_metadata_is_gone_after_re_encoding():
    original = jpeg_with_exif((95, 95))
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "SpyCam Inc."
    clean = image_clean(data=original, kind="logo")
    reread = Image.open(io.BytesIO(clean.content))
    assert reread.format == "PNG"
    assert len(reread.getexif()) == 0
    assert "exif" not in reread.info
    assert b"SpyCam" not in clean.content and b"SecretEditor" not in clean.content
