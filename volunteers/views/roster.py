"""The roster pages (volunteers, memberships, logins) and the assignment pages.

Thin: parse the form, fetch through `visible_to` (out of scope is 404), call one action (which
checks permission: 403) and redirect. Reads come from volunteers.selectors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.lib.forms import add_action_errors
from villages.models import District, Programme, Village
from volunteers.actions.roster import (
    ASSIGNABLE_ENROLMENTS,
    assign_volunteer,
    create_volunteer,
    create_volunteer_login,
    end_assignment,
    save_membership,
    update_volunteer,
)
from volunteers.forms.roster import (
    AssignmentForm,
    AssignmentListFilter,
    EndAssignmentForm,
    MembershipForm,
    RosterFilter,
    VolunteerForm,
    VolunteerLoginForm,
)
from volunteers.models import Assignment, Volunteer, VolunteerStatus
from volunteers.permissions import (
    can_assign_to_village,
    can_manage_volunteer,
    can_see_volunteer_contacts,
    managed_districts,
)
from volunteers.selectors import roster, villages_without_main_mentor, volunteer_profile_context

PAGE_SIZE = 50


def _visible_volunteer(request, pk: int) -> Volunteer:
    return get_object_or_404(
        Volunteer.objects.visible_to(request.user).select_related("district", "home_village"),
        pk=pk,
    )


def _managed_volunteer(request, pk: int) -> Volunteer:
    volunteer = _visible_volunteer(request, pk)
    if not can_manage_volunteer(request.user, volunteer):
        raise PermissionDenied
    return volunteer


def _form_page(request, form, heading: str, volunteer: Volunteer | None = None):
    return render(
        request,
        "volunteers/volunteer_form.html",
        {"form": form, "heading": heading, "volunteer": volunteer},
    )


# The roster


@login_required
def volunteer_list_view(request):
    user = request.user
    # Only kecamatan that have volunteers: the select stays short even for administrators.
    districts = (
        District.objects.visible_to(user)
        .filter(Exists(Volunteer.objects.filter(district=OuterRef("pk"))))
        .order_by("name")
    )
    filterset = RosterFilter(
        request.GET or None, queryset=roster(user=user), request=request, districts=districts
    )
    if filterset.is_bound and not filterset.is_valid():
        # Ignoring a filter the user asked for would show a wrong list: show none, and why.
        volunteers = filterset.queryset.none()
    else:
        volunteers = filterset.qs
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    for volunteer in page:
        # From the cached role areas: no query per row.
        volunteer.show_contacts = can_see_volunteer_contacts(user, volunteer)
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "filter": filterset,
            "volunteers": page.object_list,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "show_whatsapp": any(volunteer.show_contacts for volunteer in page),
            "can_manage_roster": managed_districts(user).exists(),
        },
    )


@login_required
def volunteer_create_view(request):
    districts = managed_districts(request.user)
    if not districts.exists():
        raise PermissionDenied
    form = VolunteerForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = create_volunteer(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("%(name)s added to the roster.") % {"name": volunteer.full_name}
            )
            return redirect("volunteers:volunteer-detail", volunteer.pk)
    return _form_page(request, form, gettext("New volunteer"))


@login_required
def volunteer_detail_view(request, pk: int):
    volunteer = _visible_volunteer(request, pk)
    return render(
        request,
        "volunteers/volunteer_detail.html",
        volunteer_profile_context(user=request.user, volunteer=volunteer),
    )


@login_required
def volunteer_update_view(request, pk: int):
    volunteer = _managed_volunteer(request, pk)
    form = VolunteerForm(
        request.POST or None,
        initial=VolunteerForm.initial_from(volunteer),
        districts=managed_districts(request.user),
        volunteer=volunteer,
    )
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            update_volunteer(volunteer=volunteer, actor=request.user, **changes)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Volunteer record saved."))
            return redirect("volunteers:volunteer-detail", volunteer.pk)
    heading = gettext("Edit %(name)s") % {"name": volunteer.full_name}
    return _form_page(request, form, heading, volunteer)


@login_required
def membership_create_view(request, pk: int):
    volunteer = _managed_volunteer(request, pk)
    regency_code = volunteer.district_id.rpartition(".")[0]
    villages = (
        Village.objects.visible_to(request.user)
        .filter(code__startswith=f"{regency_code}.")
        .select_related("district")
        .order_by("district__name", "name")
    )
    form = MembershipForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            membership = save_membership(
                volunteer=volunteer, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("Membership of %(corps)s saved.") % {"corps": membership.corps}
            )
            return redirect("volunteers:volunteer-detail", volunteer.pk)
    heading = gettext("Corps membership of %(name)s") % {"name": volunteer.full_name}
    return _form_page(request, form, heading, volunteer)


@login_required
def volunteer_login_view(request, pk: int):
    volunteer = _managed_volunteer(request, pk)
    form = VolunteerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            create_volunteer_login(
                volunteer=volunteer,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                actor=request.user,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("The login was created."))
            return redirect("volunteers:volunteer-detail", volunteer.pk)
    heading = gettext("Login for %(name)s") % {"name": volunteer.full_name}
    return _form_page(request, form, heading, volunteer)


# Assignments


@login_required
def assignment_list_view(request):
    user = request.user
    form = AssignmentListFilter(
        request.GET or None, programmes=Programme.objects.visible_to(user).order_by("name")
    )
    programme = form.cleaned_data["programme"] if form.is_valid() else None
    assignments = (
        Assignment.objects.visible_to(user)
        .current()
        .select_related("volunteer", "village__district", "programme")
        .order_by("programme__name", "village__name", "role", "volunteer__full_name")
    )
    if programme is not None:
        assignments = assignments.filter(programme=programme)
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    for assignment in page:
        assignment.can_end = can_assign_to_village(user, assignment.village)
    return render(
        request,
        "volunteers/assignment_list.html",
        {
            "filter_form": form,
            "assignments": page.object_list,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "unmentored": list(villages_without_main_mentor(user=user, programme=programme)),
            "can_assign": managed_districts(user).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
def assignment_create_view(request):
    user = request.user
    districts = managed_districts(user)
    if not districts.exists():
        raise PermissionDenied
    villages = (
        Village.objects.filter(district__in=districts, enrolments__status__in=ASSIGNABLE_ENROLMENTS)
        .distinct()
        .select_related("district")
        .order_by("district__name", "name")
    )
    form = AssignmentForm(
        request.POST or None,
        initial={
            "village": request.GET.get("village"),
            "programme": request.GET.get("programme"),
            "starts_on": timezone.localdate(),
        },
        volunteers=Volunteer.objects.visible_to(user).filter(status=VolunteerStatus.ACTIVE),
        villages=villages,
        programmes=Programme.objects.visible_to(user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = assign_volunteer(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                gettext("%(volunteer)s now mentors %(village)s.")
                % {"volunteer": assignment.volunteer.full_name, "village": assignment.village.name},
            )
            return redirect("volunteers:assignment-list")
    return render(
        request,
        "volunteers/assignment_form.html",
        {"form": form, "heading": gettext("Assign a mentor")},
    )


@login_required
@require_POST
def assignment_end_view(request, pk: int):
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("village"), pk=pk
    )
    if not can_assign_to_village(request.user, assignment.village):
        raise PermissionDenied
    form = EndAssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the last day of the assignment."))
        return redirect("volunteers:assignment-list")
    try:
        end_assignment(
            assignment=assignment, ends_on=form.cleaned_data["ends_on"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The assignment ends on the given day."))
    return redirect("volunteers:assignment-list")
