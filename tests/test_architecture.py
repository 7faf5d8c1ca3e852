"""The house rules of the layout: dependencies flow pages → ui → analytics, never back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANALYTICS = ROOT / "analytics"
PAGES = ROOT / "pages"
UI = ROOT / "ui"
APP = ROOT / "app.py"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute names; `from . import x` resolved roughly)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside its own package
                package = ".".join(path.relative_to(ROOT).parent.parts)
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\nfrom ui.store import connection\n")
    assert {"streamlit", "ui.store", "ui.store.connection"} <= imported_modules(sample)


@pytest.mark.parametrize("path", py_files(ANALYTICS), ids=lambda p: str(p.relative_to(ROOT)))
def test_analytics_is_pure(path: Path) -> None:
    bad = {m for m in imported_modules(path) if top(m) in {"streamlit", "ui", "pages", "app"}}
    assert not bad, (
        f"{path.relative_to(ROOT)} imports {sorted(bad)}: analytics must not know the UI"
    )


@pytest.mark.parametrize("path", py_files(UI), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_does_not_import_pages(path: Path) -> None:
    bad = {m for m in imported_modules(path) if top(m) in {"pages", "app"}}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: dependencies flow pages → ui"


def page_files() -> list[Path]:
    return sorted(PAGES.glob("*.py"))


@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.name)
def test_pages_do_not_import_pages(path: Path) -> None:
    bad = {m for m in imported_modules(path) if top(m) in {"pages", "app"}}
    assert not bad, f"{path.name} imports {sorted(bad)}: shared code belongs in ui/"


def test_pages_folder_holds_only_registered_pages() -> None:
    from analytics import areas

    assert not (PAGES / "__init__.py").exists(), "pages/ must not be a package"
    extra = [p.name for p in PAGES.iterdir() if p.name != "__pycache__" and p.suffix != ".py"]
    assert not extra, f"pages/ holds non-page files or folders: {extra}"
    registered = {Path(p.file).name for p in areas.PAGES}
    on_disk = {p.name for p in page_files()}
    assert on_disk - registered == set(), (
        f"pages/ files not in the page registry (helpers belong in ui/): "
        f"{sorted(on_disk - registered)}"
    )
    assert registered - on_disk == set(), (
        f"the registry names missing pages: {registered - on_disk}"
    )


def test_the_navigation_is_the_page_registry() -> None:
    # app.py builds its navigation from analytics/areas.py and names no page itself.
    from analytics import areas

    text = APP.read_text()
    assert "areas.PAGES" in text
    assert not re.search(r"pages/[\w.-]+\.py", text), "app.py names a page file by hand"
    assert [p.file for p in areas.PAGES] == [f"pages/{p.id}.py" for p in areas.PAGES]
    assert all((ROOT / p.file).is_file() for p in areas.PAGES)


def test_every_area_is_a_page_with_indicators() -> None:
    from analytics import areas, indicators

    pages = {p.id for p in areas.PAGES}
    assert list(indicators.AREAS) == [a.id for a in areas.AREAS]
    for a in areas.AREAS:
        assert a.id in pages and areas.page(a.id).snapshot, a.id
        assert indicators.in_area(a.id), f"area {a.id} registers no indicator"
    assert {i.page for i in indicators.REGISTRY.values()} <= pages


def test_streamlit_stays_out_of_analytics_even_indirectly() -> None:
    # A helper imported from ui would drag streamlit in: analytics must import neither.
    offenders = [
        str(p.relative_to(ROOT))
        for p in py_files(ANALYTICS)
        if re.search(r"^\s*(import|from)\s+(streamlit|ui)\b", p.read_text(), re.M)
    ]
    assert not offenders


@pytest.mark.parametrize(
    "path", [APP, *page_files(), *py_files(UI)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_raw_html(path: Path) -> None:
    # User text (file names, headers, values) must never reach the page as HTML.
    assert "unsafe_allow_html=True" not in path.read_text(), (
        f"{path.relative_to(ROOT)} renders raw HTML; use st.dataframe/st.text or ui.format.plain"
    )
