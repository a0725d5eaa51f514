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


def square(x: float, y: float, size: float) -> dict:
    """The fields of a square `VillageBoundary` / `DistrictBoundary` at (x, y) in degrees."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "centroid_lat": y + size / 2,
        "centroid_lng": x + size / 2,
        "inside_lat": y + size / 2,
        "inside_lng": x + size / 2,
        "area_km2": round(size * size * 12_300, 2),
        "source": "test",
    }


def map_shapes(page):
    """The outlines a map drew (Leaflet's SVG paths), once its GeoJSON has arrived."""
    return page.locator(".portal-map path.leaflet-interactive")


def kpi(page, name: str):
    """The value of one key figure on a dashboard or the public page (`data-kpi="visits"`)."""
    return page.locator(f'[data-kpi="{name}"]')


def assert_unique_ids(page) -> None:
    """No two elements share an id: a label (and a screen reader) finds the input it names."""
    repeated = page.evaluate(
        """() => {
            const seen = {};
            document.querySelectorAll('[id]').forEach((element) => {
                seen[element.id] = (seen[element.id] || 0) + 1;
            });
            return Object.keys(seen).filter((id) => seen[id] > 1);
        }"""
    )
    assert not repeated, f"{page.url} repeats the ids {repeated}"
