def village_map_context(*, village) -> dict:
    """Context for templates/villages/includes/village_map.html."""
    return {}
