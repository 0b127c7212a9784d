"""A work's URL -> (platform, post id), for the nine campaign platforms (and TikTok).

Units paste links in every form a platform has ever shown: desktop and mobile pages, share
pages, app share text around the link (``【标题】 https://v.douyin.com/iRNBho2A/ 复制此链接…``),
``&amp;`` left over from HTML, missing schemes. :func:`parse_work_url` is pure and maps each to
the id the parsers store, so a submitted work and the same work from a live run or a capture
are one post: Weibo's base62 ``mblogid`` becomes the numeric ``mid``, Bilibili's ``av`` number
becomes the ``BV`` id. Short links (``v.douyin.com``, ``b23.tv``, ``xhslink.com``…) name no
id; :class:`UrlResolver` follows them through the shared HTTP layer when the caller allows
network access, and otherwise says so in the reject reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from connectors.bilibili.ids import aid_to_bvid, is_bvid
from tracker.errors import ConnectorError

__all__ = [
    "BASE62",
    "ShortLinkError",
    "UrlResolver",
    "WorkRef",
    "WorkUrlError",
    "extract_url",
    "mblogid_to_mid",
    "mid_to_mblogid",
    "parse_work_url",
    "short_link_platform",
]

BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_B62 = {c: i for i, c in enumerate(BASE62)}


class WorkUrlError(ValueError):
    """The text is not a link to a single work of a known platform; the message says why."""


class ShortLinkError(WorkUrlError):
    """A short link: it names no work until it is followed (needs network access)."""

    def __init__(self, message: str, *, platform: str | None, url: str) -> None:
        super().__init__(message)
        self.platform = platform
        self.url = url


@dataclass(frozen=True, slots=True)
class WorkRef:
    """A work named by a URL: the key the store uses plus what the URL itself tells."""

    platform: str
    post_id: str
    url: str
    account_uid: str | None = None
    content_type: str | None = None
    context: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.post_id)


# --- Weibo ids -----------------------------------------------------------------------------------


def _b62_decode(chunk: str) -> int:
    value = 0
    for c in chunk:
        if c not in _B62:
            raise WorkUrlError(f"微博短 id 含非法字符 {c!r}")
        value = value * 62 + _B62[c]
    return value


def _b62_encode(number: int) -> str:
    if number == 0:
        return "0"
    out = []
    while number:
        number, digit = divmod(number, 62)
        out.append(BASE62[digit])
    return "".join(reversed(out))


def mblogid_to_mid(mblogid: str) -> str:
    """Weibo's base62 short id (``OxYz12AbC``) -> the numeric ``mid``.

    The mid is cut into 7-digit groups from the right and each group written as 4 base62 digits
    (the leftmost group unpadded), so decoding reverses that group by group.
    """
    if not mblogid:
        raise WorkUrlError("空的微博短 id")
    parts: list[str] = []
    rest = mblogid
    while rest:
        chunk, rest = rest[-4:], rest[:-4]
        digits = str(_b62_decode(chunk))
        if rest and len(digits) > 7:
            raise WorkUrlError(f"不是微博短 id: {mblogid!r}")
        parts.append(digits.rjust(7, "0") if rest else digits)
    return "".join(reversed(parts))


def mid_to_mblogid(mid: str) -> str:
    """The numeric ``mid`` -> Weibo's base62 short id (inverse of :func:`mblogid_to_mid`)."""
    if not mid.isdigit():
        raise WorkUrlError(f"不是微博 mid: {mid!r}")
    parts: list[str] = []
    rest = mid
    while rest:
        chunk, rest = rest[-7:], rest[:-7]
        enc = _b62_encode(int(chunk))
        parts.append(enc.rjust(4, "0") if rest else enc)
    return "".join(reversed(parts))


