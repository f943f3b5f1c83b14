"""Releases in the admin: publish one (a note), see them all; never change or delete one, even as a superuser."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from releases.models import Release
from releases.services import PublishError, release_publish


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["public_id", "published_at", "note", "data_version", "published_by"]
    list_select_related = ["published_by"]
    search_fields = ["note"]
    readonly_fields = ["number", "data_version", "published_at", "published_by", "note", "data_sha256", "manifest"]

    @admin.display(description=_("release"), ordering="number")
    def public_id(self, release):
        return release.public_id

    def get_fields(self, request, obj=None):
        # Adding is publishing: the editor writes the note; everything else is read from the data.
        return ["note"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except PublishError as error:
            # The admin's transaction was rolled back: nothing was written. Back to the form, the note kept.
            self.message_user(request, str(error), level=messages.ERROR)
            return HttpResponseRedirect(f"{request.path}?{urlencode({'note': request.POST.get('note', '')})}")

    def save_model(self, request, obj, form, change):
        published = release_publish(note=form.cleaned_data["note"], user=request.user)
        obj.pk, obj.number, obj.published_at = published.pk, published.number, published.published_at
        obj._state.adding = False
        self.message_user(
            request, _("Published %(release)s.") % {"release": published.public_id}, level=messages.SUCCESS
        )
