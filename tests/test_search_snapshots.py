"""What a search draws: its words highlighted in the rows and the detail pane, the pane scrolled
to the first match in the abstract, and what the query cannot understand under the box."""

from __future__ import annotations

from pathlib import Path

from tests.apphelpers import loaded, make_app, settled


def test_a_search_highlights_its_words_and_opens_at_the_first_match(here, snap_compare):
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("slash", *'"decoupled momentum" is:new', "enter", "enter")
        await settled(pilot)

    app = make_app(Path("config"), [Path("seeds")])
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
