"""multipart/related parsing and building (mock_kanta.wire.mime)."""
import base64

import pytest

from mock_kanta.wire.mime import MimeError, build_multipart_related, parse_content_type, split_multipart
from tests.conftest import SAMPLE_NAMES, SAMPLES

PAIRS = list(SAMPLE_NAMES)
FRAME = b'<?xml version="1.0" encoding="UTF-8"?>\n<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"/>\n'
XYZ = "multipart/related; boundary=XYZ"
DOC = b'<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n'


def sample(name: str) -> bytes:
    """A sample file by its file name, e.g. asiakkuusasiakirja-frame.xml (read from ../shared)."""
    return (SAMPLES / name).read_bytes()


def raises_reason(reason: str, body: bytes, content_type: str) -> MimeError:
    with pytest.raises(MimeError) as info:
        split_multipart(body, content_type)
    assert info.value.reason == reason, str(info.value)
    assert isinstance(info.value, ValueError)
    return info.value


def test_parse_content_type_quotes_case_and_semicolons():
    media, params = parse_content_type(
        'Multipart/Related; BOUNDARY="a;b c"; type="application/xop+xml"; start="<root@x>"; start-info="a\\"b"'
    )
    assert media == "multipart/related"
    assert params == {"boundary": "a;b c", "type": "application/xop+xml", "start": "<root@x>", "start-info": 'a"b'}
    assert parse_content_type("text/xml") == ("text/xml", {})
    assert parse_content_type("text/xml ; charset = UTF-8 ") == ("text/xml", {"charset": "UTF-8"})


@pytest.mark.parametrize("name", PAIRS)
def test_sample_pair_round_trip_is_byte_identical(name):
    frame, doc = sample(f"{name}-frame.xml"), sample(f"{name}-document.xml")
    body, ctype = build_multipart_related(
        [(frame, "text/xml; charset=UTF-8", "frame"), (doc, "text/xml; charset=UTF-8", "document")], start="frame"
    )
    assert ctype.startswith('multipart/related; boundary="')
    assert 'type="text/xml"' in ctype and 'start="<frame>"' in ctype
    parts = split_multipart(body, ctype)
    assert [p.content for p in parts] == [frame, doc]
    assert [p.content_id for p in parts] == ["frame", "document"]
    assert parts[0].content_type == "text/xml; charset=UTF-8"
    assert parts[0].headers["content-transfer-encoding"] == "binary"


def test_quoted_and_unquoted_boundary():
    body, _ = build_multipart_related([(FRAME, "text/xml", None), (DOC, "text/xml", None)], boundary="b0undary")
    for ctype in ('multipart/related; boundary="b0undary"', "multipart/related;boundary=b0undary; type=text/xml"):
        assert [p.content for p in split_multipart(body, ctype)] == [FRAME, DOC]


def test_lf_only_line_endings_preamble_epilogue_and_header_case():
    body = (
        b"This is the preamble.\n--XYZ\nCONTENT-TYPE: text/xml\ncontent-id: <frame>\n\n"
        + FRAME
        + b"\n--XYZ   \nContent-Type: text/xml\n\n"
        + DOC
        + b"\n--XYZ--\nthe epilogue\n--XYZ\nignored\n"
    )
    parts = split_multipart(body, XYZ)
    assert [p.content for p in parts] == [FRAME, DOC]
    assert parts[0].content_id == "frame" and parts[0].content_type == "text/xml"
    assert parts[1].content_id is None


def test_boundary_lookalikes_inside_content_are_content():
    content = b"x --XYZ y\n--XYZfoo\n"
    body = b"--XYZ\r\nContent-Type: text/plain\r\n\r\n" + content + b"\r\n--XYZ--\r\n"
    assert split_multipart(body, XYZ)[0].content == content


