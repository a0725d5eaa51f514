"""Portal-wide writes that span the apps: the demo data set (volunteers in `demo_volunteers`)."""

from portal.actions.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoAccount,
    DemoResult,
    DemoUser,
    demo_programme_villages,
    demo_regions_dir,
    load_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoAccount",
    "DemoResult",
    "DemoUser",
    "demo_programme_villages",
    "demo_regions_dir",
    "load_demo",
]
