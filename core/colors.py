"""Colour arithmetic for tenant branding: WCAG 2 contrast and a link shade readable on white."""

from __future__ import annotations

import re

HEX_RE = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"
# WCAG 2 level AA for normal text.
MIN_TEXT_CONTRAST = 4.5


def _rgb(color: str) -> tuple[int, int, int]:
    if not HEX_RE.fullmatch(color):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """The WCAG 2 relative luminance of a #rrggbb colour (0 for black, 1 for white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours, from 1 (same) to 21 (black on white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(color: str, background: str = WHITE, minimum: float = MIN_TEXT_CONTRAST) -> str:
    """`color` itself if text of that colour is readable on `background`, else the lightest shade
    of it (mixed with black, same hue) that is: the colour of links on white pages."""
    if contrast_ratio(color, background) >= minimum:
        return color.lower()
    r, g, b = _rgb(color)
    for step in range(1, 101):
        keep = 1 - step / 100
        shade = f"#{round(r * keep):02x}{round(g * keep):02x}{round(b * keep):02x}"
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return "#000000"


# The back office's page background (static/css/ism.css --bg): links sit on it and on white cards.
PAGE_BACKGROUND = "#f5f6fa"
# The darkest background links sit on: table headers (ism.css `.table th`), whose sort links are links.
TABLE_HEAD_BACKGROUND = "#f0f2f8"


def link_shade(color: str) -> str:
    """The colour of links for a tenant's primary colour: readable (4.5:1) on white, on the page
    background and on table headers (the darkest of the three, so readable on all)."""
    return readable_on(color, TABLE_HEAD_BACKGROUND)