def test_headers_only_part_and_folded_header():
    body = b"--B\r\nContent-Type: text/xml;\r\n charset=UTF-8\r\n\r\n--B--"
    (part,) = split_multipart(body, "multipart/related; boundary=B")
    assert part.content == b"" and part.content_type == "text/xml; charset=UTF-8"
    (part,) = split_multipart(b"--B\r\nContent-ID: <x>\r\n--B--", "multipart/related; boundary=B")
    assert part.content == b"" and part.content_id == "x"


def test_base64_part_encoding_is_decoded():
    body, ctype = build_multipart_related(
        [(FRAME, "text/xml", "frame"), (DOC, "text/xml", "document")], transfer_encodings=["binary", "base64"]
    )
    assert base64.b64encode(DOC) in body.replace(b"\r\n", b"")
    assert b"Content-Transfer-Encoding: base64" in body
    assert [p.content for p in split_multipart(body, ctype)] == [FRAME, DOC]


def test_base64_looking_content_is_kept_without_the_header():
    encoded = base64.b64encode(DOC)
    body, ctype = build_multipart_related([(encoded, "text/xml", None)], transfer_encodings=["8bit"])
    assert split_multipart(body, ctype)[0].content == encoded


def test_quoted_printable_and_7bit():
    text = "Ääkköset = ok\n".encode() + b"x" * 100
    body, ctype = build_multipart_related(
        [(text, "text/plain", None), (FRAME, "text/xml", None)], transfer_encodings=["quoted-printable", "7bit"]
    )
    assert b"=C3=84" in body
    assert [p.content for p in split_multipart(body, ctype)] == [text, FRAME]


def test_two_megabyte_document_part():
    big = b'<ClinicalDocument xmlns="urn:hl7-org:v3">' + b"<text>" + b"a\r\n" * 700_000 + b"</text></ClinicalDocument>"
    assert len(big) > 2_000_000
    body, ctype = build_multipart_related([(FRAME, "text/xml", "frame"), (big, "text/xml", "document")])
    parts = split_multipart(body, ctype)
    assert parts[1].content == big and parts[0].content == FRAME


def test_error_no_boundary():
    err = raises_reason("no-boundary", b"--x\r\n\r\nabc\r\n--x--", "multipart/related; type=text/xml")
    assert "boundary" in str(err)


def test_error_boundary_not_in_body():
    raises_reason("not-multipart", FRAME, XYZ)


def test_error_no_closing_delimiter():
    raises_reason("no-closing-delimiter", b"--XYZ\r\nContent-Type: text/xml\r\n\r\n" + FRAME, XYZ)
    raises_reason("no-closing-delimiter", b"--XYZ", XYZ)


def test_error_part_without_header_body_separator():
    err = raises_reason("no-header-separator", b"--XYZ\r\n" + FRAME + b"\r\n--XYZ--\r\n", XYZ)
    assert "part 1" in str(err)
    raises_reason("no-header-separator", b"--XYZ\r\nContent-Type: text/xml\r\nabc\r\n--XYZ--", XYZ)
    raises_reason("no-header-separator", b"--XYZ\r\n--XYZ--", XYZ)


def test_error_bad_base64():
    body = b"--XYZ\r\nContent-Transfer-Encoding: base64\r\n\r\nPD94bWwg!!\r\n--XYZ--\r\n"
    raises_reason("bad-base64", body, XYZ)
    body = b"--XYZ\r\nContent-Transfer-Encoding: base64\r\n\r\nPD94bWw\r\n--XYZ--\r\n"  # bad padding
    raises_reason("bad-base64", body, XYZ)


def test_error_unsupported_transfer_encoding_and_no_parts():
    body = b"--XYZ\r\nContent-Transfer-Encoding: x-gzip\r\n\r\nabc\r\n--XYZ--\r\n"
    raises_reason("unsupported-transfer-encoding", body, XYZ)
    raises_reason("no-parts", b"--XYZ--\r\n", XYZ)


def test_builder_refuses_a_boundary_that_occurs_in_content():
    with pytest.raises(MimeError) as info:
        build_multipart_related([(b"a\r\n--XYZ\r\n", "text/plain", None)], boundary="XYZ")
    assert info.value.reason == "boundary-in-content"
