import pytest

from mock_kanta.core.identity import HetuError, is_oid, parse_hetu


@pytest.mark.parametrize(
    "value, year, test",
    [
        ("200111A904P", 2011, True),
        ("180418A903L", 2018, True),
        ("010714-9983", 1914, True),
        ("170510B942Y", 2010, True),  # 2023 sign B
        ("020185Y9013", 1985, True),  # 2023 sign Y
        ("010101+980A", 1801, True),
    ],
)
def test_valid_identity_codes_with_every_kind_of_century_sign(value, year, test):
    h = parse_hetu(value)
    assert h.birth_date.year == year and h.is_test is test


@pytest.mark.parametrize("sign, year", [("-", 1900), ("U", 1900), ("V", 1900), ("W", 1900), ("X", 1900), ("Y", 1900),
                                        ("A", 2000), ("B", 2000), ("C", 2000), ("D", 2000), ("E", 2000), ("F", 2000), ("+", 1800)])
def test_every_century_sign(sign, year):
    from mock_kanta.core.identity import check_char

    value = f"150605{sign}950{check_char('150605', '950')}"
    assert parse_hetu(value).birth_date.year == year + 5


@pytest.mark.parametrize(
    "value, reason",
    [("180418A903X", "check character"), ("310218A903L", "valid date"), ("180418G903L", "format"), ("18041A903L", "format"),
     ("010101-001R", "individual number")],
)
def test_invalid_identity_codes(value, reason):
    with pytest.raises(HetuError, match=reason):
        parse_hetu(value)


def test_oid_syntax():
    assert is_oid("1.2.246.10.2012566.10.40")
    assert not is_oid("1.2.246.010")
    assert not is_oid("OID1.2")
    assert not is_oid("1.2 .3")
    assert not is_oid("")


@pytest.mark.parametrize("value, reason", [("12345", "format"), ("310299-999U", "date"), ("010101-001F", "individual"),
                                           ("010101-9990", "check")])
def test_an_invalid_hetu_says_why_as_a_code(value, reason):
    with pytest.raises(HetuError) as caught:
        parse_hetu(value)
    assert caught.value.reason == reason and str(caught.value)
