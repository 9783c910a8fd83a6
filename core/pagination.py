"""Page-number pagination for list pages (the API paginates with django-ninja)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50


@dataclass(frozen=True)
class Paged:
    page_obj: Page[Any]
    #: The request's other query parameters (filters), for the page links to keep.
    query_string: str
    params: QueryDict

    def context(self) -> dict[str, Any]:
        return {"page_obj": self.page_obj, "query_string": self.query_string}


def paginate(request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE) -> Paged:
    """One page of ``rows`` (a queryset with an ordering), chosen by ``?page=``."""
    page_obj = Paginator(rows, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return Paged(page_obj=page_obj, query_string=params.urlencode(), params=params)
