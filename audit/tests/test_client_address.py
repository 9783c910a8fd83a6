"""Which client address the audit trail records, behind however many trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.recording import client_ip
from care.models import Patient
from core.testing.api import ApiClient
from core.testing.personas import World

REMOTE = "10.9.8.7"
# No deadline (timing must not fail a test) and no example database left in the checkout.
quick = settings(deadline=None, database=None)
addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


def request_with(forwarded: str | None, remote: str = REMOTE) -> Any:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@quick
@given(chain=st.lists(addresses, min_size=1, max_size=5), proxies=st.integers(0, 6))
def test_the_entry_the_outermost_trusted_proxy_appended_is_the_client(
    chain: list[str], proxies: int
) -> None:
    request = request_with(", ".join(chain))

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        found = client_ip(request)

    if 0 < proxies <= len(chain):
        assert found == str(ipaddress.ip_address(chain[-proxies]))
    else:
        assert found == REMOTE


@quick
@given(forged=st.text(max_size=40), proxies=st.integers(0, 3))
def test_whatever_the_header_says_the_result_is_an_address(forged: str, proxies: int) -> None:
    request = request_with(forged)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        found = client_ip(request)

    assert found is not None
    ipaddress.ip_address(found)  # raises for anything that is not an address


def test_ports_added_by_a_proxy_are_dropped() -> None:
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request_with("203.0.113.9:51234")) == "203.0.113.9"
        assert client_ip(request_with("[2001:db8::1]:443")) == "2001:db8::1"


def test_no_usable_address_at_all_is_none() -> None:
    assert client_ip(request_with(None, remote="")) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # The client's own first entry is not believed; the proxy's entry is.
        ("198.51.100.66, 203.0.113.9", "203.0.113.9"),
        # A forged value that is not an address neither breaks the write nor is stored.
        ("forged, also-forged", REMOTE),
    ],
)
def test_changes_record_the_same_address_as_reads(
    world: World, forwarded: str, expected: str
) -> None:
    # Given one trusted proxy, and a client that sends its own X-Forwarded-For
    api = ApiClient(world.admin, REMOTE_ADDR=REMOTE, HTTP_X_FORWARDED_FOR=forwarded)

    # When it makes a change through the API
    with override_settings(TRUSTED_PROXY_COUNT=1):
        response = api.post("/patients", {"given_name": "Ivo", "family_name": "Address"})

    # Then the change log has the address the access log would have recorded
    assert response.status_code == 201, response.content
    patient = Patient.objects.get(family_name="Address")
    [entry] = LogEntry.objects.get_for_object(patient)
    assert entry.actor == world.admin
    assert entry.remote_addr == expected
