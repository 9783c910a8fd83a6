"""List queries of the chain pages and API, each a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet

from care.models import Patient
from chains.models import ChainAnalysis, ChainLink, ChainStatus, LinkComment
from skills.access import visible_skills
from skills.models import Skill

if TYPE_CHECKING:
    from accounts.models import User


def own_chains(patient: Patient) -> QuerySet[ChainAnalysis]:
    """All of the patient's chains (drafts and shared), newest first, with link counts."""
    return ChainAnalysis.objects.filter(patient=patient).annotate(
        link_count=Count("links", distinct=True),
        comment_count=Count("links__comments", distinct=True),
    )


def shared_chains(patient: Patient) -> QuerySet[ChainAnalysis]:
    """The chains the patient has shared with their care team, newest share first."""
    return own_chains(patient).filter(status=ChainStatus.SHARED).order_by("-shared_at", "-id")


def chain_links(chain: ChainAnalysis) -> list[ChainLink]:
    """The chain's links in order, with their skills and comments (and the comments'
    authors) loaded: three queries whatever the length."""
    links = list(
        ChainLink.objects.filter(chain=chain)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.order_by("name")),
            Prefetch("comments", queryset=LinkComment.objects.select_related("author")),
        )
    )
    for link in links:
        link.chain = chain
    return links


def library_for(user: User) -> list[Skill]:
    """The skills ``user`` may pick as skilful alternatives, by name."""
    return list(visible_skills(user).order_by("name"))
