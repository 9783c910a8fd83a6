"""Entry points that fetch chain analyses for the current user; 404 for "missing" and
"not yours".

Reading a chain is a clinical read (``chains.view`` is in ``CLINICAL_READS``) and writes
an access-log row. A draft is the patient's alone: for anyone else it does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from care.access import access_patient, authorize_patient
from care.models import Patient
from chains.models import ChainAnalysis, ChainLink
from core.ids import parse_public_id

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest


def own_patient(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, for writing their own chains."""
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None or not request.user.has_perm("chains.write_own"):
        raise Http404
    return patient


def access_own_chains(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, to list their own chains (an audited read)."""
    return authorize_patient(request, own_patient(request), "chains.view")


def access_patient_chains(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose shared chains the user may read (an audited read)."""
    return access_patient(request, patient_id, "chains.view")


def is_author(request: AuthenticatedRequest, chain: ChainAnalysis) -> bool:
    """Whether the signed-in user is the patient who writes ``chain``."""
    return chain.patient.user_id == request.user.pk and request.user.has_perm("chains.write_own")


def _chain(chain_id: object) -> ChainAnalysis:
    chain = (
        ChainAnalysis.objects.select_related("patient", "patient__organisation", "patient__user")
        .filter(public_id=parse_public_id(chain_id))
        .first()
    )
    if chain is None:
        raise Http404
    return chain


def access_chain(request: AuthenticatedRequest, chain_id: object) -> ChainAnalysis:
    """A chain the user may read: their own (draft or shared), or a shared chain of a
    patient whose record they read. Audited."""
    chain = _chain(chain_id)
    if chain.is_draft and not is_author(request, chain):
        raise Http404
    authorize_patient(request, chain.patient, "chains.view")
    return chain


def access_own_chain(request: AuthenticatedRequest, chain_id: object) -> ChainAnalysis:
    """One of the signed-in patient's own chains, to change it (the actions refuse changes
    to a shared chain). Audited, as the patient reads it back."""
    chain = _chain(chain_id)
    if not is_author(request, chain):
        raise Http404
    authorize_patient(request, chain.patient, "chains.view")
    return chain


def access_commentable_chain(request: AuthenticatedRequest, chain_id: object) -> ChainAnalysis:
    """A shared chain the user may read and comment on."""
    chain = access_chain(request, chain_id)
    if chain.is_draft or not request.user.has_perm("chains.comment", chain.patient):
        raise Http404
    return chain


def access_link(chain: ChainAnalysis, link_id: object) -> ChainLink:
    """One link of ``chain`` (the caller has accessed the chain)."""
    link = chain.links.filter(public_id=parse_public_id(link_id)).first()
    if link is None:
        raise Http404
    link.chain = chain
    return link
