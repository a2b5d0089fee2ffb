"""The months a trend chart shows (stray old entries left out and counted), the axis naming
them under the sparklines, and the trends screen and the tag's sparkline agreeing on them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Sparkline, Static

from digest_tui.digest.library import load_library
from digest_tui.digest.trends import (
    MONTH_NAMES,
    MonthRange,
    axis_line,
    column_counts,
    column_months,
    library_months,
    month_label,
    month_number,
    month_range,
    tag_series,
)
from digest_tui.tui.screens.trends import TrendRow, TrendsScreen
from tests.apphelpers import loaded, make_app

# -- the month range ----------------------------------------------------------------------


def monthly(first: tuple[int, int], last: tuple[int, int], per_month: int = 1) -> list[date]:
    """`per_month` dates in every month from `first` to `last` (year, month) inclusive."""
    start, end = month_number(date(*first, 1)), month_number(date(*last, 1))
    return [date(m // 12, m % 12 + 1, 1 + day) for m in range(start, end + 1) for day in range(per_month)]


def shown(months: MonthRange | None) -> tuple[str, str, int]:
    assert months is not None
    return month_label(months.first), month_label(months.last), months.left_out


def test_no_dates_no_range():
    assert month_range([]) is None


def test_a_dense_archive_is_shown_whole():
    months = month_range(monthly((2024, 7), (2024, 12), 3))
    assert shown(months) == ("2024-07", "2024-12", 0)
    assert months.months == 6 and months.note == "" and months.left_out_text == "" and months.oldest is None
    assert months.start == date(2024, 7, 1) and months.end == date(2024, 12, 31)
    assert month_range([date(2024, 2, 29)]).end == date(2024, 2, 29)
    assert month_range([date(9999, 12, 1)]).end == date(9999, 12, 31)


def test_two_stray_old_entries_are_left_out_and_counted():
    # The chart of the issue: 46 months, 28 of them flat, stretched by two entries of 2021.
    dates = [date(2021, 3, 9), date(2021, 5, 20)] + monthly((2023, 9), (2024, 12), 3)
    whole = month_number(date(2024, 12, 1)) - month_number(date(2021, 3, 1)) + 1
    assert whole == 46 and whole - len({month_number(d) for d in dates}) == 28
    months = month_range(reversed(dates))  # any order
    assert shown(months) == ("2023-09", "2024-12", 2)
    assert months.months == 16
    assert months.oldest == month_number(date(2021, 3, 1))
    assert months.span == "2023-09 to 2024-12"
    assert months.note == "from 2023-09; 2 earlier entries not shown"
    assert months.left_out_text == "2 earlier entries not shown"


def test_one_stray_entry_reads_in_the_singular():
    months = month_range([date(2019, 2, 1)] + monthly((2024, 1), (2024, 10), 2))
    assert shown(months) == ("2024-01", "2024-10", 1)
    assert months.note == "from 2024-01; 1 earlier entry not shown"


def test_strays_several_breaks_apart_are_all_left_out():
    dates = [date(2018, 1, 1), date(2019, 6, 1), date(2020, 2, 1)] + monthly((2022, 5), (2024, 4), 2)
    assert shown(month_range(dates)) == ("2022-05", "2024-04", 3)


def test_a_short_break_is_no_reason_to_leave_anything_out():
    # five empty months between the old entries and the rest
    dates = [date(2023, 1, 4), date(2023, 1, 5)] + monthly((2023, 7), (2024, 12), 3)
    assert shown(month_range(dates)) == ("2023-01", "2024-12", 0)


def test_more_than_a_tenth_of_the_entries_is_no_stray():
    dates = [date(2020, 1, 1)] * 3 + monthly((2023, 1), (2023, 2), 5)
    assert shown(month_range(dates)) == ("2020-01", "2023-02", 0)


def test_a_regular_year_before_a_break_stays_on_the_chart():
    # a year of entries every month, eight quiet months, then the archive goes on: the
    # months before the break are mostly full, so they are history, not strays
    dates = monthly((2020, 1), (2020, 12), 1) + monthly((2021, 9), (2024, 12), 5)
    assert shown(month_range(dates)) == ("2020-01", "2024-12", 0)


def test_the_series_of_a_tag_skips_its_stray_entries(tmp_path, seeds_dir):
    library = load_library([seeds_dir, old_digest(tmp_path)])
    months = library_months(library)
    assert shown(months) == ("2024-07", "2024-12", 2)
    series = tag_series(library, ["search", "vision-language"])
    assert series == {"search": [1, 1, 1, 0, 0, 1], "vision-language": [0, 2, 2, 0, 0, 0]}
    assert tag_series(library, ["search"], months=MonthRange(months.first - 1, months.last))["search"] == [0, 1, 1, 1, 0, 0, 1]
    assert dict(library.tag_counts())["search"] == 5  # the stray still counts in the total


# -- columns and the axis ----------------------------------------------------------------------


@pytest.mark.parametrize("months, width", [(6, 26), (6, 58), (16, 26), (46, 26), (46, 58), (1, 10), (26, 26)])
def test_columns_show_every_month_once_in_order(months, width):
    columns = column_months(months, width)
    assert len(columns) == width
    if months <= width:
        assert all(len(c) == 1 for c in columns)
        assert [c.start for c in columns] == sorted(c.start for c in columns)
        spans = [sum(1 for c in columns if c.start == m) for m in range(months)]
        assert set(spans) <= {width // months, -(-width // months)}
    else:
        assert [m for c in columns for m in c] == list(range(months))


def test_a_column_shows_the_largest_count_of_its_months():
    assert column_counts([1, 5, 0, 2], 2) == [5, 2]
    assert column_counts([1, 0, 3], 6) == [1, 1, 0, 0, 3, 3]


def test_the_axis_names_the_first_month_years_and_quarters_at_their_columns():
    months = month_range(monthly((2024, 7), (2024, 12)))
    assert axis_line(months, 26) == "2024-07  Sep Oct  Nov Dec "
    assert axis_line(months, 58) == "2024-07   Aug       Sep      Oct       Nov       Dec      "
    # 16 months: the year, and the quarters where there is room
    months = month_range(monthly((2023, 9), (2024, 12)))
    assert axis_line(months, 58) == "2023-09        2024       Apr        Jul        Oct       "
    # in 26 columns January is too near for 2023-09: September is named short, 2024 follows
    assert axis_line(months, 26) == "Sep    2024 Apr  Jul  Oct "
    # too narrow for the start and with no January: nothing rather than months without a year
    assert axis_line(month_range(monthly((2024, 2), (2024, 12))), 6) == " " * 6


def test_many_months_are_named_by_year():
    months = month_range(monthly((2020, 1), (2024, 12)))
    assert axis_line(months, 58).split() == ["2020-01", "2021", "Jul", "2022", "Jul", "2023", "Jul", "2024", "Jul"]
    assert axis_line(months, 26).split() == ["2020", "2021", "2022", "2023", "2024"]


def labels(line: str) -> list[tuple[int, str]]:
    column, found = 0, []
    for word in line.split(" "):
        if word:
            found.append((column, word))
        column += len(word) + 1
    return found


@pytest.mark.parametrize("first", [(2023, 9), (2023, 11), (2023, 12), (2024, 1), (2024, 7), (2021, 3), (2020, 1)])
@pytest.mark.parametrize("width", [5, 8, 12, 26, 40, 58, 72, 90])
def test_every_label_names_the_month_of_its_column_in_a_year_given_before(first, width):
    months = month_range(monthly(first, (2024, 12)))
    line = axis_line(months, width)
    assert len(line) == width
    columns = column_months(months.months, width)
    found = labels(line)
    years = [(column, int(text[:4])) for column, text in found if text[:4].isdigit()]
    for column, text in found:
        shown_here = [months.first + index for index in columns[column]]
        if "-" in text:
            assert (column, text) == (0, month_label(months.first))
            month = months.first
        elif text.isdigit():
            month = int(text) * 12  # its January
        else:
            (month,) = [m for m in shown_here if MONTH_NAMES[m % 12] == text]
            year = month // 12
            if column == 0:  # named short: next is the year after it
                assert years and years[0][1] == year + 1
            else:
                assert [y for c, y in years if c < column][-1:] == [year]
        # the label starts at the first column showing its month
        assert month in shown_here
        assert column == 0 or month - months.first not in columns[column - 1]


# -- the screen ----------------------------------------------------------------------------------


def old_digest(directory: Path) -> Path:
    """Two entries of early 2022, long before the sample digests (July to December 2024)."""
    path = directory / "old.txt"
    path.write_text(
        "2022-01-05\n"
        "An Old Paper About Search\n"
        "(Ada Old)\n"
        "An abstract from long ago.\n"
        "오래된 논문에 대한 코멘트입니다.\n"
        "#search\n"
        "2022-03-10\n"
        "Another Old Paper\n"
        "(Bo Older)\n"
        "Another abstract from long ago.\n"
        "또 다른 오래된 코멘트입니다.\n"
        "#old-stuff\n",
        encoding="utf-8",
    )
    return path


def screen_lines(app) -> list[str]:
    """The whole screen as drawn now, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize(
    "size, drawn_axis",
    [
        ((80, 24), "2024-07  Sep Oct  Nov Dec"),
        ((120, 40), "2024-07   Aug       Sep      Oct       Nov       Dec"),
    ],
)
async def test_the_trends_screen_names_its_months_and_what_it_leaves_out(tmp_path, seeds_dir, size, drawn_axis):
    app = make_app(tmp_path / "config", [seeds_dir, old_digest(tmp_path)])
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        assert len(app.library.entries) == 29
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        await pilot.pause()
        box = screen.query_one("#trends-box").content_region
        lines = [line[box.x : box.right] for line in screen_lines(app)[box.y : box.bottom]]

        title = next(line for line in lines if "Top tags over time" in line)
        assert "entries per month, 2024-07 to 2024-12" in title
        axis_row = next(y for y, line in enumerate(lines) if "2 earlier entries not shown" in line)
        axis = lines[axis_row]
        search_row = next(y for y, line in enumerate(lines) if "#search" in line)
        search = lines[search_row]
        assert search_row < axis_row
        assert "     5" in search  # the total counts the stray entry too

        # The labels start at their month's columns: search has entries in Jul, Aug, Sep and
        # Dec 2024, none in Oct and Nov.
        start = axis.index("2024-07")
        assert axis[:start].strip() == "2 earlier entries not shown"
        assert search[start - 1] == " " and search[start] == "█"
        october, december = axis.index("Oct"), axis.index("Dec")
        assert search[october - 1] == "█" and search[october] == "▁"
        assert search[december - 1] == "▁" and search[december] == "█"
        assert axis[start:].rstrip() == drawn_axis

        # Every tag, the axis and the keys fit in the box.
        assert len(screen.query(TrendRow)) == 12
        assert all(box.contains_region(widget.region) for widget in [*screen.query(TrendRow), screen.axis])
        assert any("esc closes" in line for line in lines)
        row = screen.query(TrendRow).first()
        assert screen.axis.region.x == row.query_one(Sparkline).region.x
        assert screen.axis.region.width == row.query_one(Sparkline).region.width
        assert screen.query_one("#trend-left-out", Static).tooltip == "from 2024-07; 2 earlier entries not shown"

        # The sparkline over the list shows the same months.
        await pilot.press("enter")
        assert app.session.filter.tag == "search"
        assert list(app.query_one("#trend-line", Sparkline).data) == screen.series["search"] == [1, 1, 1, 0, 0, 1]
        assert "#search per month 2024-07…2024-12" in app.query_one("#trend-label", Static).content.plain


async def test_nothing_left_out_nothing_said(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("T")
        await pilot.pause()
        assert app.screen.months.left_out == 0
        assert app.screen.query_one("#trend-left-out", Static).content.plain == ""
        assert not any("not shown" in line for line in screen_lines(app))
        assert app.screen.axis.text.startswith("2024-07")
