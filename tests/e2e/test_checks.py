"""The page checks themselves: they must fail loudly, or the other browser tests prove nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.e2e

BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text">
<div style="width: 2000px">wide</div>
</main></body></html>"""


def test_axe_check_fails_and_names_each_violation(page: Page) -> None:
    page.set_content(BROKEN_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_no_axe_violations(page)
    report = str(failure.value)
    assert "image-alt (critical)" in report
    assert "label (critical)" in report
    assert '<input type="text">' in report


def test_scroll_check_fails_on_a_page_wider_than_the_screen(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.set_content(BROKEN_PAGE)
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_no_horizontal_scroll(page)
