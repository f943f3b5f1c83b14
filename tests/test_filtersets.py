"""The FilterSets copy their filters shallowly and build their form class once (common/api/filters.py): what a
request sets must stay that request's own."""

from django.http import QueryDict

from jurisdictions.filters import JurisdictionFilter


class _Snapshot:
    def __init__(self, states):
        self.states = states


def test_each_filterset_has_its_own_filters_bound_to_itself():
    first = JurisdictionFilter(QueryDict("state=TX"), snapshot=_Snapshot(["TX"]))
    second = JurisdictionFilter(QueryDict("state=CA"), snapshot=_Snapshot(["CA"]))
    for name in JurisdictionFilter.base_filters:
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert first.filters[name].filter.f is first.filters[name]
    assert first.filters["state"].filter.method.__self__ is first


def test_the_form_class_is_shared_and_the_valid_states_are_each_forms_own():
    first = JurisdictionFilter(QueryDict("state=TX"), snapshot=_Snapshot(["TX"]))
    second = JurisdictionFilter(QueryDict("state=TX"), snapshot=_Snapshot(["CA"]))
    assert type(first.form) is type(second.form)
    assert first.form.is_valid()
    assert not second.form.is_valid()
    assert second.form.errors["state"][0].startswith("Unknown value 'TX'")
    assert first.form.fields["state"] is not second.form.fields["state"]
    assert type(first.form).base_fields["state"].valid == ()
