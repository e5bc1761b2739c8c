"""Admin: the audit log read-only (behind two-factor), and an action that makes accounts moderators."""

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from .audit import audit_record
from .models import AuditEntry, ModeratorNote, TransparencyTally
from .permissions import MODERATORS_GROUP, session_passed_2fa


class ReadOnlyAdmin(admin.ModelAdmin):
    """Moderation records in the admin: read-only, and only for a session that passed two-factor."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and session_passed_2fa(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and session_passed_2fa(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_id", "status_before", "status_after"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "target_id", "reason"]
    date_hierarchy = "created_at"


@admin.register(TransparencyTally)
class TransparencyTallyAdmin(ReadOnlyAdmin):
    list_display = ["month", "outcome", "reason", "count"]
    list_filter = ["outcome"]


@admin.register(ModeratorNote)
class ModeratorNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "participant", "author_label", "body"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ModeratorUserAdmin(UserAdmin):
    """The standard user admin, plus an action that does what create_moderator does."""

    actions = ["make_moderators"]

    @admin.action(description="Make moderators (Moderators group, e-mail marked verified)")
    def make_moderators(self, request, queryset):
        group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
        made = 0
        for user in queryset.exclude(email=""):
            user.groups.add(group)
            address, _ = EmailAddress.objects.get_or_create(
                user=user, email__iexact=user.email, defaults={"email": user.email, "primary": True}
            )
            if not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            audit_record(action="moderator.update", actor=request.user, target=user, details={"via": "admin"})
            made += 1
        self.message_user(
            request, f"{made} account(s) are moderators; they set up two-factor at their next login.", messages.SUCCESS
        )