# --- cleaning ------------------------------------------------------------------------------------

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'，。！？；、）】》「」]+", re.IGNORECASE)
_BARE_HOST = re.compile(
    r"(?:^|(?<=[\s:：【（(]))((?:[a-z0-9-]+\.)+(?:com|cn|tv|net)(?:/[^\s<>\"'，。！？；、）】》]*)?)",
    re.IGNORECASE,
)
_FULLWIDTH = str.maketrans({"：": ":", "／": "/", "？": "?", "＝": "=", "＆": "&", "．": "."})


def extract_url(text: str | None) -> str | None:
    """The first link in a spreadsheet cell (share text around it, no scheme, ``&amp;``...)."""
    if text is None:
        return None
    cleaned = html.unescape(str(text)).translate(_FULLWIDTH).strip()
    if not cleaned:
        return None
    m = _URL_IN_TEXT.search(cleaned)
    if m:
        return m.group(0).rstrip(".,;)")
    m = _BARE_HOST.search(cleaned)
    if m:
        return "https://" + m.group(1).rstrip(".,;)")
    return None


# --- short links ---------------------------------------------------------------------------------

_SHORT_HOSTS: dict[str, str | None] = {
    "v.douyin.com": "douyin",
    "b23.tv": "bilibili",
    "bili2233.cn": "bilibili",
    "xhslink.com": "xiaohongshu",
    "v.kuaishou.com": "kuaishou",
    "t.cn": None,
    "url.cn": None,
}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def short_link_platform(url: str) -> tuple[bool, str | None]:
    """(is it a short link, the platform it belongs to when the host says so)."""
    host = _host(url)
    if host.startswith("www."):
        host = host[4:]
    if host in _SHORT_HOSTS:
        return True, _SHORT_HOSTS[host]
    path = urlsplit(url).path
    if host.endswith("kuaishou.com") and re.match(r"^/f/[\w-]+/?$", path):
        return True, "kuaishou"
    return False, None


# --- per platform --------------------------------------------------------------------------------


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if v and v[0]}


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def _weibo_id(raw: str) -> str:
    """A status id from a URL segment: digits are the mid, letters make it a base62 mblogid."""
    if raw.isdigit() and len(raw) >= 12:
        return raw
    if re.fullmatch(r"[0-9A-Za-z]{8,10}", raw):
        return mblogid_to_mid(raw)
    raise WorkUrlError(f"微博链接中的 id 无法识别: {raw!r}")


def _weibo(url: str) -> WorkRef:
    segs = _segments(url)
    q = _query(url)
    host = _host(url)
    uid = None
    raw = None
    if host.startswith("share.api.weibo.cn") and segs and "," in segs[-1]:
        raw = segs[-1].split(".")[0].split(",")[-1]
    elif q.get("weibo_id"):
        raw = q["weibo_id"]
    elif len(segs) >= 2 and segs[0] in ("detail", "status", "comment", "repost"):
        raw = segs[1]
    elif len(segs) >= 2 and segs[0].isdigit():
        uid, raw = segs[0], segs[1]
    elif len(segs) >= 2 and segs[0] in ("tv", "u", "p", "n") or "fid" in q:
        raise WorkUrlError("不是单条微博的链接（个人主页、视频页或话题页）；请提交博文链接")
    if raw is None:
        raise WorkUrlError(
            "微博链接中找不到博文 id（应为 weibo.com/<uid>/<id> 或 m.weibo.cn/detail/<id>）"
        )
    mid = _weibo_id(raw)
    return WorkRef("weibo", mid, f"https://m.weibo.cn/detail/{mid}", account_uid=uid)


def _douyin(url: str) -> WorkRef:
    segs = _segments(url)
    q = _query(url)
    for key in ("modal_id", "aweme_id", "vid"):
        if q.get(key, "").isdigit():
            return WorkRef("douyin", q[key], f"https://www.douyin.com/video/{q[key]}")
    for i, seg in enumerate(segs[:-1]):
        if seg in ("video", "note", "slides") and segs[i + 1].isdigit():
            kind = "note" if seg in ("note", "slides") else "video"
            pid = segs[i + 1]
            return WorkRef(
                "douyin",
                pid,
                f"https://www.douyin.com/{kind}/{pid}",
                content_type="image" if kind == "note" else "video",
            )
    if segs and segs[0] == "user":
        raise WorkUrlError("这是抖音用户主页，不是作品链接")
    raise WorkUrlError("抖音链接中找不到作品 id（应为 douyin.com/video/<数字 id>）")


