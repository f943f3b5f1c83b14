from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jurisdictions.models import Jurisdiction, Source, State, StatusChange


@admin.register(State)
class StateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "postal", "fips"]
    search_fields = ["name", "postal", "fips"]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["label", "publisher", "published_on", "url"]
    search_fields = ["title", "publisher", "url", "key"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "fips", "state", "kind", "in_dataset", "on_current_map"]
    list_filter = ["state", "kind", "in_dataset", "on_current_map"]
    list_select_related = ["state"]
    search_fields = ["name", "fips", "state__name", "state__postal"]
    autocomplete_fields = ["state", "status_from", "replaced_by"]
    inlines = [StatusChangeInline]


@admin.register(StatusChange)
class StatusChangeAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "status", "effective_on", "confidence", "source"]
    list_filter = ["status", "confidence"]
    list_select_related = ["jurisdiction__state", "source"]
    search_fields = ["jurisdiction__name", "jurisdiction__fips"]
    autocomplete_fields = ["jurisdiction", "source"]
