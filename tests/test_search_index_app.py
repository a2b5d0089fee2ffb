"""A big library is searched through its token index: built by another process after the
first start while the scan answers, opened at once on the next start, rebuilt when damaged.
(The size from which a library gets an index is lowered so that the sample digests do.)"""

from __future__ import annotations

import pytest

from digest_tui.digest import indexing
from digest_tui.digest.search import SearchIndex
from tests.apphelpers import loaded, make_app, until


@pytest.fixture
def small_libraries_indexed(monkeypatch, tmp_path):
    monkeypatch.setattr(indexing, "INDEX_FROM", 1)
    monkeypatch.setenv("DIGEST_TUI_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / indexing.INDEX_FILE


async def search_rows(pilot, query: str) -> list[str]:
    app = pilot.app
    await pilot.press("slash", *query, "enter")
    await until(pilot, lambda: app.listed_filter.query == query, "the search to be listed")
    rows = [entry.id for entry in app.entry_list.visible_entries()]
    await pilot.press("escape", "escape")
    return rows


QUERIES = ["diffusion", "모델", "#reasoning", "e", "zqxjv", "rl model"]


async def test_the_index_is_built_then_used_and_opened_on_the_next_start(tmp_path, seed_files, small_libraries_indexed):
    index_file = small_libraries_indexed
    app = make_app(tmp_path / "config", seed_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: app.session.index.tokens is not None, "the index to be built")
        assert app.library.search_texts is None and app.session.index.texts is None
        scan = SearchIndex(app.library.entries)
        for query in QUERIES:
            expected = [app.library.entries[i].id for i in scan.search(query)]
            assert await search_rows(pilot, query) == expected, query
    built = index_file.stat().st_mtime_ns

    again = make_app(tmp_path / "config", seed_files)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert again.session.index.tokens is not None, "opened with the library, not built again"
        assert await search_rows(pilot, "diffusion") == [again.library.entries[i].id for i in scan.search("diffusion")]
    assert index_file.stat().st_mtime_ns == built


async def test_a_damaged_index_is_built_again(tmp_path, seed_files, small_libraries_indexed):
    index_file = small_libraries_indexed
    index_file.parent.mkdir(parents=True)
    index_file.write_bytes(b"\x00garbage" * 1000)
    app = make_app(tmp_path / "config", seed_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await until(pilot, lambda: app.session.index.tokens is not None, "the index to be built")
        assert await search_rows(pilot, "diffusion")
    assert not index_file.read_bytes().startswith(b"\x00garbage")


async def test_a_library_below_the_size_is_scanned(tmp_path, seed_files, monkeypatch):
    monkeypatch.setenv("DIGEST_TUI_CACHE_DIR", str(tmp_path / "cache"))
    app = make_app(tmp_path / "config", seed_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await app.workers.wait_for_complete()
        assert app.session.index.tokens is None
    assert not (tmp_path / "cache" / indexing.INDEX_FILE).exists()
