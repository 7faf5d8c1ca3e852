"""Whether this server may serve at all: one that other computers can reach needs shared mode.

Without shared mode (`OPENING_DAY_SHARED`) there is no passphrase anywhere: whoever opens the
app sees and changes every business in the store. That is right on the owner's own computer
and wrong everywhere else, so a server that listens where others can reach it, or is reached
through a proxy, shows one message saying why and how to fix it, and nothing else: no page,
no sidebar, and no snapshot link either (the link would work, but the owner would be left
running a server that hands the whole app to anyone who drops `?snapshot=` from it).
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from analytics.access import SHARED_ENV, shared_mode

# Names that only ever mean this computer.
LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})
UNIX_SOCKET = "unix://"  # Streamlit's prefix for listening on a socket file, not the network
# Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever the
# address the server listens on (a client can only add them to refuse itself).
PROXY_HEADERS = ("X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-Real-Ip")


def reachable_from_elsewhere(address: str | None) -> bool:
    """True when Streamlit listening on `address` (its `server.address` option) can be reached
    from other computers. Unset means every interface: Streamlit then listens on all of them.
    A host name other than localhost counts as reachable (it may resolve to anything)."""
    text = (address or "").strip()
    if not text:
        return True
    if text.startswith(UNIX_SOCKET):
        return False
    if text.lower() in LOCAL_NAMES:
        return False
    try:
        return not ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return True


def refusal(address: str | None, *, shared: bool, proxied: bool = False) -> str | None:
    """Why this server must not serve (markdown), or None when it may.

    A shared server (workspace passphrases) may listen anywhere. Otherwise only this
    computer may reach it: a loopback address, and no proxy in between.
    """
    if shared:
        return None
    if proxied:
        where = "a proxy (this request came through one)"
    elif not reachable_from_elsewhere(address):
        return None
    elif not (address or "").strip():
        where = "every network address of this computer (`server.address` is not set)"
    else:
        where = f"`{address}`"
    return (
        f"**Opening Day is not serving here.** It is reached through {where}, so other "
        "people's computers can open it, and it runs without passphrases: anyone who opened "
        "it would see and change every business in its store.\n\n"
        "- **Just you, on this computer:** start it with `make run`, which listens on "
        "127.0.0.1 only (or add `--server.address 127.0.0.1` to `streamlit run`).\n"
        "- **Shared with other people** (snapshot links included): give each business a "
        "passphrase (`python -m analytics workspace passphrase`), then start it with "
        f"`make run-shared SHARED_ADDRESS=…` (that sets `{SHARED_ENV}=1`)."
    )


def _request_headers() -> dict[str, str]:
    """The headers of the HTTP request behind this session; empty when there is none (a
    script run by AppTest or in bare mode, which no one reached over a network)."""
    return {str(k): str(v) for k, v in st.context.headers.items()}


def guard() -> None:
    """app.py calls this first: on a server others can reach without shared mode, show why
    it does not serve, and stop before the store, the sidebar, any page or any link."""
    headers = _request_headers()
    if not headers:
        return
    lowered = {k.lower() for k in headers}
    why = refusal(
        st.get_option("server.address"),
        shared=shared_mode(),
        proxied=any(h.lower() in lowered for h in PROXY_HEADERS),
    )
    if why is None:
        return

    def refused() -> None:
        st.title("Not served here")
        st.error(why, icon="⛔")

    page = st.Page(refused, title="Not served here", icon="⛔", url_path="not-served", default=True)
    st.navigation([page], position="hidden").run()
    st.stop()
