"""The inbox and the notification settings, under /pemberitahuan/.

Thin: every row is fetched through `Notification.objects.visible_to` (another user's is 404), one
action is called, and the page redirects.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.lib.forms import add_action_errors
from portal.notifications.actions import (
    mark_all_read,
    mark_read,
    refresh_unread_count,
    set_preferences,
)
from portal.notifications.models import Channel, Notification, preference_for

PAGE_SIZE = 50


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Send me notifications by e-mail"), required=False)
    whatsapp_enabled = forms.BooleanField(
        label=_("Send me notifications by WhatsApp"), required=False
    )
    whatsapp_number = forms.CharField(
        label=_("WhatsApp number"),
        required=False,
        max_length=30,
        help_text=_("For example 0812 3456 7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


@login_required
def inbox_view(request):
    notifications = (
        Notification.objects.visible_to(request.user)
        .inbox()
        .only("pk", "title", "body", "url", "created_at", "read_at")
        .order_by("-created_at", "-pk")
    )
    page_obj = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    # The inbox is where a count the cache lost (or never had) is put back for the menu.
    refresh_unread_count(user_id=request.user.pk)
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page_obj, "paginator": page_obj.paginator},
    )


@login_required
@require_POST
def open_view(request, pk: int):
    """Mark the notification read and follow its link (back to the inbox when it has none)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user).inbox(), pk=pk)
    mark_read(notification=notification, actor=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read_view(request):
    count = mark_all_read(actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("notifications:inbox")


@login_required
def preferences_view(request):
    preference = preference_for(request.user)
    initial = {
        "email_enabled": preference.email_enabled,
        "whatsapp_enabled": preference.wants(Channel.WHATSAPP),
        "whatsapp_number": preference.whatsapp_number,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_preferences(user=request.user, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Your notification settings have been saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
