"""The nonXMLBody read once (mock_kanta.wire.body): the public samples' forms decoded, and the readers of the
structured form (mock_kanta.core.structured) on them; a broken or active display form described as values."""
from __future__ import annotations

import base64
import dataclasses

from mock_kanta.core.structured import client_ids, social_services
from mock_kanta.wire import body as wire_body
from mock_kanta.wire import cda
from tests.conftest import sample


def _body(name: str):
    return cda.parse_document(sample(name, "document"))[0].body


def test_the_samples_decode_to_xhtml_and_json():
    for name, structure in (("asiakkuusasiakirja", "asiakkuusasiakirja"),
                            ("asiakassuunnitelma", "lapsiperheiden_palvelujen_asiakassuunnitelma")):
        decoded = wire_body.decode(_body(name))
        assert decoded.display.lstrip().startswith(b"<") and decoded.xhtml_error is None
        assert decoded.xhtml.tag == "{http://www.w3.org/1999/xhtml}div" and "soc-document" in decoded.xhtml.class_attr
        assert decoded.xhtml.active is None
        assert list(decoded.structured) == [structure] and decoded.structured_error is None


def test_the_structured_readers_find_the_client_and_services():
    plan = wire_body.decode(_body("asiakassuunnitelma")).structured
    assert client_ids(plan) == {"180418A903L"}
    relationship = wire_body.decode(_body("asiakkuusasiakirja")).structured
    assert set(social_services(relationship)) >= {"15"}


def test_broken_forms_are_described_not_raised():
    b = _body("asiakassuunnitelma")
    broken = dataclasses.replace(b, display_b64=base64.b64encode(b"<div><p></div>").decode(), json_b64="not base64!")
    decoded = wire_body.decode(broken)
    assert decoded.xhtml is None and "mismatch" in decoded.xhtml_error
    assert decoded.structured is None and decoded.structured_error == "not valid Base64"
    not_json = dataclasses.replace(b, json_b64=base64.b64encode(b"{nope").decode())
    assert wire_body.decode(not_json).structured_error.startswith("not UTF-8 JSON (")
    assert wire_body.decode(None) is None


def test_active_content_is_named():
    b = _body("asiakassuunnitelma")
    for xhtml, what in ((b'<div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></div>', "img@onerror"),
                        (b'<div xmlns="http://www.w3.org/1999/xhtml"><script>1</script></div>', "script"),
                        (b'<div xmlns="http://www.w3.org/1999/xhtml"><p>one = two</p></div>', None)):
        active = dataclasses.replace(b, display_b64=base64.b64encode(xhtml).decode())
        assert wire_body.decode(active).xhtml.active == what
