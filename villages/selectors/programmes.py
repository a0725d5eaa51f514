def village_programme_context(*, user, village) -> dict:
    """Context for villages/includes/village_programmes.html and village_scorecards.html."""
    return {}
