"""The volunteers app's models, a module per topic; import them from `volunteers.models`."""

from volunteers.models.roster import (
    ROSTER_ROLES,
    Assignment,
    AssignmentRole,
    Corps,
    CorpsLevel,
    Gender,
    Membership,
    Volunteer,
    VolunteerStatus,
)
from volunteers.models.trainings import Attendance, Registration, Training, TrainingKind
from volunteers.models.visits import (
    DOUBTFUL_CHECKS,
    ActivityType,
    PositionCheck,
    Visit,
    VisitEvent,
    VisitPhoto,
    VisitStatus,
)

__all__ = [
    "DOUBTFUL_CHECKS",
    "ROSTER_ROLES",
    "ActivityType",
    "Assignment",
    "AssignmentRole",
    "Attendance",
    "Corps",
    "CorpsLevel",
    "Gender",
    "Membership",
    "PositionCheck",
    "Registration",
    "Training",
    "TrainingKind",
    "Visit",
    "VisitEvent",
    "VisitPhoto",
    "VisitStatus",
    "Volunteer",
    "VolunteerStatus",
]
