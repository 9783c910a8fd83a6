"""The caseload's filters and sort, as read from a query string (page and API alike)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.attention import ReasonKind
from dashboard.queries import Sort


@dataclass(frozen=True)
class CaseloadFilters:
    query: str = ""
    needs_attention: bool = False
    reason: ReasonKind | None = None
    sort: str = Sort.ATTENTION

    @classmethod
    def parse(cls, query: str, needs: bool, reason: str, sort: str) -> CaseloadFilters:
        """Unknown reasons and sorts fall back to none and attention (never an error)."""
        return cls(
            query=query.strip(),
            needs_attention=needs,
            reason=ReasonKind.from_slug(reason),
            sort=sort if sort in Sort.CHOICES else Sort.ATTENTION,
        )

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> CaseloadFilters:
        return cls.parse(
            params.get("q", ""),
            params.get("needs", "") == "1",
            params.get("reason", ""),
            params.get("sort", ""),
        )

    def as_params(self) -> dict[str, str]:
        """The non-default filters, for links that keep them."""
        params = {}
        if self.query:
            params["q"] = self.query
        if self.needs_attention:
            params["needs"] = "1"
        if self.reason is not None:
            params["reason"] = self.reason.slug
        if self.sort != Sort.ATTENTION:
            params["sort"] = self.sort
        return params