def _kuaishou(url: str) -> WorkRef:
    segs = _segments(url)
    q = _query(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("short-video", "photo", "video"):
            pid = segs[i + 1]
            break
    if pid is None and q.get("photoId"):
        pid = q["photoId"]
    if pid is None and len(segs) == 3 and segs[0] == "u":  # live.kuaishou.com/u/<uid>/<photo>
        pid = segs[2]
    if pid is None or not re.fullmatch(r"[0-9A-Za-z_-]{6,40}", pid):
        raise WorkUrlError("快手链接中找不到作品 id（应为 kuaishou.com/short-video/<id>）")
    uid = q.get("authorId") or q.get("userId") or (segs[1] if segs[:1] == ["u"] else None)
    return WorkRef("kuaishou", pid, f"https://www.kuaishou.com/short-video/{pid}", account_uid=uid)


_BV_RE = re.compile(r"(BV1[0-9A-Za-z]{9})")
_AV_RE = re.compile(r"^av(\d+)$", re.IGNORECASE)


def _bilibili(url: str) -> WorkRef:
    q = _query(url)
    candidates = [*_segments(url), q.get("bvid", ""), q.get("aid", "")]
    for seg in candidates:
        m = _BV_RE.search(seg)
        if m and is_bvid(m.group(1)):
            bvid = m.group(1)
            return WorkRef(
                "bilibili", bvid, f"https://www.bilibili.com/video/{bvid}", content_type="video"
            )
        av = _AV_RE.match(seg) or (re.fullmatch(r"(\d+)", seg) if seg == q.get("aid") else None)
        if av:
            try:
                bvid = aid_to_bvid(int(av.group(1)))
            except ValueError as exc:
                raise WorkUrlError(f"B站 av 号无效: {seg!r}") from exc
            return WorkRef(
                "bilibili", bvid, f"https://www.bilibili.com/video/{bvid}", content_type="video"
            )
    raise WorkUrlError("B站链接中找不到视频 BV 号或 av 号")


def _zhihu(url: str) -> WorkRef:
    segs = _segments(url)
    host = _host(url)
    if host.startswith("zhuanlan.") and len(segs) >= 2 and segs[0] == "p" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://zhuanlan.zhihu.com/p/{segs[1]}", content_type="article"
        )
    if len(segs) >= 4 and segs[0] == "question" and segs[2] == "answer" and segs[3].isdigit():
        qid, aid = segs[1], segs[3]
        return WorkRef(
            "zhihu",
            aid,
            f"https://www.zhihu.com/question/{qid}/answer/{aid}",
            content_type="answer",
            context={"question_id": qid},
        )
    if len(segs) >= 2 and segs[0] == "answer" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://www.zhihu.com/answer/{segs[1]}", content_type="answer"
        )
    if len(segs) >= 2 and segs[0] == "zvideo" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://www.zhihu.com/zvideo/{segs[1]}", content_type="video"
        )
    if segs[:1] == ["question"]:
        raise WorkUrlError(
            "这是知乎问题页，不是回答；请提交回答链接（…/question/<id>/answer/<id>）"
        )
    raise WorkUrlError("知乎链接应为回答、专栏文章或视频（answer / zhuanlan / zvideo）")


_XHS_ID = re.compile(r"^[0-9a-f]{24}$")


