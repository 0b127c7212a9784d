"""Work URLs of all nine platforms -> (platform, post id), short links, resolver."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.links import UrlResolver, extract_url, parse_work_url
from connectors.weibo.ids import mblogid_to_mid, mid_to_mblogid
from connectors.workref import ShortLinkError, WorkUrlError
from tracker.errors import ConnectorError

CASES = [
    # Weibo: numeric mid, base62 mblogid (converted), share page
    ("https://m.weibo.cn/detail/4069372986738497", "weibo", "4069372986738497"),
    ("https://m.weibo.cn/status/4069372986738497?sourceType=weixin", "weibo", "4069372986738497"),
    ("https://weibo.com/1974576991/4069372986738497", "weibo", "4069372986738497"),
    ("https://share.api.weibo.cn/share/12345,4069372986738497.html", "weibo", "4069372986738497"),
    # Douyin
    ("https://www.douyin.com/video/7414000000000000001", "douyin", "7414000000000000001"),
    ("https://www.douyin.com/note/7584769166932233472", "douyin", "7584769166932233472"),
    (
        "https://www.iesdouyin.com/share/video/7414000000000000001/?region=CN&mid=1",
        "douyin",
        "7414000000000000001",
    ),
    (
        "https://www.douyin.com/discover?modal_id=7414000000000000001",
        "douyin",
        "7414000000000000001",
    ),
    # Kuaishou
    (
        "https://www.kuaishou.com/short-video/3xk5mnw2abc4def?authorId=3xuserabc123&streamSource=search",
        "kuaishou",
        "3xk5mnw2abc4def",
    ),
    ("https://v.m.chenzhongtech.com/fw/photo/3xk5mnw2abc4def", "kuaishou", "3xk5mnw2abc4def"),
    # Bilibili: BV, av (converted to BV), mobile, b23.tv carrying the BV id
    (
        "https://www.bilibili.com/video/BV117411r7R1/?spm_id_from=333.337",
        "bilibili",
        "BV117411r7R1",
    ),
    ("https://www.bilibili.com/video/av85440373", "bilibili", "BV117411r7R1"),
    ("https://m.bilibili.com/video/BV1KJ411C7Un", "bilibili", "BV1KJ411C7Un"),
    ("https://b23.tv/BV117411r7R1", "bilibili", "BV117411r7R1"),
    # Zhihu: answer, article, zvideo
    ("https://www.zhihu.com/question/49502870/answer/162040459", "zhihu", "162040459"),
    ("https://zhuanlan.zhihu.com/p/720001234", "zhihu", "720001234"),
    ("https://www.zhihu.com/zvideo/1790000000000000001", "zhihu", "1790000000000000001"),
    # Xiaohongshu
    (
        "https://www.xiaohongshu.com/explore/67ff2df8000000001b03ebc7?xsec_token=YBdb&xsec_source=pc_search",
        "xiaohongshu",
        "67ff2df8000000001b03ebc7",
    ),
    (
        "https://www.xiaohongshu.com/discovery/item/67ff2df8000000001b03ebc7",
        "xiaohongshu",
        "67ff2df8000000001b03ebc7",
    ),
    # 科普中国, 学习强国, 腾讯新闻
    (
        "https://www.kepuchina.cn/more/202409/t20240914_3100001.shtml",
        "kepuchina",
        "t20240914_3100001",
    ),
    (
        "https://www.xuexi.cn/lgpage/detail/index.html?id=12345678901234567890&amp;item_id=12345678901234567890",
        "xuexi",
        "12345678901234567890",
    ),
    ("https://news.qq.com/rain/a/20240914A01ABC00", "qqnews", "20240914A01ABC00"),
    ("https://new.qq.com/rain/a/20240914A01ABC00", "qqnews", "20240914A01ABC00"),
    ("https://view.inews.qq.com/a/20240914A01ABC00", "qqnews", "20240914A01ABC00"),
]


@pytest.mark.parametrize(("url", "platform", "post_id"), CASES)
def test_work_urls(url: str, platform: str, post_id: str) -> None:
    ref = parse_work_url(url)
    assert (ref.platform, ref.post_id) == (platform, post_id)


def test_all_nine_platforms_are_covered() -> None:
    assert {p for _, p, _ in CASES} == {
        "weibo",
        "douyin",
        "kuaishou",
        "bilibili",
        "zhihu",
        "xiaohongshu",
        "kepuchina",
        "xuexi",
        "qqnews",
    }


def test_details_the_url_carries() -> None:
    weibo = parse_work_url("https://weibo.com/1974576991/4069372986738497")
    assert weibo.account_uid == "1974576991"
    assert weibo.url == "https://m.weibo.cn/detail/4069372986738497"
    answer = parse_work_url("https://www.zhihu.com/question/49502870/answer/162040459")
    assert answer.context == {"question_id": "49502870"} and answer.content_type == "answer"
    assert answer.url == "https://www.zhihu.com/question/49502870/answer/162040459"
    ks = parse_work_url("https://www.kuaishou.com/short-video/3xk5mnw2abc4def?authorId=3xu1")
    assert ks.account_uid == "3xu1"
    xhs = parse_work_url(
        "https://www.xiaohongshu.com/explore/67ff2df8000000001b03ebc7?xsec_token=YBdb&xsec_source=pc_search"
    )
    assert xhs.context == {"xsec_token": "YBdb"} and "xsec_token=YBdb" in xhs.url


def test_mblogid_round_trip_known_value() -> None:
    # 16-digit mid -> groups "40" | "6937298" | "6738497" -> "E" + base62(6937298) + base62(6738497)
    blog = mid_to_mblogid("4069372986738497")
    assert blog[0] == "E" and len(blog) == 9
    assert mblogid_to_mid(blog) == "4069372986738497"
    ref = parse_work_url(f"https://weibo.com/1974576991/{blog}")
    assert ref.post_id == "4069372986738497"
    assert parse_work_url(f"https://m.weibo.cn/status/{blog}").post_id == "4069372986738497"


@given(st.integers(min_value=10**15, max_value=10**17 - 1))
def test_mblogid_agrees_with_an_independent_implementation(mid: int) -> None:
    from tracker.sim.ids import mblogid_to_mid as sim_decode
    from tracker.sim.ids import mid_to_mblogid as sim_encode

    assert mid_to_mblogid(str(mid)) == sim_encode(str(mid))
    assert mblogid_to_mid(sim_encode(str(mid))) == sim_decode(sim_encode(str(mid))) == str(mid)


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("https://v.douyin.com/iRNBho2A/", "douyin"),
        ("https://b23.tv/a1B2c3D", "bilibili"),
        ("http://xhslink.com/a/AbCdEf", "xiaohongshu"),
        ("https://v.kuaishou.com/Ab12Cd", "kuaishou"),
        ("https://www.kuaishou.com/f/X-1a2B3c4D", "kuaishou"),
        ("http://t.cn/RxlaENw", None),
    ],
)
def test_short_links_need_following(text: str, platform: str | None) -> None:
    with pytest.raises(ShortLinkError) as info:
        parse_work_url(text)
    assert info.value.platform == platform


def test_link_inside_share_text_and_without_scheme() -> None:
    share = "3.05 复制打开抖音，看看【科普君的作品】秋分 #千万IP创科普 https://v.douyin.com/iRNBho2A/ b@a.nd 10/14"
    assert extract_url(share) == "https://v.douyin.com/iRNBho2A/"
    ref = parse_work_url("看这个：www.bilibili.com/video/BV117411r7R1，很好看")
    assert ref.key == ("bilibili", "BV117411r7R1")
    assert (
        parse_work_url("https：／／news.qq.com／rain／a／20240914A01ABC00").post_id
        == "20240914A01ABC00"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("见附件", "不是链接"),
        ("https://example.com/video/1", "不支持的平台"),
        ("https://weibo.com/u/1959830294", "不是单条微博"),
        ("https://www.zhihu.com/question/49502870", "问题页"),
        ("https://www.douyin.com/user/MS4wLjABAAAA", "用户主页"),
        ("https://www.bilibili.com/read/cv123", "BV"),
        ("https://www.xiaohongshu.com/explore/nothex", "笔记 id"),
    ],
)
def test_broken_urls_say_why(text: str, words: str) -> None:
    with pytest.raises(WorkUrlError) as info:
        parse_work_url(text)
    assert words in str(info.value)


class FakeRedirects:
    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets
        self.asked: list[str] = []

    def resolve_redirect(self, url: str) -> str:
        self.asked.append(url)
        if url not in self.targets:
            raise ConnectorError("HTTP 404", platform="douyin")
        return self.targets[url]


def test_resolver_follows_short_links_through_the_client() -> None:
    client = FakeRedirects(
        {
            "https://v.douyin.com/iRNBho2A/": "https://www.iesdouyin.com/share/video/7414000000000000001/?region=CN",
            "https://b23.tv/a1B2c3D": "https://www.bilibili.com/video/BV117411r7R1?share_source=copy",
        }
    )
    platforms: list[str | None] = []

    def client_for(platform: str | None) -> FakeRedirects:
        platforms.append(platform)
        return client

    resolver = UrlResolver(client_for)
    assert resolver.resolve("https://v.douyin.com/iRNBho2A/").key == (
        "douyin",
        "7414000000000000001",
    )
    assert resolver.resolve("https://b23.tv/a1B2c3D").key == ("bilibili", "BV117411r7R1")
    assert platforms == ["douyin", "bilibili"] and resolver.followed == 2
    with pytest.raises(WorkUrlError, match="短链接无法打开"):
        resolver.resolve("https://v.douyin.com/gone/")
    # no client: the short link is reported, nothing is fetched
    with pytest.raises(ShortLinkError):
        UrlResolver().resolve("https://v.douyin.com/iRNBho2A/")


def test_simulator_urls_resolve_to_their_posts() -> None:
    """Every URL form the simulator's world uses maps back to the post it names."""
    from tracker.sim.truth import iter_truth

    platforms = (
        "weibo",
        "douyin",
        "kuaishou",
        "zhihu",
        "bilibili",
        "xiaohongshu",
        "kepuchina",
        "qqnews",
        "xuexi",
    )
    seen: Counter[str] = Counter()
    for record in iter_truth(7, 200, platforms=platforms):
        ref = parse_work_url(record["url"])
        assert (ref.platform, ref.post_id) == (record["platform"], record["post_id"]), record["url"]
        seen[record["platform"]] += 1
    assert set(seen) == set(platforms)


def test_a_xiaohongshu_token_with_base64_signs_survives_the_stored_link() -> None:
    """The stored link is read again (refresh, details): "+" must not come back as a space."""
    from connectors.xiaohongshu.client import _id_and_token

    ref = parse_work_url(
        "https://www.xiaohongshu.com/explore/67ff2df8000000001b03ebc7"
        "?xsec_token=AB%2Bcd%2Fef%3D&xsec_source=pc_share"
    )
    assert ref.context == {"xsec_token": "AB+cd/ef="}
    again = parse_work_url(ref.url)
    assert again.context == ref.context and again.post_id == ref.post_id
    assert _id_and_token(ref.url) == (ref.post_id, "AB+cd/ef=")  # what refresh sends to feed
