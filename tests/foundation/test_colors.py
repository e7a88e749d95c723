"""WCAG contrast and the link shade derived from a tenant's primary colour."""

import pytest

from core.colors import (
    MIN_TEXT_CONTRAST,
    PAGE_BACKGROUND,
    TABLE_HEAD_BACKGROUND,
    contrast_ratio,
    link_shade,
    readable_on,
)


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffd700", "#ffffff") == contrast_ratio("#ffffff", "#ffd700")


def test_a_readable_colour_is_kept_and_a_pale_one_is_darkened_until_readable():
    assert readable_on("#1F4FD1") == "#1f4fd1"
    shade = readable_on("#ffd700")
    assert shade != "#ffd700" and contrast_ratio(shade, "#ffffff") >= MIN_TEXT_CONTRAST
    # The lightest readable shade: one step lighter is not readable.
    assert contrast_ratio(shade, "#ffffff") < MIN_TEXT_CONTRAST + 0.3


@pytest.mark.parametrize("primary", ["#ffd700", "#e4572e", "#ff0000", "#00ffff", "#ffffff", "#1f4fd1"])
def test_links_are_readable_on_white_on_the_page_background_and_on_table_headers(primary):
    shade = link_shade(primary)
    assert contrast_ratio(shade, "#ffffff") >= MIN_TEXT_CONTRAST
    assert contrast_ratio(shade, PAGE_BACKGROUND) >= MIN_TEXT_CONTRAST
    assert contrast_ratio(shade, TABLE_HEAD_BACKGROUND) >= MIN_TEXT_CONTRAST  # sort links


def test_something_other_than_rrggbb_is_an_error():
    with pytest.raises(ValueError):
        contrast_ratio("red", "#ffffff")
