"""The parser's bounds (wire.limits, wire.safexml) and bounded JSON (wire.safejson)."""
from __future__ import annotations

import pytest

from mock_kanta.wire import safejson, safexml
from mock_kanta.wire.limits import Limits, header_excess
from tests.conftest import SAMPLE_NAMES, sample


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("part", ["frame", "document"])
def test_the_public_samples_are_within_the_default_bounds(name, part):
    root = safexml.parse(sample(name, part), limits=Limits())
    assert header_excess(root, Limits()) is None


@pytest.mark.parametrize("data, what, count", [
    (b"<a>" + b"<b/>" * 3_900_000 + b"</a>", "elements", None),  # read only up to the bound, never built whole
    (b"<a " + b" ".join(b"a%d=''" % i for i in range(100_001)) + b"/>", "attributes", 100_001),
    (b"<a>" * 65 + b"</a>" * 65, "depth", 65),
])
def test_a_part_past_a_bound_is_refused_with_the_bound_it_breaks(data, what, count):
    with pytest.raises(safexml.LimitExceeded) as caught:
        safexml.parse(data, 64 * 1024 * 1024, Limits())
    excess = caught.value.excess
    assert excess.what == what and excess.location == "/" and excess.count > excess.limit
    assert count is None or excess.count == count
    assert excess.setting.startswith("MOCK_KANTA_MAX_")


def test_the_bounds_are_settings_and_refuse_a_value_that_is_not_a_positive_integer():
    assert Limits.from_env({"MOCK_KANTA_MAX_ELEMENTS": "7", "MOCK_KANTA_MAX_REFERENCES": "3"}) == Limits(elements=7, references=3)
    assert Limits.from_env({}) == Limits()
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError, match="MOCK_KANTA_MAX_DEPTH"):
            Limits.from_env({"MOCK_KANTA_MAX_DEPTH": bad})


def test_the_header_bounds():
    ns = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><localSocialHeader xmlns="urn:hl7finland">'
    wide = safexml.parse(ns + b"<x/>" * 11 + b"</localSocialHeader></ClinicalDocument>")
    assert header_excess(wide, Limits(header_elements=10)).what == "header_elements"
    deep = safexml.parse(ns + b"<x>" * 5 + b"</x>" * 5 + b"</localSocialHeader></ClinicalDocument>")
    assert header_excess(deep, Limits(header_depth=5)) is None
    assert header_excess(deep, Limits(header_depth=4)).what == "header_depth"


@pytest.mark.parametrize("data, says", [
    (b"[" * 1000 + b"]" * 1000, "nested more than 64"),
    (b'{"a": ' + b"9" * 4301 + b"}", "4301 digits"),
    (b'{"a": "\\ud800"}', "lone surrogate"),
    (b'{"\\udfff": 1}', "lone surrogate"),
    (b"[NaN]", "NaN is not JSON"),
    (b"[1e999]", "out of range"),
    (b"\xff", "not UTF-8"),
    (b"[" + b"[]," * 100_001 + b"[]]", "more than 100000 arrays"),
    (b'{"a": 1', "not valid JSON"),
])
def test_json_that_cannot_be_taken_is_refused_with_why(data, says):
    with pytest.raises(safejson.JSONInputError, match=says):
        safejson.loads(data)


def test_acceptable_json_is_read_as_it_is():
    assert safejson.loads(b'{"a": [1, 2.5, "\\ud83d\\ude00", "[{\\"x"], "b": null}') == {"a": [1, 2.5, "😀", '[{"x'], "b": None}
    assert safejson.loads(b"[" * 64 + b"]" * 64) is not None
