"""Admin forms for agreements, their dated status history and events."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect

from agreements.models import Agreement, AgreementStatus, AgreementStatusChange, Event, Precision
from common.admin_versions import GuardedModelForm
from jurisdictions.models import Source

SOURCE_REQUIRED = "Every agreement change needs a source: pick one, or create it with the + button beside the field."


class AgreementForm(GuardedModelForm):
    class Meta:
        model = Agreement
        fields = "__all__"


class AgreementStatusChangeForm(GuardedModelForm):
    class Meta:
        model = AgreementStatusChange
        fields = ["agreement", "status", "effective_on", "precision", "source", "event", "note", "note_es"]
        error_messages = {"source": {"required": SOURCE_REQUIRED}}
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "note_es": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }


class EventForm(GuardedModelForm):
    class Meta:
        model = Event
        fields = "__all__"


class ApplyEventForm(forms.Form):
    """One sourced change applied to several agreements (e.g. ICE's rescission of every MOA)."""

    status = forms.ChoiceField(
        choices=[
            (AgreementStatus.IN_FORCE, "Signed / in force"),
            (AgreementStatus.SUSPENDED, AgreementStatus.SUSPENDED.label),
            (AgreementStatus.TERMINATED, AgreementStatus.TERMINATED.label),
            (AgreementStatus.RESCINDED, AgreementStatus.RESCINDED.label),
        ]
    )
    effective_on = forms.DateField(label="Date", widget=AdminDateWidget)
    precision = forms.ChoiceField(choices=Precision.choices, initial=Precision.DAY)
    source = forms.ModelChoiceField(queryset=Source.objects.all(), error_messages={"required": SOURCE_REQUIRED})
    event = forms.ModelChoiceField(
        queryset=Event.objects.all(), required=False, help_text="The dated event this is part of, if any."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    note_es = forms.CharField(
        label="Note (Spanish)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=AgreementStatusChange._meta.get_field("note_es").help_text,
    )

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            for name in ("source", "event"):
                field = self.fields[name]
                field.widget = AutocompleteSelect(AgreementStatusChange._meta.get_field(name), admin_site)
                # Re-setting the queryset hands the new widget its choices.
                field.queryset = field.queryset
