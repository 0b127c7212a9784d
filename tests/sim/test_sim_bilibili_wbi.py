"""The simulator's WBI check and BV ids, against the published vectors and the connector.

The vectors are the worked example of bilibili-API-collect (``docs/misc/sign/wbi.md``):
``img_key`` 7cd084941338484aae1ad9425b84077c and ``sub_key`` 4932caff0ff746eab6f01bf08b70ac45
give the mixin key ea1db124af3c7062474693fa704f4ff8; ``foo=114, bar=514, zab=1919810`` at
``wts=1702204169`` hash ``bar=514&foo=114&wts=1702204169&zab=1919810`` + mixin key to
``w_rid`` 8f6f2b5b3d485fe1886cec6a0be8c5d4; ``bar=五一四, baz=1919810, foo=one one four`` is
encoded ``bar=%E4%BA%94%E4%B8%80%E5%9B%9B&baz=1919810&foo=one%20one%20four``. The simulator and
the connector are separate implementations, so each is checked against the vectors and then
against the other on parameters the vectors do not cover (spaces, ``!'()*``, Chinese).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.bilibili import ids as connector_ids
from connectors.bilibili import wbi as connector_wbi
from tracker.sim import bilibili_wbi as sim_wbi
from tracker.sim import ids as sim_ids

IMG = "7cd084941338484aae1ad9425b84077c"
SUB = "4932caff0ff746eab6f01bf08b70ac45"
MIXIN = "ea1db124af3c7062474693fa704f4ff8"
WTS = "1702204169"


def test_mixin_key_is_the_published_one() -> None:
    assert sim_wbi.mixin_key(IMG, SUB) == MIXIN
    assert sorted(sim_wbi.MIXIN_KEY_ENC_TAB) == list(range(64))  # a permutation of 64 positions


def test_published_w_rid() -> None:
    params = {"foo": "114", "bar": "514", "zab": "1919810", "wts": WTS}
    assert sim_wbi.expected_w_rid(params, IMG, SUB) == "8f6f2b5b3d485fe1886cec6a0be8c5d4"
    assert sim_wbi.verify({**params, "w_rid": "8f6f2b5b3d485fe1886cec6a0be8c5d4"}, IMG, SUB)


def test_published_encoding_uses_percent_20_and_upper_case_hex() -> None:
    params = {"foo": "one one four", "bar": "五一四", "baz": "1919810"}
    query = "bar=%E4%BA%94%E4%B8%80%E5%9B%9B&baz=1919810&foo=one%20one%20four"
    want = hashlib.md5((query + MIXIN).encode()).hexdigest()
    assert sim_wbi.expected_w_rid(params, IMG, SUB) == want


def test_filtered_characters_do_not_change_the_signature() -> None:
    plain = sim_wbi.expected_w_rid({"keyword": "科普", "wts": WTS}, IMG, SUB)
    assert sim_wbi.expected_w_rid({"keyword": "科!'(普)*", "wts": WTS}, IMG, SUB) == plain


def test_missing_or_wrong_signature_is_refused() -> None:
    params = {"foo": "114", "bar": "514", "zab": "1919810", "wts": WTS}
    good = sim_wbi.expected_w_rid(params, IMG, SUB)
    assert not sim_wbi.verify(params, IMG, SUB)  # no w_rid
    assert not sim_wbi.verify({**params, "w_rid": good[::-1]}, IMG, SUB)
    assert not sim_wbi.verify({**params, "foo": "115", "w_rid": good}, IMG, SUB)
    no_wts = {k: v for k, v in params.items() if k != "wts"}
    assert not sim_wbi.verify({**no_wts, "w_rid": good}, IMG, SUB)


_text = st.text(alphabet=st.sampled_from("ab Z09-_.~!'()*科普 /&=+%"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    params=st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), _text, max_size=5),
    wts=st.integers(min_value=1, max_value=2**31),
)
def test_the_simulator_accepts_what_the_connector_signs(params: dict[str, str], wts: int) -> None:
    params = {k: v for k, v in params.items() if k not in ("w_rid", "wts")}
    signed = connector_wbi.sign(params, IMG, SUB, wts=wts)
    assert sim_wbi.verify(signed, IMG, SUB)
    assert sim_wbi.expected_w_rid(signed, IMG, SUB) == signed["w_rid"]


@pytest.mark.parametrize(
    ("aid", "bvid"),
    [
        (170001, "BV17x411w7KC"),
        (116004801741275, "BV19wFGzzEPZ"),
        (85440373, "BV117411r7R1"),
        (78977417, "BV1KJ411C7Un"),
        (243082173, "BV1De411p77r"),
    ],
)
def test_sim_bv_ids_on_real_pairs(aid: int, bvid: str) -> None:
    assert sim_ids.aid_to_bvid(aid) == bvid
    assert sim_ids.bvid_to_aid(bvid) == aid
    assert sim_ids.is_bvid(bvid)


@pytest.mark.parametrize("bad", ["BV1", "av170001", "BV1O0000000l", "", "BV17x411w7K"])
def test_sim_refuses_what_is_no_bvid(bad: str) -> None:
    assert not sim_ids.is_bvid(bad)
    assert connector_ids.is_bvid(bad) is False


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=2**51 - 1))
def test_sim_and_connector_bv_ids_agree(aid: int) -> None:
    bvid = sim_ids.aid_to_bvid(aid)
    assert bvid == connector_ids.aid_to_bvid(aid)
    assert sim_ids.is_bvid(bvid) and connector_ids.is_bvid(bvid)
    assert sim_ids.bvid_to_aid(bvid) == connector_ids.bvid_to_aid(bvid) == aid
