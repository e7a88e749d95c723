"""Fixtures of the tenant settings tests: admins of both tenants and images built with Pillow."""

import io
from typing import Any

import pytest
from PIL import Image


@pytest.fixture
def acme_admin(acme: Any, make_user: Any) -> Any:
    return make_user(acme, "admin", email="claire@acme.example")


@pytest.fixture
def nova_admin(nova: Any, make_user: Any) -> Any:
    return make_user(nova, "admin", email="nina@nova.example")


def png_bytes(size: tuple[int, int], color: str = "#336699", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, "#aa3300")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "SecretEditor 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()
