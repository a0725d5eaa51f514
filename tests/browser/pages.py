"""What the journeys check on any page, and the screens they use."""

DESKTOP = {"width": 1280, "height": 900}
# A small Android phone, as volunteers and citizens use; `is_mobile` honours the viewport meta.
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def assert_styled(page) -> None:
    """The portal's stylesheet loaded from the live server and applies."""
    styled = page.evaluate(
        """() => Array.from(document.styleSheets).some(
            (sheet) => sheet.href && sheet.href.endsWith('/static/css/portal.css')
                && sheet.cssRules.length > 0)"""
    )
    assert styled, f"portal.css is not applied on {page.url}"


def assert_fits_width(page) -> None:
    """Nothing sticks out sideways: the page does not scroll horizontally."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: {widths[0]} px of content in {widths[1]} px"
    )
