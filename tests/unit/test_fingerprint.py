"""The stored content fingerprint: what folds together, what stays apart, and its sentinels."""

from __future__ import annotations

import pandas as pd

from tracker.normalize.fingerprint import NO_FINGERPRINT, content_fingerprint
from tracker.ranking.risk import duplicate_accounts, fingerprint_key

BODY = "今天我们用一个小实验解释彩虹是怎么形成的，欢迎转发"


def test_copies_differing_in_spacing_punctuation_width_and_case_share_a_key() -> None:
    base = content_fingerprint(None, f"#千万IP创科普# {BODY}")
    assert base is not None and len(base) == 16 and int(base, 16) >= 0
    assert content_fingerprint(None, f"＃千万ＩＰ创科普＃{BODY.replace('，', ' ,  ')}！！") == base
    assert content_fingerprint(None, f"#千万ip创科普 {BODY} 👍") == base
    assert content_fingerprint(None, f"#千万IP创科普# {BODY}再见") != base
    # script is not folded (rare in copies, and ten times the cost on every stored post)
    assert (
        content_fingerprint(None, "#千萬IP創科普# 今天我們用一個小實驗解釋彩虹是怎麼形成的") != base
    )


def test_title_and_text_both_count() -> None:
    assert content_fingerprint("彩虹实验", BODY) != content_fingerprint(None, BODY)
    assert content_fingerprint("彩虹实验", BODY) == content_fingerprint("彩虹实验" + BODY, None)


def test_too_few_words_is_the_empty_sentinel_and_no_words_is_none() -> None:
    assert content_fingerprint(None, "#千万IP创科普#") == NO_FINGERPRINT  # the tag alone: 7 left
    assert content_fingerprint("好！", "👍👍") == NO_FINGERPRINT
    assert content_fingerprint(None, None) is None
    assert content_fingerprint("", "") is None


def test_the_sentinel_never_makes_short_posts_duplicates_of_each_other() -> None:
    keys = fingerprint_key(pd.Series([NO_FINGERPRINT, NO_FINGERPRINT, None, "ab12", "ab12"]))
    assert keys.isna().tolist() == [True, True, True, False, False]
    works = pd.DataFrame({"platform": ["weibo"] * 5, "account_uid": ["a", "b", "c", "d", "e"]})
    assert duplicate_accounts(works, keys).tolist() == [0, 0, 0, 1, 1]
