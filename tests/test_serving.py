"""A server others can reach serves only in shared mode: the decision, and the app refusing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ui.serving
from tests.apptest import app, no_failure, texts
from ui.serving import reachable_from_elsewhere, refusal


@pytest.mark.parametrize(
    ("address", "reachable"),
    [
        (None, True),  # unset: Streamlit listens on every interface
        ("", True),
        ("  ", True),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.20", True),
        ("10.0.0.5", True),
        ("2001:db8::1", True),
        ("dashboard.example.com", True),  # a name may resolve to anything
        ("127.0.0.1", False),
        ("127.0.0.2", False),  # all of 127/8 is this computer
        ("::1", False),
        ("[::1]", False),
        ("localhost", False),
        ("LOCALHOST", False),
        ("unix:///run/opening-day.sock", False),
    ],
)
def test_which_addresses_others_can_reach(address: str | None, reachable: bool) -> None:
    assert reachable_from_elsewhere(address) is reachable


def test_only_a_local_server_without_proxy_serves_without_shared_mode() -> None:
    assert refusal("127.0.0.1", shared=False) is None
    assert refusal("localhost", shared=False) is None
    for address in (None, "0.0.0.0", "192.168.1.20"):
        assert refusal(address, shared=True) is None  # passphrases guard every workspace
        message = refusal(address, shared=False)
        assert message is not None
        assert "make run-shared" in message and "127.0.0.1" in message
        assert "OPENING_DAY_SHARED=1" in message
    assert "not set" in (refusal(None, shared=False) or "")
    assert "`0.0.0.0`" in (refusal("0.0.0.0", shared=False) or "")
    proxied = refusal("127.0.0.1", shared=False, proxied=True)
    assert proxied is not None and "proxy" in proxied
    assert refusal("127.0.0.1", shared=True, proxied=True) is None


# ---------------------------------------------------------------- in the app

with_fresh_app = pytest.mark.usefixtures("fresh_streamlit")

BROWSER = {"Host": "192.168.1.20:8501", "User-Agent": "test", "Sec-Websocket-Version": "13"}


Serve = Callable[..., None]


@pytest.fixture
def served_from(monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    """Make the AppTest run look like a browser's request to a server listening on
    `address` (Streamlit's own `server.address` option, set as `--server.address` would)."""
    from streamlit import config

    before = config.get_option("server.address")

    def serve(address: str | None, headers: dict[str, str] | None = None) -> None:
        monkeypatch.setattr(ui.serving, "_request_headers", lambda: dict(headers or BROWSER))
        config.set_option("server.address", address)

    yield serve
    config.set_option("server.address", before)


@with_fresh_app
def test_an_exposed_server_shows_one_message_and_nothing_else(
    demo_db: Path, served_from: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENING_DAY_SHARED", raising=False)
    served_from("0.0.0.0")
    for query in ({}, {"snapshot": "A" * 43}):
        at = app()
        at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert [t.value for t in at.title] == ["Not served here"]
        [error] = at.error
        assert "make run-shared" in error.value and "`0.0.0.0`" in error.value
        assert len(at.sidebar) == 0 and len(at.metric) == 0
        assert "not valid" not in texts(at) and "Read-only snapshot" not in texts(at)


@with_fresh_app
def test_a_local_or_shared_server_serves(
    demo_db: Path, served_from: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    served_from("127.0.0.1")
    at = app()
    at.run()
    no_failure(at)
    assert "Not served here" not in texts(at)
    monkeypatch.setenv("OPENING_DAY_SHARED", "1")
    served_from("0.0.0.0")
    at = app()
    at.run()
    assert not at.exception
    assert "Not served here" not in texts(at)


@with_fresh_app
def test_a_local_server_reached_through_a_proxy_does_not_serve(
    demo_db: Path, served_from: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENING_DAY_SHARED", raising=False)
    served_from("127.0.0.1", {**BROWSER, "X-Forwarded-For": "203.0.113.9"})
    at = app()
    at.run()
    assert [t.value for t in at.title] == ["Not served here"]
    assert "proxy" in at.error[0].value


@with_fresh_app
def test_a_run_with_no_http_request_behind_it_is_not_refused(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AppTest (or bare mode) runs the script with no browser connected: nobody reached it
    # over a network, so the address it would listen on does not matter. A real session
    # always has the headers of its WebSocket handshake.
    from streamlit import config

    monkeypatch.delenv("OPENING_DAY_SHARED", raising=False)
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = app()
        at.run()
        no_failure(at)
        assert "Not served here" not in texts(at)
    finally:
        config.set_option("server.address", before)
