"""Writes to pilot programmes: programmes, milestones, enrolments and milestone progress.

Every action takes the acting user and checks villages.programme_permissions itself, so that a
page, an API endpoint and the demo loader cannot disagree about who may do what.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib.figures import note_change
from villages.models import (
    Assessment,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Milestone,
    MilestoneProgress,
    MilestoneState,
    Programme,
    Regency,
    Village,
)
from villages.programme_permissions import can_manage_programme, can_update_milestone_progress

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}

# File type -> the bytes it starts with; WebP is RIFF....WEBP, checked apart below.
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}


def sniff_evidence_type(head: bytes) -> str | None:
    """The evidence type ("pdf", "png", "jpg", "webp") the bytes are, by content only."""
    for kind, prefixes in _MAGIC.items():
        if head.startswith(prefixes):
            return kind
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _require_manager(actor: User, programme: Programme) -> None:
    if not can_manage_programme(actor, programme):
        raise PermissionDenied(gettext("Only the regency's officials may manage this programme."))


@transaction.atomic
def create_programme(
    *,
    name: str,
    slug: str,
    owner_agency: str,
    regency: Regency,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    description: str = "",
    actor: User,
) -> Programme:
    """Create a programme run in `regency`.

    Raises PermissionDenied unless actor is an official of the regency or an administrator,
    ValidationError for a taken slug, an end before the start or a missing field.
    """
    programme = Programme(
        name=name,
        slug=slug,
        owner_agency=owner_agency,
        regency=regency,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
    )
    _require_manager(actor, programme)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def add_milestone(
    *,
    programme: Programme,
    name: str,
    description: str = "",
    target_count: int | None = None,
    order: int | None = None,
    actor: User,
) -> Milestone:
    """Add a milestone to the programme, after its last one unless `order` is given.

    Raises PermissionDenied unless actor manages the programme, ValidationError if the programme
    already has a milestone of that name.
    """
    _require_manager(actor, programme)
    if order is None:
        last = programme.milestones.order_by("-order").values_list("order", flat=True).first()
        order = 0 if last is None else last + 1
    milestone = Milestone(
        programme=programme,
        name=name,
        description=description,
        target_count=target_count,
        order=order,
    )
    milestone.full_clean()
    milestone.save()
    note_change(programme_ids=[programme.pk])
    return milestone


@transaction.atomic
def get_or_create_cohort(*, programme: Programme, name: str, actor: User) -> Cohort:
    """The programme's cohort of that name, created when new. Raises PermissionDenied."""
    _require_manager(actor, programme)
    cohort = Cohort.objects.filter(programme=programme, name=name).first()
    if cohort is None:
        cohort = Cohort(programme=programme, name=name)
        cohort.full_clean()
        cohort.save()
    return cohort


@transaction.atomic
def enrol_village(
    *,
    programme: Programme,
    village: Village,
    enrolled_on: datetime.date,
    cohort: Cohort | None = None,
    status: str = EnrolmentStatus.ACTIVE,
    notes: str = "",
    actor: User,
) -> Enrolment:
    """Enrol a village of the programme's regency, optionally in one of its cohorts.

    Raises PermissionDenied unless actor manages the programme; ValidationError if the village
    lies outside the programme's regency, the cohort belongs to another programme, or the village
    is already enrolled.
    """
    _require_manager(actor, programme)
    if not village.code.startswith(programme.regency_id + "."):
        raise ValidationError(
            {"village": gettext("The village is not in the programme's regency.")}
        )
    if cohort is not None and cohort.programme_id != programme.pk:
        raise ValidationError({"cohort": gettext("The cohort belongs to another programme.")})
    enrolment = Enrolment(
        programme=programme,
        village=village,
        cohort=cohort,
        enrolled_on=enrolled_on,
        status=status,
        notes=notes,
    )
    enrolment.full_clean()
    enrolment.save()
    note_change(village_ids=[enrolment.village_id])
    return enrolment


