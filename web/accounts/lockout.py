"""What a person sees when django-axes locks their log-in: a Vietnamese page saying why and for how long."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def locked(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: HTTP 429 with the limit and the cool-off in minutes."""
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "accounts/locked.html", context, status=429)
