"""The UI's pure parts: texts in three languages, masking, the timeline's geometry, safe redirects."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from mock_kanta.clock import pages as clock
from mock_kanta.registers import timeline
from mock_kanta.ui import i18n
from mock_kanta.ui.context import NAV, mask

UI = Path(i18n.__file__).parent
# Keys built at run time from a prefix and a value: every value must have a text.
DYNAMIC = {
    "clock.mode_": ("real", "running", "frozen"),
    "kind.": ("organiser", "provider", "vendor", "unknown"),
    "status.": ("active", "replaced", "voided"),
    "registers.state_": ("in-force", "future", "past", "replaced"),
    "lang.": i18n.LANGS,
    "visibility.": ("visible", "restricted", "delayed"),
    "disclosure.": ("allowed", "prohibited", "prohibition-refused"),
}


def used_keys() -> set[str]:
    keys = set()
    for path in [*UI.glob("templates/*.html"), *UI.glob("*.py")]:
        keys |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.-]+)['"]""", path.read_text(encoding="utf-8")))
    keys |= {f"{prefix}{value}" for prefix, values in DYNAMIC.items() for value in values}
    keys |= {key for key, _ in NAV} | {f"{key}_hint" for key, _ in NAV if key != "nav.overview"}
    keys |= {key for _, key in clock.SHORTCUTS}
    return keys - set(DYNAMIC)


def test_every_text_a_page_asks_for_exists_in_finnish_swedish_and_english():
    texts = i18n.texts()
    missing = sorted(k for k in used_keys() if k not in texts)
    assert missing == []
    for key, by_lang in texts.items():
        assert set(by_lang) == set(i18n.LANGS) and all(v.strip() for v in by_lang.values()), key


def test_texts_with_fields_have_the_same_fields_in_every_language():
    for key, by_lang in i18n.texts().items():
        fields = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in by_lang.items()}
        assert fields["fi"] == fields["sv"] == fields["en"], key


@pytest.mark.parametrize("hetu, shown", [
    ("120512A912X", "120512A9**X"),
    ("010150-9346", "010150-9**6"),
    ("170510B942Y", "170510B9**Y"),
    ("1.2.246.10", "1.2***"),
    (None, "–"),
])
def test_a_henkilotunnus_is_masked_to_its_birth_date_and_check_character(hetu, shown):
    assert mask(hetu) == shown


def test_the_timeline_places_bars_and_markers_by_date():
    rows = [
        {"start": date(2026, 9, 15), "end": None, "state": "in-force", "labels": ("a", "b"), "period": "", "title": ""},
        {"start": date(2026, 12, 1), "end": date(2027, 5, 31), "state": "future", "labels": ("c", "d"), "period": "",
         "title": ""},
    ]
    markers = [(date(2026, 11, 1), "now", "now"), (date(2026, 9, 1), "kanta", "kanta")]
    chart = timeline.build(rows, markers, date(2026, 11, 1), lambda d: f"{d.month}/{d.year}")
    assert (chart.start, chart.end) == (date(2026, 8, 1), date(2027, 7, 1))
    open_bar, closed = chart.bars
    assert open_bar.open_end and open_bar.x + open_bar.w == timeline.PLOT_X1
    assert not closed.open_end and closed.x + closed.w < timeline.PLOT_X1
    by_kind = {m.kind: m for m in chart.markers}
    assert by_kind["kanta"].x < open_bar.x < by_kind["now"].x < closed.x
    assert chart.ticks[0] == (timeline.PLOT_X0, "8/2026") and len(chart.ticks) == 11  # 8/2026-6/2027; 7/2027 is the edge
    assert closed.y == open_bar.y + timeline.ROW_H and chart.height > chart.rows_bottom


def test_a_short_span_is_widened_and_a_long_one_gets_sparser_ticks():
    one = [{"start": date(2026, 1, 10), "end": date(2026, 1, 20), "state": "past", "labels": ("", ""), "period": "",
            "title": ""}]
    chart = timeline.build(one, [], date(2026, 1, 15), str)
    assert (chart.end - chart.start).days >= timeline.MIN_DAYS
    long = [{**one[0], "end": date(2031, 1, 1)}]
    assert len(timeline.build(long, [], date(2026, 1, 15), str).ticks) < 30


@pytest.mark.parametrize("target, back", [
    ("/ui/registers?client=x", "/ui/registers?client=x"),
    ("https://elsewhere.example/", "/ui/"),
    ("//elsewhere.example/ui", "/ui/"),
    ("/api/v1/clock", "/ui/"),
    ("/ui\\@elsewhere", "/ui/"),
    (None, "/ui/"),
])
def test_the_clock_form_only_returns_to_ui_pages(target, back):
    assert clock._back(target) == back
