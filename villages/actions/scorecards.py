"""Writes to Desa Cerdas scorecards: the indicators, and recording a village's assessment."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib import api_cache
from portal.lib.figures import note_change
from villages.models import Assessment, AssessmentScore, Indicator, Programme, Village
from villages.programme_permissions import can_edit_indicators, can_record_assessment


@transaction.atomic
def record_assessment(
    *,
    village: Village,
    assessed_on: datetime.date,
    scores: Mapping[str | int, Decimal | int | float | str],
    notes: str = "",
    programme: Programme | None = None,
    assessor: User | None = None,
    actor: User,
) -> Assessment:
    """Record a scorecard for the village: one score per indicator, keyed by code or id.

    Every score must be a number from 0 to its indicator's highest score, for an active
    indicator; at least one score is needed. All or nothing: any refused score refuses the whole
    scorecard, and the ValidationError lists each problem naming its indicator. `assessor`
    defaults to the actor.

    Raises PermissionDenied unless actor is the village's kecamatan officer, an official of its
    regency or an administrator.
    """
    if not can_record_assessment(actor, village):
        raise PermissionDenied(gettext("You may not record assessments for this village."))
    if not scores:
        raise ValidationError({"scores": gettext("Give at least one indicator's score.")})
    codes = {key for key in scores if isinstance(key, str) and not key.isdigit()}
    ids = {int(key) for key in scores if isinstance(key, int) or str(key).isdigit()}
    indicators = Indicator.objects.filter(Q(code__in=codes) | Q(pk__in=ids))
    by_key = {}
    for indicator in indicators:
        by_key[indicator.code] = indicator
        by_key[str(indicator.pk)] = indicator

    problems = []
    rows: dict[int, AssessmentScore] = {}
    for key, raw in scores.items():
        indicator = by_key.get(str(key))
        if indicator is None:
            problems.append(gettext("Unknown indicator %(key)s.") % {"key": key})
            continue
        if not indicator.is_active:
            problems.append(
                gettext("%(indicator)s is no longer assessed.") % {"indicator": indicator.name}
            )
            continue
        try:
            score = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            score = None
        if score is None or not score.is_finite():
            problems.append(
                gettext("%(indicator)s: the score is not a number.") % {"indicator": indicator.name}
            )
        elif not 0 <= score <= indicator.max_score:
            problems.append(
                gettext("%(indicator)s: the score must be between 0 and %(max)s.")
                % {"indicator": indicator.name, "max": indicator.max_score}
            )
        elif indicator.pk in rows:
            problems.append(
                gettext("%(indicator)s is scored twice.") % {"indicator": indicator.name}
            )
        else:
            rows[indicator.pk] = AssessmentScore(indicator=indicator, score=score)
    if problems:
        raise ValidationError({"scores": problems})

    assessment = Assessment(
        village=village,
        programme=programme,
        assessed_on=assessed_on,
        assessor=assessor or actor,
        notes=notes,
    )
    assessment.full_clean()
    assessment.save()
    for row in rows.values():
        row.assessment = assessment
        row.full_clean(exclude=["assessment"])
    AssessmentScore.objects.bulk_create(rows.values())
    api_cache.bump("villages")  # bulk writes send no model signals
    note_change(village_ids=[village.pk])
    return assessment


INDICATOR_FIELDS = ("dimension", "code", "name", "description", "max_score", "order", "is_active")


@transaction.atomic
def save_indicator(*, indicator: Indicator | None = None, actor: User, **fields) -> Indicator:
    """Create an indicator, or change `indicator`, from `fields` (any of INDICATOR_FIELDS).

    Raises PermissionDenied unless actor is a district official or an administrator,
    ValidationError for a taken code, an unknown dimension or a highest score below 1.
    Scores already recorded keep their values; deactivating hides an indicator from new
    assessments without touching old ones.
    """
    if not can_edit_indicators(actor):
        raise PermissionDenied(gettext("Only officials may change the scorecard's indicators."))
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    if indicator is None:
        indicator = Indicator(**fields)
        indicator.full_clean()
        indicator.save()
        return indicator
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save(update_fields=list(fields))
    return indicator
