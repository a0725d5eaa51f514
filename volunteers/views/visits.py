"""Mentoring visit pages: the volunteer's own, logging and editing, the list, the review queue,
the photos, and the POST endpoints of the review workflow.

Thin: parse, fetch through `Visit.objects.visible_to` (out of scope is 404), call one action
(which checks permission: 403) and redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.lib.forms import add_action_errors, message_action_errors
from villages.models import Dimension, Village, role_areas
from volunteers.actions.visits import (
    VISIT_FIELDS,
    add_visit_photo,
    create_visit,
    remove_visit_photo,
    return_visit,
    submit_visit,
    update_visit,
    verify_visit,
)
from volunteers.forms.visits import AddPhotoForm, ReturnVisitForm, VisitForm, VisitListFilter
from volunteers.models import (
    ROSTER_ROLES,
    ActivityType,
    Assignment,
    Visit,
    VisitPhoto,
    VisitStatus,
    Volunteer,
)
from volunteers.permissions import can_log_visit, can_review_visit

PAGE_SIZE = 50


def _roster_record(user) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first() if user.is_authenticated else None


def _visible_visit(request, pk: int) -> Visit:
    return get_object_or_404(
        Visit.objects.visible_to(request.user).select_related(
            "volunteer", "village__district", "assignment__programme", "reviewed_by"
        ),
        pk=pk,
    )


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def my_visits_view(request):
    """The volunteer's current assignments (with the last visit to each) and all their visits."""
    record = _roster_record(request.user)
    if record is None:
        return render(request, "volunteers/my_visits.html", {"record": None})
    last_visit = (
        Visit.objects.filter(volunteer=record, village=OuterRef("village"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    assignments = (
        Assignment.objects.filter(volunteer=record)
        .current()
        .select_related("village__district", "programme")
        .annotate(last_visited_on=Subquery(last_visit))
        .order_by("village__name", "starts_on")
    )
    visits = record.visits.select_related("village__district").order_by("-visited_on", "-pk")
    return render(
        request,
        "volunteers/my_visits.html",
        {"record": record, "assignments": assignments, "page_obj": _page(request, visits)},
    )


def _form_villages(record: Volunteer, visit: Visit | None = None):
    """The villages of the volunteer's current assignments (and the visit's own village)."""
    current = Assignment.objects.filter(volunteer=record).current().values("village")
    condition = Q(pk__in=current)
    if visit is not None:
        condition |= Q(pk=visit.village_id)
    return Village.objects.filter(condition).select_related("district").order_by("name")


def _visit_data(form) -> dict:
    data = {field: form.cleaned_data[field] for field in VISIT_FIELDS}
    for count in ("participants_female", "participants_male", "participants_youth"):
        data[count] = data[count] or 0
    return data


def _saved(request, visit: Visit, submitted: bool):
    if submitted:
        messages.success(request, gettext("The visit has been submitted for review."))
    else:
        messages.success(request, gettext("The visit has been saved as a draft."))
    return redirect("volunteers:visit-detail", visit.pk)


@login_required
def visit_create_view(request):
    record = _roster_record(request.user)
    if record is None:
        raise PermissionDenied(gettext("Only volunteers on the roster log visits."))
    form = VisitForm(request.POST or None, request.FILES or None, villages=_form_villages(record))
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            visit = create_visit(
                volunteer=record,
                client_id=form.cleaned_data["client_id"],
                submit=submit,
                photos=form.cleaned_data["photos"],
                actor=request.user,
                **_visit_data(form),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _saved(request, visit, visit.status == VisitStatus.SUBMITTED)
    return render(request, "volunteers/visit_form.html", {"form": form, "visit": None})


@login_required
def visit_update_view(request, pk: int):
    visit = _visible_visit(request, pk)
    if not can_log_visit(request.user, visit.volunteer):
        raise PermissionDenied
    if not visit.is_editable:
        messages.error(
            request,
            gettext("A %(status)s visit cannot be changed.")
            % {"status": visit.get_status_display()},
        )
        return redirect("volunteers:visit-detail", visit.pk)
    villages = _form_villages(visit.volunteer, visit)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, villages=villages)
    else:
        form = VisitForm.for_visit(visit, villages=villages)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            visit = update_visit(
                visit=visit,
                photos=form.cleaned_data["photos"],
                submit=submit,
                actor=request.user,
                **_visit_data(form),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _saved(request, visit, submit)
    return render(request, "volunteers/visit_form.html", {"form": form, "visit": visit})


def _labels(choices, values) -> list[str]:
    labels = dict(choices.choices)
    return [labels.get(value, value) for value in values]


@login_required
def visit_detail_view(request, pk: int):
    visit = _visible_visit(request, pk)
    is_author = can_log_visit(request.user, visit.volunteer)
    can_review = visit.status == VisitStatus.SUBMITTED and can_review_visit(request.user, visit)
    return render(
        request,
        "volunteers/visit_detail.html",
        {
            "visit": visit,
            "photos": list(visit.photos.all()),
            "events": visit.events.select_related("actor"),
            "activity_labels": _labels(ActivityType, visit.activities),
            "pillar_labels": _labels(Dimension, visit.pillars),
            "can_edit": is_author and visit.is_editable,
            "can_review": can_review,
            "return_form": ReturnVisitForm() if can_review else None,
            "photo_form": AddPhotoForm() if is_author and visit.is_editable else None,
        },
    )


def _list_queryset(queryset):
    return queryset.select_related("volunteer", "village__district")


@login_required
def visit_list_view(request):
    visits = _list_queryset(Visit.objects.visible_to(request.user))
    visit_filter = VisitListFilter(request.GET or None, queryset=visits, request=request)
    if visit_filter.is_bound and not visit_filter.is_valid():
        visits = visits.none()
    else:
        visits = visit_filter.qs
    return render(
        request,
        "volunteers/visit_list.html",
        {"filter": visit_filter, "page_obj": _page(request, visits)},
    )


@login_required
def visit_review_view(request):
    """Submitted visits waiting in the reviewer's area, oldest first."""
    user = request.user
    if not user.is_superuser and not any(role in ROSTER_ROLES for role, _ in role_areas(user)):
        raise PermissionDenied(gettext("You do not review visits."))
    visits = _list_queryset(
        Visit.objects.visible_to(user)
        .filter(status=VisitStatus.SUBMITTED)
        .exclude(volunteer__user=user)
        .order_by("submitted_at", "pk")
    )
    return render(request, "volunteers/visit_review.html", {"page_obj": _page(request, visits)})


@login_required
def visit_photo_view(request, pk: int, photo_pk: int):
    """A visit photo, to those who see the visit only: media URLs are guessable."""
    photo = get_object_or_404(
        VisitPhoto.objects.filter(visit__in=Visit.objects.visible_to(request.user)),
        pk=photo_pk,
        visit_id=pk,
    )
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _transition(request, visit: Visit, action, success: str, **kwargs):
    try:
        action(visit=visit, actor=request.user, **kwargs)
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(request, success)
    return redirect("volunteers:visit-detail", visit.pk)


@login_required
@require_POST
def visit_submit_view(request, pk: int):
    return _transition(
        request, _visible_visit(request, pk), submit_visit, gettext("The visit has been submitted.")
    )


@login_required
@require_POST
def visit_verify_view(request, pk: int):
    return _transition(
        request, _visible_visit(request, pk), verify_visit, gettext("The visit has been verified.")
    )


@login_required
@require_POST
def visit_return_view(request, pk: int):
    return _transition(
        request,
        _visible_visit(request, pk),
        return_visit,
        gettext("The visit has been returned to the volunteer."),
        reason=request.POST.get("reason", ""),
    )


@login_required
@require_POST
def visit_photo_add_view(request, pk: int):
    visit = _visible_visit(request, pk)
    form = AddPhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Choose a photo to add."))
        return redirect("volunteers:visit-detail", visit.pk)
    return _transition(
        request,
        visit,
        add_visit_photo,
        gettext("The photo has been added."),
        photo=form.cleaned_data["photo"],
    )


@login_required
@require_POST
def visit_photo_remove_view(request, pk: int, photo_pk: int):
    visit = _visible_visit(request, pk)
    photo = get_object_or_404(visit.photos, pk=photo_pk)
    try:
        remove_visit_photo(photo=photo, actor=request.user)
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(request, gettext("The photo has been removed."))
    return redirect("volunteers:visit-detail", visit.pk)
