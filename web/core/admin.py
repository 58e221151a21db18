"""The audit trail in the admin: administrators read it; nobody adds, changes or deletes a row."""

from __future__ import annotations

from django.contrib import admin

from chitieu.approval import Role
from web.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "subject_type", "subject_id", "field", "old", "new", "reason")
    list_filter = ("action", "subject_type")
    search_fields = ("field", "old", "new", "reason", "actor__username")
    date_hierarchy = "at"
    actions = None  # no "delete selected"

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_authenticated and request.user.chitieu_role is Role.ADMINISTRATOR

    # Even a superuser: the trail is written by the services, in their transaction, and only there.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
