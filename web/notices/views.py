"""The in-app notice list and each person's choice of e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from web.notices.models import Notice, NoticeSettings
from web.notices.services import mark_read


class NoticeSettingsForm(forms.ModelForm):
    class Meta:
        model = NoticeSettings
        fields = ("email",)


@login_required
def notice_list(request):
    page = Paginator(Notice.objects.filter(user=request.user), 50).get_page(request.GET.get("page"))
    settings_row, _created = NoticeSettings.objects.get_or_create(user=request.user)
    form = NoticeSettingsForm(instance=settings_row)
    return render(request, "notices/list.html", {"page": page, "form": form})


@login_required
@require_POST
def notices_read(request):
    mark_read(request.user)
    return redirect("notices:list")


@login_required
@require_POST
def notice_settings(request):
    settings_row, _created = NoticeSettings.objects.get_or_create(user=request.user)
    form = NoticeSettingsForm(request.POST, instance=settings_row)
    if form.is_valid():
        form.save()
        messages.success(request, _("Your notice settings were saved."))
    return redirect("notices:list")


def unread(request) -> dict:
    """Context processor: the unread count in the header (one COUNT per page, signed-in only).

    Counted once per request: a cached dashboard asks it for its ETag and again to render."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted = getattr(request, "_chitieu_unread_notices", None)
    if counted is None or counted[0] != user.pk:
        counted = (user.pk, Notice.objects.filter(user=user, read_at__isnull=True).count())
        request._chitieu_unread_notices = counted
    return {"unread_notices": counted[1]}
