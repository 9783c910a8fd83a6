"""The main navigation: each entry appears only for users granted its permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str


MAIN_NAV: tuple[NavItem, ...] = (
    NavItem(_("Today"), "diary:today", "diary.fill_own_card"),
    NavItem(_("Check-ins"), "ema:pending", "ema.answer_own_prompts"),
    NavItem(_("My care"), "care:me", "care.view_own_care"),
    # After the patient's home page ("Today"), never first.
    NavItem(_("Chain analyses"), "chains:mine", "chains.write_own"),
    NavItem(_("My supporters"), "care:my_supporters", "care.manage_own_supporters"),
    NavItem(_("Coaching"), "coaching:mine", "coaching.ask"),
    NavItem(_("Questionnaires"), "measures:mine", "measures.fill_own"),
    NavItem(_("Caseload"), "care:caseload", "care.view_caseload"),
    NavItem(_("My group members"), "care:facilitation", "care.view_facilitation"),
    NavItem(_("Alerts"), "safety:alerts", "safety.view_alerts"),
    NavItem(_("Coaching"), "coaching:inbox", "coaching.view_inbox"),
    NavItem(_("People I support"), "care:shared_list", "care.view_shared_with_me"),
    NavItem(_("Research"), "accounts:research_home", "accounts.view_research_home"),
    NavItem(_("Patients"), "care:patient_list", "care.list_patients"),
    NavItem(_("Staff"), "accounts:staff_list", "accounts.manage_staff"),
    NavItem(_("Organisation"), "accounts:organisation", "accounts.manage_organisation"),
    NavItem(_("Risk rules"), "safety:rules", "safety.configure_rules"),
    NavItem(_("Instruments"), "measures:instruments", "measures.view_instruments"),
    NavItem(_("Audit trail"), "audit:trail", "audit.view_audit_trail"),
    # Everyone's: last, so it follows a patient's own items and is never a role's home page.
    NavItem(_("Skills"), "skills:library", "skills.view_library"),
)

#: Beside "Need help now?" in the header of every page, for those who have it: one tap.
HEADER_NAV: tuple[NavItem, ...] = (
    NavItem(_("My safety plan"), "safety:plan", "safety.use_own_plan"),
)

ACCOUNT_NAV: tuple[NavItem, ...] = (
    NavItem(_("Profile"), "accounts:profile", "accounts.edit_own_profile"),
    NavItem(_("API tokens"), "accounts:tokens", "accounts.manage_own_tokens"),
)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool


def links_for(
    user: User | AnonymousUser, items: tuple[NavItem, ...], current_path: str
) -> list[NavLink]:
    if not user.is_authenticated:
        return []
    allowed = [(item.label, reverse(item.url_name)) for item in items if user.has_perm(item.perm)]
    # The longest matching URL is the current page ("/me/supporters/" is not also "/me/").
    matches = [url for _label, url in allowed if current_path.startswith(url)]
    current = max(matches, key=len, default=None)
    return [NavLink(label, url, url == current) for label, url in allowed]


def home_url_for(user: User) -> str:
    """The first main-navigation page this user may use: their role's home page."""
    links = links_for(user, MAIN_NAV, "")
    return links[0].url if links else reverse("accounts:profile")
