"""API operations for the signed-in user, their tokens and their organisation's crisis numbers."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from accounts import actions
from accounts.access import access_own_token
from accounts.models import ApiToken, User
from accounts.schemas import CrisisOut, MeOut, TokenCreatedOut, TokenIn, TokenOut
from care.crisis import crisis_resources as resources_for
from core.requests import AuthenticatedRequest
from policy.api import operation

router = Router(tags=["account"])


@router.get("/me", response=MeOut, operation_id="me")
@operation("accounts.use_app")
def me(request: AuthenticatedRequest) -> User:
    return request.user


@router.get("/crisis", response=CrisisOut, operation_id="crisis_resources")
@operation("accounts.use_app")
def crisis_resources(request: AuthenticatedRequest) -> CrisisOut:
    resources = resources_for(request.user.organisation)
    return CrisisOut(
        **{field: getattr(resources, field) for field in CrisisOut.model_fields},
    )


@router.get("/tokens", response=list[TokenOut], operation_id="list_tokens")
@operation("accounts.manage_own_tokens")
@paginate(PageNumberPagination)
def list_tokens(request: AuthenticatedRequest) -> QuerySet[ApiToken]:
    return request.user.api_tokens.all()


@router.post("/tokens", response={201: TokenCreatedOut}, operation_id="create_token")
@operation("accounts.manage_own_tokens")
def create_token(request: AuthenticatedRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    if getattr(request, "api_token", None) is not None:
        # A token cannot mint tokens: a leaked token must not outlive its own expiry.
        raise HttpError(403, _("Create tokens from a signed-in browser session."))
    token, secret = actions.create_api_token(request.user, name=payload.name, days=payload.days)
    return Status(201, TokenCreatedOut(**TokenOut.from_orm(token).model_dump(), secret=secret))


@router.delete("/tokens/{token_id}", response={204: None}, operation_id="revoke_token")
@operation("accounts.manage_own_tokens", object_perm="own token")
def revoke_token(request: AuthenticatedRequest, token_id: str) -> Status[None]:
    token = access_own_token(request, token_id)
    actions.revoke_api_token(request.user, token)
    return Status(204, None)