def _xiaohongshu(url: str) -> WorkRef:
    segs = _segments(url)
    q = _query(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("explore", "item", "discovery") and _XHS_ID.match(segs[i + 1]):
            pid = segs[i + 1]
    uid = None
    if (
        pid is None
        and len(segs) == 4
        and segs[:2] == ["user", "profile"]
        and _XHS_ID.match(segs[3])
    ):
        uid, pid = segs[2], segs[3]
    if pid is None and q.get("noteId") and _XHS_ID.match(q["noteId"]):
        pid = q["noteId"]
    if pid is None:
        raise WorkUrlError("小红书链接中找不到笔记 id（应为 xiaohongshu.com/explore/<24 位 id>）")
    canonical = f"https://www.xiaohongshu.com/explore/{pid}"
    context = {}
    if q.get("xsec_token"):
        # Encoded again: the token is base64, and a bare "+" or "/" would not survive a re-read.
        canonical += "?" + urlencode(
            {"xsec_token": q["xsec_token"], "xsec_source": q.get("xsec_source", "pc_share")},
            quote_via=quote,
            safe="",
        )
        context["xsec_token"] = q["xsec_token"]
    return WorkRef("xiaohongshu", pid, canonical, account_uid=uid, context=context)


def _kepuchina(url: str) -> WorkRef:
    parts = urlsplit(url)
    m = re.search(r"(t\d{8}_\d+)\.s?html?$", parts.path)
    if m:
        return WorkRef(
            "kepuchina", m.group(1), f"https://www.kepuchina.cn{parts.path}", content_type="article"
        )
    q = _query(url)
    for key in ("ar_id", "article_id", "id", "contentId"):
        if q.get(key) and re.fullmatch(r"[\w-]{3,64}", q[key]):
            return WorkRef("kepuchina", q[key], url.split("#")[0], content_type="article")
    raise WorkUrlError("科普中国链接中找不到文章 id（应为 kepuchina.cn/…/tYYYYMMDD_N.shtml）")


def _xuexi(url: str) -> WorkRef:
    q = _query(url)
    for key in ("id", "item_id", "art_id", "itemId"):
        value = q.get(key)
        if value and value.isdigit():
            return WorkRef(
                "xuexi",
                value,
                f"https://www.xuexi.cn/lgpage/detail/index.html?id={value}&item_id={value}",
                content_type="article",
            )
    segs = _segments(url)
    m = re.search(r"/data/app/(\d+)\.js$", urlsplit(url).path)
    if m:
        value = m.group(1)
        return WorkRef(
            "xuexi",
            value,
            f"https://www.xuexi.cn/lgpage/detail/index.html?id={value}&item_id={value}",
            content_type="article",
        )
    if segs and re.fullmatch(r"[0-9a-f]{32}\.html", segs[-1]):
        return WorkRef("xuexi", segs[-1][:-5], url.split("#")[0], content_type="article")
    raise WorkUrlError(
        "学习强国链接中找不到文章 id（应为 xuexi.cn/lgpage/detail/index.html?id=<id>）"
    )


_QQ_ID = re.compile(r"^[0-9A-Za-z]{12,24}$")


def _qqnews(url: str) -> WorkRef:
    segs = _segments(url)
    q = _query(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("a", "k", "cmsid", "page") and _QQ_ID.match(segs[i + 1]):
            pid = segs[i + 1]
    if pid is None and segs[:1] == ["omn"] and segs:
        stem = segs[-1].split(".")[0]
        pid = stem if _QQ_ID.match(stem) else None
    if pid is None and q.get("id") and _QQ_ID.match(q["id"]):
        pid = q["id"]
    if pid is None:
        raise WorkUrlError("腾讯新闻链接中找不到文章 id（应为 news.qq.com/rain/a/<id>）")
    return WorkRef("qqnews", pid, f"https://news.qq.com/rain/a/{pid}", content_type="article")


def _tiktok(url: str) -> WorkRef:
    segs = _segments(url)
    for i, seg in enumerate(segs[:-1]):
        if seg in ("video", "photo") and segs[i + 1].isdigit():
            user = segs[i - 1] if i and segs[i - 1].startswith("@") else None
            pid = segs[i + 1]
            canonical = f"https://www.tiktok.com/{user or '@'}/video/{pid}"
            return WorkRef("tiktok", pid, canonical)
    raise WorkUrlError("TikTok 链接中找不到视频 id")


_HOSTS: tuple[tuple[str, str, Callable[[str], WorkRef]], ...] = (
    (r"(^|\.)(weibo\.com|weibo\.cn)$", "weibo", _weibo),
    (r"(^|\.)(douyin\.com|iesdouyin\.com)$", "douyin", _douyin),
    (r"(^|\.)(kuaishou\.com|gifshow\.com|chenzhongtech\.com)$", "kuaishou", _kuaishou),
    (r"(^|\.)(bilibili\.com|b23\.tv)$", "bilibili", _bilibili),
    (r"(^|\.)zhihu\.com$", "zhihu", _zhihu),
    (r"(^|\.)(xiaohongshu\.com|rednote\.com)$", "xiaohongshu", _xiaohongshu),
    (r"(^|\.)kepuchina\.cn$", "kepuchina", _kepuchina),
    (r"(^|\.)xuexi\.cn$", "xuexi", _xuexi),
    (
        r"(^|\.)(news\.qq\.com|new\.qq\.com|inews\.qq\.com|xw\.qq\.com|om\.qq\.com)$",
        "qqnews",
        _qqnews,
    ),
    (r"(^|\.)tiktok\.com$", "tiktok", _tiktok),
)


def platform_of_host(url: str) -> str | None:
    """The platform a URL's host belongs to, or None."""
    host = _host(url)
    for pattern, platform, _ in _HOSTS:
        if re.search(pattern, host):
            return platform
    return None


def parse_work_url(text: str) -> WorkRef:
    """The work a link names. Raises :class:`WorkUrlError` (or :class:`ShortLinkError`)."""
    url = extract_url(text)
    if url is None:
        raise WorkUrlError(f"不是链接: {str(text).strip()[:80]!r}")
    try:
        host = _host(url)
    except ValueError as exc:
        raise WorkUrlError(f"链接格式错误: {url[:80]!r}") from exc
    if not host:
        raise WorkUrlError(f"链接没有域名: {url[:80]!r}")
    short, platform = short_link_platform(url)
    if short and platform == "bilibili" and _BV_RE.search(url):
        return _bilibili(url)  # b23.tv/BV1... names the video itself
    if short:
        raise ShortLinkError(f"短链接需要联网解析: {url}", platform=platform, url=url)
    for pattern, _platform, parse in _HOSTS:
        if re.search(pattern, host):
            return parse(url)
    raise WorkUrlError(f"不支持的平台域名 {host!r}")


class RedirectClient(Protocol):
    """What following a short link needs (``tracker.http.HttpClient`` provides it)."""

    def resolve_redirect(self, url: str) -> str: ...


class UrlResolver:
    """:func:`parse_work_url` plus following short links when a client is given.

    ``client_for(platform)`` returns the HTTP client to follow a link with (``platform`` is None
    for generic shorteners such as ``t.cn``); without it a short link stays a
    :class:`ShortLinkError`, so an import never touches the network unless asked to.
    """

    def __init__(self, client_for: Callable[[str | None], RedirectClient] | None = None) -> None:
        self.client_for = client_for
        self.followed = 0

    def resolve(self, text: str) -> WorkRef:
        try:
            return parse_work_url(text)
        except ShortLinkError as exc:
            if self.client_for is None:
                raise
            try:
                final = self.client_for(exc.platform).resolve_redirect(exc.url)
            except ConnectorError as err:
                raise WorkUrlError(f"短链接无法打开: {exc.url}: {err}") from err
            self.followed += 1
            short, _ = short_link_platform(final)
            if short:
                raise WorkUrlError(f"短链接没有跳转到作品页: {exc.url}") from None
            return parse_work_url(final)
