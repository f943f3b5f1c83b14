"""`?page=N&page_size=M` over snapshot rows (plain lists): 100 rows by default, at most 1,000."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class TrackerPagination(PageNumberPagination):
    """DRF's page-number pagination; a bad `page` or `page_size` is a 400 naming it, not a guess."""

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"page_size must be a whole number from 1 to {self.max_page_size}; got '{raw[:20]}'."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "", "last") and not raw.isdigit():
            raise ValidationError({"page": [f"page must be a whole number from 1; got '{raw[:20]}'."]})
        return super().paginate_queryset(queryset, request, view)
