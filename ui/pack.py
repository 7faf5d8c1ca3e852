"""The "Review pack" button, and the chosen pages drawn headless for it, as they stand.

A pack holds each page as the app draws it: the page is run headless with its capture on (as
the Share button freezes it, ui/capture.py) and its blocks are taken. Inside the server that
is a session of Streamlit's own runtime per page (as ui/warmup.py runs pages), drawing to no
one; from the command line (`python -m analytics pack`, which must not import the app) it is
this module run as a program, `python -m ui.pack BLOCKS.json --db … --workspace … --pages …`,
driving app.py with Streamlit's AppTest and writing the blocks to a file. Where neither can
run (a test's mocked runtime), the pack builds those pages from the registry and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from analytics import areas, store
from analytics.errors import OpeningDayError
from analytics.pack import PAGES, PAPERS, last_made
from analytics.pack.build import build, make_file, parse_pages
from ui import capture
from ui import store as ui_store
from ui.access import STATE_KEY as ACCESS_KEY
from ui.access import WS_PARAM, AccessState
from ui.format import plain
from ui.sidebar import AS_OF_PARAM, Context

ROOT = Path(__file__).resolve().parent.parent
CAPTURE_KEY = capture._KEY  # where app.py keeps what the page drew, in each session
RUN_TIMEOUT_S = 300.0
_MADE_KEY = "_od_pack_made"
FORMATS = {"HTML (opens in any browser, offline)": "html", "PDF": "pdf"}


def page_query(workspace: str, as_of: date | None) -> dict[str, str]:
    """The address of a page at the owner's business and day."""
    query = {WS_PARAM: workspace}
    if as_of is not None:
        query[AS_OF_PARAM] = as_of.isoformat()
    return query


# ---------------------------------------------------------------- in the server


def _taken(state: Any, page: str) -> list[dict[str, Any]]:
    """What a headless run of `page` drew, from its session's state."""
    try:
        cap = state[CAPTURE_KEY]
    except KeyError:
        cap = None
    if not isinstance(cap, capture.Capture) or cap.page != page:
        raise OpeningDayError(f"The {PAGES[page]} page drew nothing to put in the pack.")
    return capture.blocks(cap)


def _runtime() -> Any:
    """The server's runtime, or None when there is no real one (AppTest mocks it)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return runtime if type(runtime) is Runtime else None


async def _draw(
    runtime: Any, page: str, query: dict[str, str], state: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run app.py for `page` in a headless session of its own and return what it drew."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from ui.warmup import Headless

    client = Headless(asyncio.get_running_loop())
    session_id = runtime.connect_session(client=client, user_info={})
    try:
        session = runtime.get_app_session(session_id)
        for key, value in {**state, capture.WHOLE_PAGE_KEY: True}.items():
            session.session_state[key] = value
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = urlencode(query)
        runtime.handle_backmsg(session_id, msg)
        await asyncio.wait_for(client.finished.wait(), RUN_TIMEOUT_S)
        if client.failures:
            raise OpeningDayError(f"The {PAGES[page]} page failed: {client.failures[0]}")
        return _taken(session.session_state, page)
    finally:
        runtime.close_session(session_id)


def drawn_in_app(
    pages: list[str], workspace: str, as_of: date | None, state: dict[str, Any] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Each page as the server draws it for this session's business and day ({} when there
    is no server runtime). A shared server's headless session gets this session's unlocked
    businesses, so it sees what the owner sees and nothing more."""
    runtime = _runtime()
    if runtime is None:
        return {}
    loop = runtime._get_async_objs().eventloop
    out = {}
    for page in pages:
        future = asyncio.run_coroutine_threadsafe(
            _draw(runtime, areas.page(page).url_path, page_query(workspace, as_of), state or {}),
            loop,
        )
        out[page] = future.result(RUN_TIMEOUT_S + 5)
    return out


# ---------------------------------------------------------------- from the command line