@transaction.atomic
def change_enrolment_status(
    *,
    enrolment: Enrolment,
    status: str,
    cohort: Cohort | None = None,
    baseline: Assessment | None = None,
    actor: User,
) -> Enrolment:
    """Move an enrolment to `status` (and, when given, to another cohort of its programme, and
    measure its progress from the `baseline` assessment instead of the village's first).

    Raises PermissionDenied unless actor manages the programme, ValidationError for an unknown
    status, a cohort of another programme or a baseline assessing another village.
    """
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=enrolment.pk)
    )
    _require_manager(actor, enrolment.programme)
    if status not in EnrolmentStatus.values:
        raise ValidationError({"status": gettext("Unknown enrolment status.")})
    update_fields = ["status"]
    enrolment.status = status
    if cohort is not None:
        if cohort.programme_id != enrolment.programme_id:
            raise ValidationError({"cohort": gettext("The cohort belongs to another programme.")})
        enrolment.cohort = cohort
        update_fields.append("cohort")
    if baseline is not None:
        if baseline.village_id != enrolment.village_id:
            raise ValidationError(
                {"baseline": gettext("The baseline must be an assessment of this village.")}
            )
        enrolment.baseline = baseline
        update_fields.append("baseline")
    enrolment.save(update_fields=update_fields)
    note_change(village_ids=[enrolment.village_id])
    return enrolment


def _checked_evidence_file(evidence_file: UploadedFile | IO[bytes]) -> tuple[str, UploadedFile]:
    """The sniffed type of an upload and the upload itself; ValidationError when refused."""
    size = getattr(evidence_file, "size", None)
    if size is None:
        evidence_file.seek(0, 2)
        size = evidence_file.tell()
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence_file": gettext("The evidence file is larger than 5 MB.")})
    evidence_file.seek(0)
    head = evidence_file.read(16)
    evidence_file.seek(0)
    kind = sniff_evidence_type(head)
    if kind is None:
        raise ValidationError(
            {"evidence_file": gettext("The evidence file must be a PDF, JPEG, PNG or WebP file.")}
        )
    return kind, evidence_file


@transaction.atomic
def update_milestone_progress(
    *,
    enrolment: Enrolment,
    milestone: Milestone,
    state: str,
    completed_on: datetime.date | None = None,
    achieved_count: int | None = None,
    evidence_url: str | None = None,
    evidence_file: UploadedFile | None = None,
    note: str | None = None,
    actor: User,
) -> MilestoneProgress:
    """Record how far the enrolled village is with one of its programme's milestones.

    `state` "done" needs `completed_on` (not in the future); other states clear it. Evidence is a
    link, an uploaded file, or both; None leaves the stored one as it is. A file must be a PDF,
    JPEG, PNG or WebP, judged by its first bytes (never its name), and at most 5 MB; its stored
    name is built by the model's upload_to from the sniffed type.

    Raises PermissionDenied unless actor is the village's secretary, its kecamatan officer, an
    official of its regency or an administrator; ValidationError for a milestone of another
    programme, an unknown state, a missing date, a bad link or a refused file.
    """
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("village")
        .get(pk=enrolment.pk)
    )
    if not can_update_milestone_progress(actor, enrolment.village):
        raise PermissionDenied(gettext("You may not update the milestones of this village."))
    if milestone.programme_id != enrolment.programme_id:
        raise ValidationError({"milestone": gettext("The milestone belongs to another programme.")})
    if state not in MilestoneState.values:
        raise ValidationError({"state": gettext("Unknown milestone state.")})
    errors = {}
    if state == MilestoneState.DONE:
        if completed_on is None:
            errors["completed_on"] = gettext("A milestone that is done needs its completion date.")
        elif completed_on > timezone.localdate():
            errors["completed_on"] = gettext("The completion date cannot be in the future.")
    else:
        completed_on = None
    kind = None
    if evidence_file is not None:
        try:
            kind, evidence_file = _checked_evidence_file(evidence_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    progress = (
        MilestoneProgress.objects.select_for_update()
        .filter(enrolment=enrolment, milestone=milestone)
        .first()
    )
    created = progress is None
    if created:
        progress = MilestoneProgress(enrolment=enrolment, milestone=milestone)
    progress.state = state
    progress.completed_on = completed_on
    progress.achieved_count = achieved_count
    progress.updated_by = actor
    update_fields = ["state", "completed_on", "achieved_count", "updated_by", "updated_at"]
    if evidence_url is not None:
        progress.evidence_url = evidence_url
        update_fields.append("evidence_url")
    if note is not None:
        progress.note = note
        update_fields.append("note")
    progress.full_clean(exclude=["evidence_file"])

    old_file = progress.evidence_file.name if progress.evidence_file else ""
    if kind is not None:
        # The client's name is dropped here; upload_to keeps only this sniffed extension.
        progress.evidence_file.save(f"evidence.{kind}", evidence_file, save=False)
        update_fields.append("evidence_file")
    if created:
        progress.save()
    else:
        progress.save(update_fields=update_fields)
    note_change(village_ids=[enrolment.village_id])
    new_file = progress.evidence_file.name
    if old_file and kind is not None and old_file != new_file:
        storage = progress.evidence_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return progress
