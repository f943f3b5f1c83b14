"""`?page=N&page_size=M` over snapshot rows (plain lists): 100 rows by default, at most 1,000.

`page` and `page_size` are read by the public-answer protocol (common/params.py): the one page rule, on pages and
the API alike (a number from 1, in the digits 0-9; `last`, `0`, `-1` are a 400; a page past the last, 404).
"""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from common import params

MAX_PAGE_SIZE = 1000
PAGINATION = {"page": params.PAGE, "page_size": params.Number(low=1, high=MAX_PAGE_SIZE, default=100)}


class TrackerPagination(PageNumberPagination):
    """DRF's page-number pagination over the protocol's `page` and `page_size`; links carry the canonical query."""

    page_size = 100
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"

    def _params(self, request, view):
        found = getattr(view, "params", None)
        if found is not None and "page" in found:
            return found
        try:
            return params.parse(PAGINATION, request.query_params)
        except params.BadParameter as error:
            raise ValidationError({error.name: [str(error)]}) from None

    def get_page_size(self, request):
        return self._params(request, None)["page_size"]

    def paginate_queryset(self, queryset, request, view=None):
        self.parsed = found = self._params(request, view)
        paginator = self.django_paginator_class(queryset, found["page_size"])
        try:
            self.page = paginator.page(found["page"])
        except InvalidPage:
            raise NotFound(f"Invalid page: there is no page {found['page']}.") from None
        self.request = request
        return list(self.page)

    def _link(self, number):
        path = self.request.build_absolute_uri(self.request._request.path)
        query = self.parsed.query(drop=("page",), page=number if number > 1 else None)
        return path + (f"?{query}" if query else "")

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None
