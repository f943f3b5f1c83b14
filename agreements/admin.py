from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Agreement, AgreementStatusChange, Event


class AgreementStatusChangeInline(admin.TabularInline):
    model = AgreementStatusChange
    extra = 0
    autocomplete_fields = ["source", "event"]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["state", "state_party", "signed_on", "signed_precision"]
    list_filter = ["state"]
    list_select_related = ["state"]
    search_fields = ["state__name", "state_party", "notes"]
    autocomplete_fields = ["state", "sources"]
    inlines = [AgreementStatusChangeInline]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_on", "state", "kind", "summary"]
    list_filter = ["kind", "state"]
    list_select_related = ["state"]
    search_fields = ["summary"]
    autocomplete_fields = ["state", "sources"]
