"""Each role logs in through the real form, lands on its home page and sees only its menu."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from tests.e2e.conftest import (
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e

ACCOUNT_MENU = ["Profile", "API tokens"]
ACCOUNT_PAGES = {"Profile": "Your profile", "API tokens": "API tokens"}


@dataclass(frozen=True)
class RoleCase:
    persona: str
    home: str
    menu: list[str]
    #: A link on the home page that leads one level deeper, and the heading found there.
    drill_down: tuple[str, str] | None = None
    #: Also visit the account menu's pages (the same for everyone but the menus around them).
    account_pages: bool = False
    #: People in this role mostly use a phone.
    phone: bool = False


ROLES = [
    RoleCase(
        "patient",
        "/diary/",
        [
            "Today",
            "Check-ins",
            "My care",
            "Chain analyses",
            "My supporters",
            "Coaching",
            "Questionnaires",
            "Skills",
        ],
        account_pages=True,
        phone=True,
    ),
    # The therapist may also manage patients, so "Patients" is theirs too.
    RoleCase(
        "therapist",
        "/caseload/",
        ["Caseload", "Alerts", "Coaching", "Patients", "Instruments", "Skills"],
        ("Pat Ient", "Pat Ient"),
    ),
    RoleCase(
        "facilitator",
        "/facilitator/",
        ["My group members", "Alerts", "Skills"],
        ("Pat Ient", "Pat Ient"),
    ),
    RoleCase(
        "supporter",
        "/shared/",
        ["People I support", "Skills"],
        ("Pat Ient", "Pat Ient"),
        phone=True,
    ),
    RoleCase("researcher", "/accounts/research/", ["Research", "Skills"], account_pages=True),
    RoleCase(
        "admin",
        "/patients/",
        ["Patients", "Staff", "Organisation", "Risk rules", "Instruments", "Audit trail", "Skills"],
    ),
]


def link_names(page: Page, nav_label: str) -> list[str]:
    nav = page.get_by_role("navigation", name=nav_label, exact=True)
    return [name.strip() for name in nav.get_by_role("link").all_inner_texts()]


def open_account_menu(page: Page) -> None:
    """The account links sit behind an "Account" button in the header."""
    menu = page.locator("details.account-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()


def close_account_menu(page: Page) -> None:
    menu = page.locator("details.account-menu")
    if menu.get_attribute("open") is not None:
        menu.locator("summary").click()


@pytest.mark.parametrize("case", ROLES, ids=lambda case: case.persona)
def test_role_logs_in_and_sees_only_its_pages(
    e2e_world: World,
    new_context: ContextFactory,
    tour_for: Callable[[Page], Tour],
    case: RoleCase,
) -> None:
    # Given a person in this role (staff with an authenticator app already set up)
    user = getattr(e2e_world, case.persona)
    if user.is_staff_role:
        staff_with_device(user)
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if case.phone else {}
    tour = tour_for(new_context(**options).new_page())
    page = tour.page

    # When they log in through the form (and the second-factor page, for staff)
    log_in_through_form(tour, user)

    # Then they land on their role's home page, with only their role's menu
    expect(page).to_have_url(re.compile(re.escape(case.home) + "$"))
    tour.check("home")
    assert link_names(page, "Main") == case.menu
    open_account_menu(page)
    assert link_names(page, "Your account") == ACCOUNT_MENU
    close_account_menu(page)
    current = page.locator('.main-nav a[aria-current="page"]')
    expect(current).to_have_text(case.menu[0])

    # And every page of their menu opens and passes the checks
    if case.drill_down:
        link_text, heading = case.drill_down
        page.get_by_role("main").get_by_role("link", name=link_text).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        tour.check("detail")
    for label in case.menu[1:]:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()
        expect(page.locator('.main-nav a[aria-current="page"]')).to_have_text(label)
        tour.check(label.lower().replace(" ", "-"))
    for label, heading in ACCOUNT_PAGES.items() if case.account_pages else []:
        open_account_menu(page)
        page.get_by_role("navigation", name="Your account").get_by_role("link", name=label).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        tour.check(label.lower().replace(" ", "-"))

    # And logging out brings them back to the log-in page
    open_account_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    tour.check("logged-out")


def test_anonymous_visitor_reaches_crisis_numbers(e2e_world: World, tour: Tour) -> None:
    # The pages anyone can open before logging in.
    page = tour.page
    tour.goto("/help/", "crisis")
    expect(page.get_by_test_id("crisis-line")).to_contain_text("0800 123 456")
    expect(page.get_by_test_id("emergency-number")).to_have_attribute("href", "tel:112")

    # Keyboard users can skip the header straight to the page's content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    tour.goto("/accounts/login/", "login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    tour.check("password-reset")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    tour.check("password-reset-sent")
    tour.goto("/no-such-page/", "not-found")
