"""Weibo response bodies -> records (pure; no I/O).

Shapes read here, all from the platform's own JSON:

- m.weibo.cn ``api/container/getIndex`` (search ``100103type=...`` and topic ``231522type=1...``):
  ``ok`` + ``data.cards[]``; posts are ``card_type`` 9 cards, sometimes nested in the
  ``card_group`` of a ``card_type`` 11 card; ``data.cardlistInfo`` has ``total`` and the next
  ``page`` (null at the end). A profile container carries ``data.userInfo`` instead.
- weibo.com ``ajax/statuses/show`` (one status, top level) used to refresh metrics.
- weibo.com ``ajax/statuses/longtext`` (``data.longTextContent``): the full text of a post whose
  ``mblog.text`` is cut (``isLongText``). The campaign tag is often at the end of a long post,
  i.e. exactly in the part the search page cuts off, so the client fetches it and hands it to
  :func:`parse_get_index` through ``long_texts``. Read on its own (a saved body, a capture) it
  is a :class:`PostDetail`, never a post: it has no URL, type, time or counts.
- weibo.com ``ajax/profile/info`` (``data.user``): one account with its follower count.

The same ``mblog`` dict appears in all post shapes (m.weibo.cn and weibo.com spell a few fields
differently: ``page_info.type`` / ``object_type``, ``text`` / ``text_raw``); one function reads both.

Publish time: ``created_at`` is the full ``Wed Dec 18 00:00:08 +0800 2024`` on weibo.com but a
display text on m.weibo.cn lists ("04-24", "昨天 15:51", "3小时前") with no year or seconds.
Every numeric mid encodes its creation second (:func:`mid_time`), so a display text only decides
the time when the id cannot; ``published_at_source`` records which one did.

Super-topics (超话) are tags spelled ``#名字[超话]#``: weibo.com puts that spelling in ``text_raw``
and in the ``title`` of the link icon in ``text``. They are stored as the tag ``#名字#`` and their
names are kept in ``context["super_topics"]`` (a JSON list).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors._common import reject, strict_id
from connectors.base import Endpoint
from connectors.weibo.ids import mblogid_to_mid
from connectors.workref import WorkUrlError
from tracker.errors import ParseError
from tracker.normalize.counts import lower_bounded, parse_count
from tracker.normalize.tags import extract_hashtags
from tracker.normalize.text import strip_html
from tracker.normalize.times import parse_time
from tracker.records import (
    AccountRecord,
    Metrics,
    ParsedPage,
    PostDetail,
    PostRecord,
    RecordError,
)

PLATFORM = "weibo"

_reject = partial(reject, PLATFORM, sort_keys=True)
"""Rejects of this platform; its payloads have always been stored with sorted keys."""

__all__ = [
    "ENDPOINTS",
    "PLATFORM",
    "long_text_content",
    "long_text_requests",
    "mid_time",
    "parse_comments",
    "parse_get_index",
    "parse_longtext",
    "parse_profile_info",
    "parse_status_show",
    "status_long_text_requests",
    "unwrap",
]

# A topic link in mblog.text: <a ...><span class="surl-text">#话题#</span></a>.
_SURL_TOPIC_RE = re.compile(r"""<span\s+class=["']?surl-text["']?\s*>\s*(#[^<>#]+#)\s*</span>""")
# The "全文" (full text) link m.weibo.cn appends to a cut text; it is navigation, not content.
_FULL_TEXT_LINK_RE = re.compile(
    r"""<a\b[^>]*href=["'][^"']*/status/[^"']*["'][^>]*>\s*全文\s*</a>"""
)
# A super-topic link on weibo.com: <a ...><img class="icon-link" title="#名字[超话]#" .../>名字超话</a>;
# the tag is only in the icon's title (the link text has no '#').
_ICON_TOPIC_RE = re.compile(r"""<img\b[^>]*\btitle=["'](#[^"'<>#]+#)["']""")
_SUPER_TOPIC_MARK = "[超话]"
# The "展开" (expand) control weibo.com ends a cut text with, and the "..." before it:
# HTML '代代 ​​​ ...<span class="expand">展开</span>', plain '... 展开'.
_HTML_EXPANDER_RE = re.compile(
    r"""\s*(?:\.\.\.|…)?\s*<span\s+class=["']?expand["']?\s*>\s*展开\s*</span>\s*$"""
)
_RAW_EXPANDER_RE = re.compile(r"(?:\.\.\.|…)?\s*展开$")
# Blank and zero-width characters around a text (weibo.com ends posts with three U+200B).
_EDGE_CHARS = " \t\r\n\u00a0\u200b\u200c\u200d\u2060\ufeff"
# The full created_at of weibo.com and of detail pages; anything else is a display text.
_FULL_CREATED_AT_RE = re.compile(
    r"\s*[A-Za-z]{3},?\s+[A-Za-z]{3}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+[+-]\d{4}\s+\d{4}\s*"
)
# Mid -> creation time: (mid >> 22) + this offset is the Unix second (exact to 0-1 s).
_MID_EPOCH_OFFSET = 515_483_463
# Weibo opened on 2009-08-14: an id that decodes to an earlier time carries none (the small
# ids of hand-made test bodies).
_WEIBO_LAUNCH = datetime(2009, 8, 14, tzinfo=UTC)
# How far past the capture a decoded time may be (clock skew between Weibo and the capture).
_MID_FUTURE_SLACK = timedelta(days=1)
# Leading number of a display string such as "1.2万次播放" / "3456次观看".
_LEADING_COUNT_RE = re.compile(r"^\s*([0-9][0-9.,]*\s*(?:万|亿|w|W)?\+?)")
# Fields of the actionlog "ext" string in a longtext url_struct: "mid:123|miduid:456|...".
_EXT_FIELD_RE = re.compile(r"(?:^|\|)(mid|miduid):(\d+)")
# Weibo messages that mean "no such post" rather than a failure.
_NOT_FOUND_WORDS = ("不存在", "已被删除", "已删除", "删除了", "暂无查看权限")
_NOT_FOUND_CODES = {20101, 20112}


class _ItemError(ValueError):
    """One item of a page cannot become a record; the message is the reject reason."""


# ---------------------------------------------------------------------------------------------
# envelopes and small readers


def unwrap(body: Any) -> dict[str, Any]:
    """The platform body inside third-party API envelopes such as ``{"code":200,"data":{...}}``.

    Weibo's own bodies carry ``ok`` at the top (or, for ``statuses/show``, are the status itself),
    so an envelope is recognised as a dict with ``code`` and a dict ``data`` but no ``ok``.
    """
    if not isinstance(body, dict):
        raise ParseError(
            f"weibo: expected a JSON object, got {type(body).__name__}", platform=PLATFORM
        )
    obj: dict[str, Any] = body
    for _ in range(3):
        inner = obj.get("data")
        if "ok" in obj or not isinstance(inner, dict) or "code" not in obj:
            break
        if "mblogid" in obj or "idstr" in obj:  # a status that happens to have "code"
            break
        obj = inner
    return obj


def _count(value: Any, field: str) -> int | None:
    try:
        return parse_count(value)
    except ValueError as exc:
        raise _ItemError(f"{field}: {exc}") from exc


def _display_count(value: Any, field: str) -> int | None:
    """A count inside display text ("1.2万次播放"); ints pass straight through."""
    if value is None or isinstance(value, int | float):
        return _count(value, field)
    if not isinstance(value, str):
        raise _ItemError(f"{field}: unsupported value {value!r}")
    if not value.strip():
        return None
    m = _LEADING_COUNT_RE.match(value)
    if m is None:
        raise _ItemError(f"{field}: no number in {value!r}")
    return _count(m.group(1), field)


def _plain(value: Any) -> str | None:
    """A plain-text field (``page_info.title``): trimmed, never HTML-stripped, so a title that
    literally contains ``<...>`` keeps it."""
    return value.strip() or None if isinstance(value, str) else None


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------------
# accounts


def _account(user: Mapping[str, Any], seen_at: datetime) -> AccountRecord:
    uid = strict_id(user.get("idstr")) or strict_id(user.get("id"))
    if uid is None:
        raise _ItemError("user.id: missing")
    followers = _count(user.get("followers_count"), "user.followers_count")
    if followers is None and user.get("followers_count_str") is not None:
        followers = _count(user.get("followers_count_str"), "user.followers_count_str")
    verified = user.get("verified")
    verified_type = user.get("verified_type")
    verify_type = None
    if verified_type is not None and not isinstance(verified_type, bool):
        # -1 is how Weibo spells "not verified"; other values are kept verbatim (0 = individual).
        verify_type = None if str(verified_type) == "-1" else str(verified_type)
    name = _plain(user.get("screen_name"))
    try:
        return AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=name,
            url=f"https://weibo.com/u/{uid}",
            followers=followers,
            verified=verified if isinstance(verified, bool) else None,
            verify_type=verify_type,
            seen_at=seen_at,
        )
    except RecordError as exc:
        raise _ItemError(f"user: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# posts


def _mblog_ids(mblog: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(mid, mblogid): the numeric id and the base62 one used in weibo.com URLs."""
    mid = strict_id(mblog.get("id")) or strict_id(mblog.get("mid")) or strict_id(mblog.get("idstr"))
    bid = strict_id(mblog.get("bid")) or strict_id(mblog.get("mblogid"))
    return mid, bid


def _page_kind(info: Any) -> str | None:
    """The kind of a ``page_info`` ("video", "live" or "article"), whichever field names it.

    m.weibo.cn writes the kind in ``type`` ("video"); weibo.com writes a number there ("11" for
    a video card) and the kind in ``object_type``. Reading ``type`` first typed every weibo.com
    video as text and dropped its views, so the first field with a known kind wins.
    """
    if not isinstance(info, dict):
        return None
    for key in ("object_type", "type"):
        kind = info.get(key)
        if kind in ("video", "live", "article"):
            return str(kind)
    return None


def _content_type(mblog: Mapping[str, Any]) -> str:
    if isinstance(mblog.get("retweeted_status"), dict):
        return "repost"
    kind = _page_kind(mblog.get("page_info"))
    if kind is not None:
        return kind
    pics = mblog.get("pics") or mblog.get("pic_ids") or mblog.get("pic_infos")
    pic_num = mblog.get("pic_num")
    if pics or (isinstance(pic_num, int) and not isinstance(pic_num, bool) and pic_num > 0):
        return "image"
    return "text"


def _video_fields(info: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(views, duration_s) of a video ``page_info``; None where the body does not say."""
    media = info["media_info"] if isinstance(info.get("media_info"), dict) else {}
    views = None
    if media.get("online_users_number") is not None:
        views = _count(media.get("online_users_number"), "page_info.media_info.online_users_number")
    elif info.get("play_count") is not None:
        views = _display_count(info.get("play_count"), "page_info.play_count")
    elif media.get("online_users") is not None:
        views = _display_count(media.get("online_users"), "page_info.media_info.online_users")
    raw_duration = media.get("duration", info.get("duration"))
    duration = None
    if raw_duration is not None and raw_duration != "":
        try:
            seconds = float(raw_duration)
        except (TypeError, ValueError) as exc:
            raise _ItemError(
                f"page_info.media_info.duration: not a number {raw_duration!r}"
            ) from exc
        if seconds < 0 or not math.isfinite(seconds):  # NaN and Infinity are read by json
            raise _ItemError(f"page_info.media_info.duration: invalid {raw_duration!r}")
        duration = int(round(seconds))
    return views, duration


def _tidy(text: str | None) -> str | None:
    """Trim blanks and the zero-width characters Weibo pads texts with; empty is None."""
    return (text or "").strip(_EDGE_CHARS) or None


def _excerpt_text(mblog: Mapping[str, Any], html_text: str | None) -> str | None:
    """The post's own text when no full text is known: ``text_raw`` (weibo.com, plain, with the
    ``#x[超话]#`` spellings the HTML hides in icons) or the HTML ``text`` stripped.

    A cut text (``isLongText``) ends in navigation, not content: m.weibo.cn's "全文" link, weibo.com's
    "... 展开" expander. Both are removed; the excerpt is otherwise kept as the platform shows it.
    """
    raw = mblog.get("text_raw")
    cut = bool(mblog.get("isLongText"))
    if isinstance(raw, str):
        raw = _tidy(raw) or ""
        return _tidy(_RAW_EXPANDER_RE.sub("", raw) if cut else raw)
    if not html_text:
        return None
    html_text = _FULL_TEXT_LINK_RE.sub("", html_text)
    if cut:
        html_text = _HTML_EXPANDER_RE.sub("", _tidy(html_text) or "")
    return _tidy(strip_html(html_text))


def _html_tags(html_text: str | None) -> list[str]:
    """Topic spellings the HTML carries outside its plain text: m.weibo.cn ``surl-text`` spans
    and weibo.com link icons titled ``#名字[超话]#`` (whose visible text is "名字超话")."""
    if not html_text:
        return []
    tags = [strip_html(m.group(1)) or "" for m in _SURL_TOPIC_RE.finditer(html_text)]
    tags.extend(m.group(1) for m in _ICON_TOPIC_RE.finditer(html_text))
    return tags


def _split_super_topics(spellings: Iterable[str]) -> tuple[list[str], list[str]]:
    """(tags, super-topic names): ``#名字[超话]#`` becomes the tag ``#名字#`` and the name ``名字``.

    A super-topic is a tag like any other for matching and display; only the marker is dropped
    (``tag_key`` ignores it too), and the names are kept so that it stays known as a super-topic.
    """
    tags: list[str] = []
    names: list[str] = []
    for spelling in spellings:
        inner = spelling.strip().strip("#＃").strip()
        if inner.endswith(_SUPER_TOPIC_MARK):
            name = inner[: -len(_SUPER_TOPIC_MARK)].strip()
            if name:
                names.append(name)
                tags.append(f"#{name}#")
            continue
        tags.append(spelling)
    return _dedupe(tags), _dedupe(names)


def _topic_context(super_topics: list[str]) -> dict[str, str]:
    return {"super_topics": json.dumps(super_topics, ensure_ascii=False)} if super_topics else {}


def _text_and_tags(
    mblog: Mapping[str, Any], long_text: str | None
) -> tuple[str | None, list[str], list[str]]:
    """(text, tags, super-topic names) of an mblog; a known full text replaces the excerpt."""
    html_text = mblog.get("text")
    if html_text is not None and not isinstance(html_text, str):
        raise _ItemError(f"text: expected a string, got {type(html_text).__name__}")
    spellings = _html_tags(html_text)
    for topic in mblog.get("topic_struct") or ():
        if isinstance(topic, dict) and isinstance(topic.get("topic_title"), str):
            title = topic["topic_title"].strip()
            if title:
                spellings.append(f"#{title}#")
    embedded = mblog.get("longText")
    if long_text is None and isinstance(embedded, dict):
        content = embedded.get("longTextContent")
        long_text = content if isinstance(content, str) and content else None
    if long_text is not None:
        text = _tidy(strip_html(long_text))
    else:
        text = _excerpt_text(mblog, html_text)
    if text:
        spellings.extend(extract_hashtags(text))
    tags, super_topics = _split_super_topics(spellings)
    return text, tags, super_topics


def mid_time(mid: str, *, not_after: datetime | None = None) -> datetime | None:
    """The creation time a numeric Weibo id encodes: ``(mid >> 22) + 515483463`` Unix seconds.

    Exact to 0-1 s on every real id checked (show-image's mid gives 00:00:09 for a post created
    at 00:00:08). None for ids that cannot carry it: not numeric, decoding to before Weibo
    existed, or later than ``not_after`` (the capture time) by more than a day.
    """
    if not mid.isascii() or not mid.isdigit():
        return None
    try:
        when = datetime.fromtimestamp((int(mid) >> 22) + _MID_EPOCH_OFFSET, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if when < _WEIBO_LAUNCH:
        return None
    if not_after is not None and when > not_after + _MID_FUTURE_SLACK:
        return None
    return when


def _published(created: Any, mid: str, captured_at: datetime) -> tuple[datetime | None, str | None]:
    """(time, source): a full ``created_at`` ("field"), else the mid ("id"), else the display
    text resolved to the latest such date before the capture ("display").

    A display date has no year ("04-24"), so on a body saved years later it lands in the wrong
    year; the mid cannot. A ``created_at`` that does not parse is still an error of the item.
    """
    shown = None
    if created is not None and created != "":
        try:
            shown = parse_time(created, now=captured_at)
        except ValueError as exc:
            raise _ItemError(f"created_at: {exc}") from exc
    full = isinstance(created, int | float) or (
        isinstance(created, str) and _FULL_CREATED_AT_RE.fullmatch(created) is not None
    )
    if shown is not None and full:
        return shown, "field"
    derived = mid_time(mid, not_after=captured_at)
    if derived is not None:
        return derived, "id"
    return shown, ("display" if shown is not None else None)


def _post(
    mblog: Mapping[str, Any],
    *,
    captured_at: datetime,
    source: str,
    long_texts: Mapping[str, str],
    repost_of: str | None,
) -> tuple[PostRecord, AccountRecord | None]:
    mid, bid = _mblog_ids(mblog)
    if mid is None:
        raise _ItemError("mblog.id: missing")
    user = mblog.get("user")
    if user is not None and not isinstance(user, dict):
        raise _ItemError(f"mblog.user: expected an object, got {type(user).__name__}")
    long_text = long_texts.get(mid) or (long_texts.get(bid) if bid else None)
    text, hashtags, super_topics = _text_and_tags(mblog, long_text)
    published_at, time_source = _published(mblog.get("created_at"), mid, captured_at)

    if user is None:
        # Weibo keeps a removed original inside reposts with "user": null and a notice as text.
        record = PostRecord(
            platform=PLATFORM,
            platform_post_id=mid,
            captured_at=captured_at,
            url=f"https://m.weibo.cn/detail/{mid}",
            text=text,
            published_at=published_at,
            published_at_source=time_source,
            source=source,
            deleted=True,
        )
        return record, None

    account = _account(user, captured_at)
    content_type = "repost" if repost_of is not None else _content_type(mblog)
    info = mblog["page_info"] if isinstance(mblog.get("page_info"), dict) else {}
    views, duration = None, None
    title = None
    if content_type in ("video", "live"):
        views, duration = _video_fields(info)
        title = _plain(info.get("title"))
    elif content_type == "article":
        title = _plain(info.get("page_title")) or _plain(info.get("title"))
    if views is None and mblog.get("reads_count") is not None:
        views = _count(mblog.get("reads_count"), "reads_count")

    metrics = Metrics(
        views=views,
        likes=_count(mblog.get("attitudes_count"), "attitudes_count"),
        comments=_count(mblog.get("comments_count"), "comments_count"),
        shares=_count(mblog.get("reposts_count"), "reposts_count"),
        lower_bounds=lower_bounded(  # "100万+": a floor, not the count
            likes=mblog.get("attitudes_count"),
            comments=mblog.get("comments_count"),
            shares=mblog.get("reposts_count"),
        ),
    )
    url = f"https://m.weibo.cn/detail/{mid}"
    try:
        record = PostRecord(
            platform=PLATFORM,
            platform_post_id=mid,
            captured_at=captured_at,
            account_uid=account.platform_uid,
            url=url,
            title=title or None,
            text=text,
            content_type=content_type,
            published_at=published_at,
            published_at_source=time_source,
            hashtags=hashtags,
            repost_of=repost_of,
            duration_s=duration,
            metrics=metrics,
            followers_at_capture=account.followers,
            source=source,
            context=_topic_context(super_topics),
        )
    except RecordError as exc:
        raise _ItemError(str(exc)) from exc
    return record, account


class _PageBuilder:
    """Collects the records of one page, one post and one account per id."""

    def __init__(
        self, captured_at: datetime, source: str, long_texts: Mapping[str, str] | None
    ) -> None:
        self.page = ParsedPage()
        self.captured_at = captured_at
        self.source = source
        self.long_texts: Mapping[str, str] = long_texts or {}
        self._posts: set[str] = set()
        self._accounts: set[str] = set()

    def _keep(self, record: PostRecord, account: AccountRecord | None) -> None:
        if record.platform_post_id not in self._posts:
            self._posts.add(record.platform_post_id)
            self.page.posts.append(record)
        if account is not None and account.platform_uid not in self._accounts:
            self._accounts.add(account.platform_uid)
            self.page.accounts.append(account)

    def add_mblog(self, mblog: Any, location: str) -> None:
        """One mblog (and, for a repost, its original as a record of its own)."""
        if not isinstance(mblog, dict):
            self.page.rejects.append(_reject("mblog: expected an object", mblog, location))
            return
        repost_of = None
        original = mblog.get("retweeted_status")
        if isinstance(original, dict):
            repost_of, _ = _mblog_ids(original)
            try:
                self._keep(*self._post(original, None))
            except (_ItemError, RecordError) as exc:
                reason = f"retweeted_status: {exc}"
                self.page.rejects.append(_reject(reason, original, f"{location}.retweeted_status"))
        try:
            self._keep(*self._post(mblog, repost_of))
        except (_ItemError, RecordError) as exc:
            self.page.rejects.append(_reject(str(exc), mblog, location))

    def _post(
        self, mblog: Mapping[str, Any], repost_of: str | None
    ) -> tuple[PostRecord, AccountRecord | None]:
        return _post(
            mblog,
            captured_at=self.captured_at,
            source=self.source,
            long_texts=self.long_texts,
            repost_of=repost_of,
        )

    def add_account(self, user: Any, location: str) -> None:
        if not isinstance(user, dict):
            self.page.rejects.append(_reject("user: expected an object", user, location))
            return
        try:
            account = _account(user, self.captured_at)
        except _ItemError as exc:
            self.page.rejects.append(_reject(str(exc), user, location))
            return
        if account.platform_uid not in self._accounts:
            self._accounts.add(account.platform_uid)
            self.page.accounts.append(account)


def _iter_post_cards(cards: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """Every post card (``card_type`` 9), including those nested in ``card_group``s.

    Other card types (user cards, hot-topic strips, filters) are page furniture and skipped. The
    type is compared as a string because Weibo sends it as int or str depending on the card.
    """
    for i, card in enumerate(cards):
        location = f"{prefix}[{i}]"
        if not isinstance(card, dict):
            yield location, card
            continue
        if str(card.get("card_type")) == "9":
            yield location, card
        group = card.get("card_group")
        if isinstance(group, list):
            yield from _iter_post_cards(group, f"{location}.card_group")


def _is_empty_end(body: Mapping[str, Any]) -> bool:
    """``{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}``: the search has no (more) results."""
    data = body.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    msg = body.get("msg")
    return (isinstance(data, dict) and not cards) or (isinstance(msg, str) and "没有内容" in msg)


def _body_error(body: Mapping[str, Any], what: str) -> ParseError:
    detail = body.get("msg") or body.get("message") or body.get("errmsg")
    hint = f" ({detail})" if isinstance(detail, str) and detail else ""
    return ParseError(
        f"weibo {what}: unexpected body, ok={body.get('ok')!r}{hint}", platform=PLATFORM
    )


def parse_get_index(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    long_texts: Mapping[str, str] | None = None,
) -> ParsedPage:
    """A getIndex search, topic or profile container page.

    ``long_texts`` maps a post's mid or mblogid to its full text (from ``ajax/statuses/longtext``);
    posts found there get the full text and the hashtags in it. ``cursor`` is the next page
    number; ``has_more`` is False at the end (``cardlistInfo.page`` null, or no cards at all).
    """
    body = unwrap(body)
    ok = body.get("ok")
    if ok in (0, "0") and _is_empty_end(body):
        return ParsedPage(has_more=False)
    data = body.get("data")
    if ok not in (1, "1") or not isinstance(data, dict):
        raise _body_error(body, "getIndex")
    cards = data.get("cards")
    if cards is None and "userInfo" in data:
        cards = []
    if not isinstance(cards, list):
        raise ParseError("weibo getIndex: data.cards is not a list", platform=PLATFORM)

    builder = _PageBuilder(captured_at, source, long_texts)
    if "userInfo" in data:
        builder.add_account(data["userInfo"], "data.userInfo")
    for location, card in _iter_post_cards(cards, "data.cards"):
        if not isinstance(card, dict):
            builder.page.rejects.append(_reject("card: expected an object", card, location))
        elif "mblog" not in card:
            builder.page.rejects.append(_reject("card_type 9 without mblog", card, location))
        else:
            builder.add_mblog(card["mblog"], f"{location}.mblog")

    page = builder.page
    info = data["cardlistInfo"] if isinstance(data.get("cardlistInfo"), dict) else {}
    try:
        page.claimed_total = parse_count(info.get("total"))
    except ValueError:
        page.claimed_total = None
    if not cards:
        page.has_more = False
    elif "page" in info:
        next_page = info.get("page")
        page.has_more = next_page not in (None, "", 0, "0")
        page.cursor = str(next_page) if page.has_more else None
    else:
        page.has_more = True
    return page


def _wanted_long_texts(mblog: Any, wanted: list[tuple[str, str]], seen: set[str]) -> None:
    if not isinstance(mblog, dict):
        return
    for item in (mblog.get("retweeted_status"), mblog):
        if not isinstance(item, dict) or not item.get("isLongText"):
            continue
        if isinstance(item.get("longText"), dict):  # already embedded (detail pages)
            continue
        mid, bid = _mblog_ids(item)
        if mid and mid not in seen:
            seen.add(mid)
            wanted.append((mid, bid or mid))


def long_text_requests(body: Any) -> list[tuple[str, str]]:
    """(mid, mblogid) of every cut post in a getIndex body, originals of reposts included.

    The client fetches ``ajax/statuses/longtext?id=<mblogid>`` for these before parsing. Malformed
    bodies yield an empty list: the parse that follows reports them.
    """
    try:
        body = unwrap(body)
    except ParseError:
        return []
    data = body.get("data")
    cards = data.get("cards") if isinstance(data, dict) else None
    if not isinstance(cards, list):
        return []
    wanted: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _, card in _iter_post_cards(cards, "data.cards"):
        if isinstance(card, dict):
            _wanted_long_texts(card.get("mblog"), wanted, seen)
    return wanted


def status_long_text_requests(body: Any) -> list[tuple[str, str]]:
    """Like :func:`long_text_requests` for a ``statuses/show`` body."""
    try:
        body = unwrap(body)
    except ParseError:
        return []
    status = body if "created_at" in body else body.get("data")
    wanted: list[tuple[str, str]] = []
    _wanted_long_texts(status, wanted, set())
    return wanted


def long_text_content(body: Any) -> str | None:
    """``data.longTextContent`` of a longtext body, or None when the body has none."""
    try:
        body = unwrap(body)
    except ParseError:
        return None
    data = body.get("data")
    if body.get("ok") not in (1, "1") or not isinstance(data, dict):
        return None
    content = data.get("longTextContent")
    return content if isinstance(content, str) and content.strip() else None


def _ids_from_url_struct(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(mid, author uid) named in a longtext's link log strings, when it has links."""
    links = data.get("url_struct")
    for link in links if isinstance(links, list) else ():
        if not isinstance(link, dict):
            continue
        log = link.get("actionlog")
        ext = log.get("ext") if isinstance(log, dict) else None
        if isinstance(ext, str):
            found = {m[1]: m[2] for m in _EXT_FIELD_RE.finditer(ext)}
            if "mid" in found:
                return found["mid"], found.get("miduid")
    return None, None


def parse_longtext(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
) -> ParsedPage:
    """A longtext body as a :class:`PostDetail` of its post: the full text, its tags, the author.

    Not a post: the body has no URL, type, time or counts, so it only completes a post that
    exists (or waits in the store until one does). The body does not carry the post's id except
    inside its link log strings; ``post_id`` (the request's ``id`` when known) wins.
    """
    body = unwrap(body)
    data = body.get("data")
    if body.get("ok") not in (1, "1") or not isinstance(data, dict):
        raise _body_error(body, "longtext")
    content = data.get("longTextContent")
    if not isinstance(content, str):
        raise ParseError("weibo longtext: data.longTextContent missing", platform=PLATFORM)
    mid, uid = _ids_from_url_struct(data)
    if post_id is not None:
        mid = post_id
    page = ParsedPage()
    if mid is None:
        page.rejects.append(_reject("longtext body names no post id (pass post_id)", body, "data"))
        return page
    text = _tidy(strip_html(content))
    tags, super_topics = _split_super_topics(extract_hashtags(text))
    page.details.append(
        PostDetail(
            platform=PLATFORM,
            platform_post_id=mid,
            captured_at=captured_at,
            account_uid=uid,
            text=text,
            hashtags=tags,
            context=_topic_context(super_topics),
            source=source,
        )
    )
    return page


def _is_not_found(body: Mapping[str, Any]) -> bool:
    if body.get("ok") not in (0, "0", -1, "-1"):
        return False
    code = body.get("error_code")
    if isinstance(code, int | str) and str(code).isdigit() and int(code) in _NOT_FOUND_CODES:
        return True
    msg = body.get("message") or body.get("msg") or ""
    return isinstance(msg, str) and any(word in msg for word in _NOT_FOUND_WORDS)


def parse_status_show(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    long_texts: Mapping[str, str] | None = None,
) -> ParsedPage:
    """``ajax/statuses/show``: one status at the top level (or under ``data``).

    A "no such post" answer becomes a ``deleted`` record when ``post_id`` is known (a refresh
    asked for it), else an empty page.
    """
    body = unwrap(body)
    if _is_not_found(body):
        page = ParsedPage(has_more=False)
        if post_id is not None:
            page.posts.append(
                PostRecord(
                    platform=PLATFORM,
                    platform_post_id=post_id,
                    captured_at=captured_at,
                    source=source,
                    deleted=True,
                )
            )
        return page
    status: Any = body
    if "created_at" not in body and isinstance(body.get("data"), dict):
        status = body["data"]
    if not isinstance(status, dict) or _mblog_ids(status)[0] is None:
        raise _body_error(body, "statuses/show")
    builder = _PageBuilder(captured_at, source, long_texts)
    builder.add_mblog(status, "status")
    builder.page.has_more = False
    return builder.page


def parse_profile_info(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``ajax/profile/info``: the account in ``data.user`` (followers as an exact int)."""
    del source  # accounts carry no source; kept for the common parse signature
    body = unwrap(body)
    data = body.get("data")
    if body.get("ok") not in (1, "1") or not isinstance(data, dict):
        raise _body_error(body, "profile/info")
    if not isinstance(data.get("user"), dict):
        raise ParseError("weibo profile/info: data.user missing", platform=PLATFORM)
    builder = _PageBuilder(captured_at, "live", None)
    builder.add_account(data["user"], "data.user")
    builder.page.has_more = False
    return builder.page


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Weibo response."""
    if "mblogid" in body or ("idstr" in body and "created_at" in body):
        return True
    data = body.get("data")
    if "ok" not in body or not isinstance(data, Mapping):
        return False
    user = data.get("user")
    return any(k in data for k in ("cards", "cardlistInfo", "longTextContent", "userInfo")) or (
        isinstance(user, Mapping) and "screen_name" in user
    )


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved Weibo body of any known shape (longtext, profile, one status, a card list)."""
    inner = unwrap(body)
    data = inner.get("data")
    if isinstance(data, Mapping) and "longTextContent" in data:
        return parse_longtext(inner, captured_at=captured_at, source=source)
    if isinstance(data, Mapping) and "user" in data and "cards" not in data:
        return parse_profile_info(inner, captured_at=captured_at, source=source)
    if (
        "created_at" in inner
        or "mblogid" in inner
        or (isinstance(data, Mapping) and "created_at" in data)
    ):
        return parse_status_show(inner, captured_at=captured_at, source=source)
    return parse_get_index(inner, captured_at=captured_at, source=source)


def hints_from_url(url: str) -> dict[str, str]:
    """``post_id`` from the request's ``id`` (a ``longtext``/``statuses/show`` body lacks it,
    and comments never name their post), and ``root_comment_id`` from a reply request's ``cid``.

    The ``id`` is often the base62 ``mblogid``; it is converted to the ``mid`` posts are keyed by.
    """
    query = parse_qs(urlsplit(url).query)
    hints: dict[str, str] = {}
    cid = (query.get("cid") or [""])[0]
    if cid.isdigit():
        hints["root_comment_id"] = cid
    raw = (query.get("id") or [""])[0]
    if not raw:
        return hints
    try:
        hints["post_id"] = raw if raw.isdigit() else mblogid_to_mid(raw)
    except WorkUrlError:
        pass
    return hints


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A comment or reply page (:mod:`connectors.weibo.comments`, imported when used: it builds
    on this module)."""
    from connectors.weibo.comments import parse_comments as parse

    return parse(
        body,
        captured_at=captured_at,
        source=source,
        post_id=post_id,
        root_comment_id=root_comment_id,
    )


def _url(hosts: str, path: str) -> re.Pattern[str]:
    """Real host or the simulator's ``/weibo`` mount, then the path, then the end or a query."""
    return re.compile(rf"(?:^https?://(?:{hosts})|/weibo){re.escape(path)}/?(?:[?#]|$)")


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        PLATFORM, "getIndex", _url(r"m\.weibo\.cn", "/api/container/getIndex"), parse_get_index
    ),
    Endpoint(
        PLATFORM,
        "statuses/longtext",
        _url(r"(?:www\.)?weibo\.com|m\.weibo\.cn", "/ajax/statuses/longtext"),
        parse_longtext,
    ),
    Endpoint(
        PLATFORM,
        "statuses/show",
        _url(r"(?:www\.)?weibo\.com", "/ajax/statuses/show"),
        parse_status_show,
    ),
    Endpoint(
        PLATFORM,
        "profile/info",
        _url(r"(?:www\.)?weibo\.com", "/ajax/profile/info"),
        parse_profile_info,
    ),
    Endpoint(
        PLATFORM, "comments/hotflow", _url(r"m\.weibo\.cn", "/comments/hotflow"), parse_comments
    ),
    Endpoint(
        PLATFORM,
        "comments/hotFlowChild",
        _url(r"m\.weibo\.cn", "/comments/hotFlowChild"),
        parse_comments,
    ),
)
