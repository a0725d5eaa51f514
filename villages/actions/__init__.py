"""Every write to the villages app, a module per topic; import them from `villages.actions`."""

from villages.actions.regions import (
    REGION_MODELS,
    LevelCounts,
    RegionImportError,
    RegionImportResult,
    import_regions,
)

__all__ = [
    "REGION_MODELS",
    "LevelCounts",
    "RegionImportError",
    "RegionImportResult",
    "import_regions",
]
