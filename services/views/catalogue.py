"""Catalogue pages: the service types (officials edit them) and the services a village offers.

Thin: parse the form, fetch through `visible_to` (out of scope is 404), call one action (which
checks permission: 403) and redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from portal.lib.forms import add_action_errors
from services.actions.catalogue import choose_village_services, save_service_type
from services.catalogue import village_service_choices
from services.forms.catalogue import ServiceTypeForm, VillageServicesForm
from services.models import ServiceType
from services.permissions import can_choose_village_services, can_edit_catalogue
from villages.models import Role, Village, role_areas


@login_required
@require_GET
def service_type_list_view(request):
    secretary_of = [
        code for role, code in role_areas(request.user) if role == Role.VILLAGE_SECRETARY
    ]
    return render(
        request,
        "services/catalogue_list.html",
        {
            "service_types": ServiceType.objects.visible_to(request.user),
            "can_edit": can_edit_catalogue(request.user),
            "my_villages": Village.objects.filter(code__in=secretary_of).order_by("name"),
        },
    )


@login_required
def service_type_form_view(request, pk: int | None = None):
    if not can_edit_catalogue(request.user):
        raise PermissionDenied
    service_type = None
    if pk is not None:
        service_type = get_object_or_404(ServiceType.objects.visible_to(request.user), pk=pk)
    form = ServiceTypeForm(request.POST or None, service_type=service_type)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_service_type(
                service_type=service_type, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Service “%(name)s” saved.") % {"name": saved.name})
            return redirect("services:service-type-list")
    return render(
        request,
        "services/catalogue_form.html",
        {"form": form, "service_type": service_type},
    )


@login_required
def village_services_view(request, code: str):
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("district"), code=code
    )
    can_choose = can_choose_village_services(request.user, village)
    if request.method == "POST" and not can_choose:
        raise PermissionDenied
    choices = list(village_service_choices(village))
    form = None
    if can_choose:
        form = VillageServicesForm(
            # Not `request.POST or None`: unticking every box posts nothing, yet is a choice.
            request.POST if request.method == "POST" else None,
            offered=[service_type for service_type in choices if service_type.is_offered],
        )
    if form is not None and form.is_valid():
        choose_village_services(
            village=village, offered=form.cleaned_data["offered"], actor=request.user
        )
        messages.success(
            request,
            gettext("The services of %(village)s are saved.") % {"village": village.name},
        )
        return redirect("services:village-services", village.code)
    return render(
        request,
        "services/catalogue_village.html",
        {"village": village, "form": form, "can_choose": can_choose, "choices": choices},
    )
