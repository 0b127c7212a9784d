"""WBI signing against the published test vectors, and the av/BV id conversion."""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from connectors.bilibili import wbi
from connectors.bilibili.ids import aid_to_bvid, bvid_to_aid, is_bvid

FIXTURES = Path(__file__).parents[2] / "fixtures" / "bilibili"
IMG = "7cd084941338484aae1ad9425b84077c"
SUB = "4932caff0ff746eab6f01bf08b70ac45"


def test_mixin_key_vector():
    assert wbi.mixin_key(IMG, SUB) == "ea1db124af3c7062474693fa704f4ff8"


def test_keys_from_real_nav_body():
    body = json.loads((FIXTURES / "nav_unlogged_wbi_img.json").read_text(encoding="utf-8"))
    assert body["code"] == -101  # logged out, yet the keys are there
    assert wbi.keys_from_nav(body) == (IMG, SUB)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data": None},
        {"data": {"wbi_img": {"img_url": "x"}}},
        {"data": {"wbi_img": {"img_url": "a/b.png", "sub_url": "c/d.png"}}},
    ],
)
def test_keys_from_bad_nav(body):
    with pytest.raises(ValueError):
        wbi.keys_from_nav(body)


def test_w_rid_vector():
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, IMG, SUB, wts=1702204169)
    assert signed["w_rid"] == "8f6f2b5b3d485fe1886cec6a0be8c5d4"
    assert signed["wts"] == "1702204169"
    # the original parameters travel unchanged beside the two added ones
    assert {k: signed[k] for k in ("foo", "bar", "zab")} == {
        "foo": "114",
        "bar": "514",
        "zab": "1919810",
    }


def test_signing_string_is_sorted_and_uses_percent_20():
    s = wbi.signing_string({"foo": "one one four", "bar": "五一四", "baz": 1919810})
    assert s == "bar=%E4%BA%94%E4%B8%80%E5%9B%9B&baz=1919810&foo=one%20one%20four"


def test_space_trap_changes_the_signature():
    """Form encoding ('+' for a space) hashes a different string: the doc's warning."""
    params = {"keyword": "千万 IP 创科普", "wts": "1702204169"}
    right = wbi.sign({"keyword": "千万 IP 创科普"}, IMG, SUB, wts=1702204169)["w_rid"]
    form = urlencode(sorted(params.items()))
    assert "+" in form
    wrong = hashlib.md5((form + wbi.mixin_key(IMG, SUB)).encode()).hexdigest()
    assert right != wrong
    expected = hashlib.md5(
        ("keyword=%E5%8D%83%E4%B8%87%20IP%20%E5%88%9B%E7%A7%91%E6%99%AE&wts=1702204169"
         + "ea1db124af3c7062474693fa704f4ff8").encode()
    ).hexdigest()  # fmt: skip
    assert right == expected


def test_hash_sign_is_encoded_and_filtered_characters_dropped():
    assert wbi.signing_string({"keyword": "#千万IP创科普#"}).startswith("keyword=%23")
    assert wbi.signing_string({"q": "a!b'c(d)e*f"}) == "q=abcdef"
    signed = wbi.sign({"q": "a!b'c(d)e*f"}, IMG, SUB, wts=1)
    assert signed["q"] == "a!b'c(d)e*f"  # only the hashed string is filtered


def test_verify_accepts_own_signature_and_rejects_tampering():
    signed = wbi.sign({"keyword": "千万IP创科普", "page": 2}, IMG, SUB, wts=1726800000)
    assert wbi.verify(signed, IMG, SUB)
    assert not wbi.verify({**signed, "page": "3"}, IMG, SUB)
    assert not wbi.verify({**signed, "wts": "1726800001"}, IMG, SUB)
    assert not wbi.verify({k: v for k, v in signed.items() if k != "w_rid"}, IMG, SUB)
    assert not wbi.verify(signed, SUB, IMG)


def test_buvid3_shape():
    value = wbi.gen_buvid3(random.Random(7))
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\d{5}infoc", value
    )
    assert value == wbi.gen_buvid3(random.Random(7))


@pytest.mark.parametrize(
    ("aid", "bvid"),
    [
        (116004801741275, "BV19wFGzzEPZ"),  # > 2**32, from the 2026 search response
        (85440373, "BV117411r7R1"),  # from the view response
        (78977417, "BV1KJ411C7Un"),  # from the single search item
        (243082173, "BV1De411p77r"),
    ],
)
def test_av_bv_conversion_on_real_pairs(aid, bvid):
    assert aid_to_bvid(aid) == bvid
    assert bvid_to_aid(bvid) == aid
    assert is_bvid(bvid)


@pytest.mark.parametrize("bad", ["BV1", "av170001", "BV1O0000000l", ""])
def test_bad_bvid(bad):
    assert not is_bvid(bad)
    with pytest.raises(ValueError):
        bvid_to_aid(bad)


@pytest.mark.parametrize("bad", [0, -1, 1 << 51, True])
def test_bad_aid(bad):
    with pytest.raises(ValueError):
        aid_to_bvid(bad)