def drawn_by_apptest(
    db: str, pages: list[str], workspace: str, as_of: date | None
) -> dict[str, list[dict[str, Any]]]:
    """Each page as app.py draws it, driven by Streamlit's AppTest (no server)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    os.environ[store.DB_ENV] = db
    # A pages/-folder app would rerun only the page, skipping app.py: a server settles this
    # once, when app.py calls st.navigation; settle it the same way here.
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    out = {}
    for page in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT_S)
        at.query_params.update(page_query(workspace, as_of))
        at.session_state[capture.WHOLE_PAGE_KEY] = True  # every tab, one after the other
        at.run()
        at.switch_page(areas.page(page).file).run()
        if at.exception:
            raise OpeningDayError(f"The {PAGES[page]} page failed: {at.exception[0].value}")
        out[page] = _taken(at.session_state, page)
    return out


def main(argv: list[str] | None = None) -> int:
    """`python -m ui.pack OUT.json --db PATH --workspace NAME --pages a,b [--as-of DAY]`:
    the pages' blocks, as the app draws them, written to OUT.json (exit 0), or one line on
    stderr (exit 1). Called by `python -m analytics pack`."""
    parser = argparse.ArgumentParser(prog="python -m ui.pack")
    parser.add_argument("out")
    parser.add_argument("--db", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--pages", required=True)
    parser.add_argument("--as-of", type=date.fromisoformat)
    args = parser.parse_args(argv)
    try:
        blocks = drawn_by_apptest(args.db, parse_pages(args.pages), args.workspace, args.as_of)
    except Exception as exc:  # noqa: BLE001 - the caller falls back to the registry, saying why
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        st.cache_resource.clear()  # lets go of the store before this process ends
    Path(args.out).write_text(json.dumps(blocks), encoding="utf-8")
    return 0


# ---------------------------------------------------------------- the button


def make(
    workspace: store.Workspace,
    *,
    pages: list[str],
    as_of: date | None,
    since: date | None,
    anonymous: bool,
    paper: str,
    format_: str,
) -> tuple[bytes, str]:
    """The pack's file and its name, made from the pages as the server draws them, and noted
    in the pack log."""
    state: dict[str, Any] = {}
    held = st.session_state.get(ACCESS_KEY)
    if isinstance(held, AccessState) and workspace.id in held.unlocked:
        # A shared server: the headless runs may open this business, as this tab unlocked
        # it, and no other.
        state[ACCESS_KEY] = AccessState({workspace.id: held.unlocked[workspace.id]})
    drawn = drawn_in_app(pages, workspace.name, as_of, state)
    con = ui_store.connection()
    pack = build(
        con,
        workspace.id,
        pages=pages,
        as_of=as_of,
        since=since,
        anonymous=anonymous,
        paper=paper,
        page_blocks=drawn,
    )
    # Building can take long enough for the idle store to be let go: ask for it again.
    data, _ = make_file(ui_store.connection(), workspace.id, pack, format_)
    name = "anonymous" if anonymous else workspace.display_name
    safe = re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-") or "business"
    return data, f"review-pack-{safe}-{pack.cover.as_of.isoformat()}.{format_}"


def render(ctx: Context, key: str = "pack") -> None:
    """The "Review pack" button: pick pages, the day compared with, names shown or not, paper
    and format; the file is made on request and offered for download."""
    ws = ctx.workspace
    if ws is None or ctx.as_of is None:
        return
    made = st.session_state.get(f"{_MADE_KEY}_{key}")
    with st.popover("Review pack", icon="📄"):
        st.markdown(
            "One file for the meeting: a cover, what changed since the last review, the pages "
            "you pick as they stand now, and what each figure means. HTML opens offline in any "
            "browser; the PDF prints as it is."
        )
        last = last_made(ui_store.connection(), ws.id)
        with st.form(f"{key}_form", border=False):
            pages = st.multiselect(
                "Pages", list(PAGES), default=list(PAGES), format_func=lambda p: PAGES[p]
            )
            since = st.date_input(
                "Compare with",
                value=None,
                max_value=ctx.as_of,
                help="Empty: the last review session, else the last pack"
                + (f" ({last:%d %b %Y})" if last else "")
                + ", else 90 days before.",
            )
            anonymous = st.checkbox(
                "Anonymous: hide the business's name and every customer's and person's name"
            )
            paper = st.selectbox("Paper", PAPERS)
            format_label = st.radio("Format", list(FORMATS), horizontal=True)
            if st.form_submit_button("Make the pack", type="primary"):
                try:
                    with st.spinner("Drawing each page for the pack…"):
                        data, name = make(
                            ws,
                            pages=parse_pages(pages),
                            as_of=ctx.as_of if ctx.picked_as_of else None,
                            since=since,
                            anonymous=anonymous,
                            paper=paper,
                            format_=FORMATS[format_label],
                        )
                except OpeningDayError as exc:
                    st.error(plain(exc), icon="⛔")
                else:
                    made = {"data": data, "name": name, "format": FORMATS[format_label]}
                    st.session_state[f"{_MADE_KEY}_{key}"] = made
        if made:
            st.download_button(
                f"Download {made['name']}",
                data=made["data"],
                file_name=made["name"],
                mime="application/pdf" if made["format"] == "pdf" else "text/html",
                icon="⬇️",
                key=f"{key}_download",
            )


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # Streamlit's threads may still be alive: DuckDB must not be torn down by them
