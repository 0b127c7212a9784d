"""Hashtag normalisation and campaign matching.

The same campaign tag reaches us in many spellings: ``#千万IP创科普#`` (Weibo encloses topics in a
pair of ``#``), ``#千万ip创科普`` (Douyin lowercases ``hashtag_name``), ``＃千万ＩＰ创科普＃`` (full-width
input methods), ``#千万 IP 创科普#``, ``千萬IP創科普`` (traditional script) and ``#千万IP创科普[话题]#``
(Xiaohongshu's topic marker). :func:`tag_key` folds them all to one key so that matching is a set
lookup, while the displayed text is never rewritten.

A *different* tag must stay different: ``#千万IP创科普大赛#`` is not the campaign tag, so matching in
free text is "the key, then a terminator", never a substring search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

__all__ = ["CampaignMatcher", "extract_hashtags", "tag_key", "to_simplified", "unique_tags"]

# Characters that start a hashtag in raw text: ASCII, full-width and small number signs (all NFKC to '#').
HASH_CHARS = frozenset("#＃﹟")

# Zero-width characters that sneak into copied tags (ZWSP, ZWNJ, ZWJ, word joiner, BOM).
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_RE = re.compile(rf"[\s{_ZERO_WIDTH}]+")

# Marker suffixes that decorate a topic name without being part of it (XHS ``[话题]``, Weibo's
# super-topic ``#名字[超话]#``): without the second, "#演员丁勇岱[超话]#" was cut at the '['.
_MARKER_SUFFIXES = ("[话题]", "[超话]")

# Punctuation and brackets that end an open (``#tag``-style) hashtag. ASCII and CJK forms both.
_TERMINATOR_PUNCT = frozenset(
    ",.!?;:'\"()[]{}<>/\\|~`@$%^&*=+"
    "，。！？；：、…·‘’“”（）【】《》〈〉「」『』〔〕［］｛｝｜～＠＄％＾＆＊＝＋／＼"
    "\u3000"
)

# Longest content accepted between an opening and a closing '#'. Real Weibo topics are short; a
# longer span is far more likely to be two unrelated open tags with text between them.
_MAX_ENCLOSED = 40


_HASH_RE = re.compile("[#＃﹟]")
_TERMINATORS = frozenset(_TERMINATOR_PUNCT | HASH_CHARS | frozenset(_ZERO_WIDTH))


def _is_space(c: str) -> bool:
    return c.isspace() or c in _ZERO_WIDTH


def _is_terminator(c: str) -> bool:
    """A character that ends an open hashtag (whitespace, a hash sign or punctuation)."""
    return c in _TERMINATORS or c.isspace()


def _strip_markers(s: str) -> str:
    """Drop enclosing/leading/trailing '#' and topic-marker suffixes, repeatedly (they nest)."""
    while True:
        before = s
        s = s.strip("#")
        for suffix in _MARKER_SUFFIXES:
            if s.endswith(suffix):
                s = s[: -len(suffix)]
        if s == before:
            return s


def to_simplified(s: str) -> str:
    """Traditional characters as simplified ones. The converter is imported on first use:
    importing it loads ``pkg_resources`` (about 0.1 s), which every command that folds no text
    (``status``, ``rank``, ``report``...) would otherwise pay at each start."""
    import zhconv

    simplified: str = zhconv.convert(s, "zh-cn")
    return simplified


def _tag_key_once(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = _INVISIBLE_RE.sub("", s)
    s = s.casefold()
    s = to_simplified(s)
    return _strip_markers(s)


@lru_cache(maxsize=65536)
def tag_key(s: str) -> str:
    """The matching key of a tag spelling; equal keys mean "the same tag".

    NFKC -> drop all whitespace and zero-width characters -> casefold -> traditional to simplified
    -> strip the '#' enclosure and ``[话题]`` markers. Repeated until stable so the function is
    idempotent even for the odd code point where casefold/NFKC/zhconv do not commute. Cached: the
    same few tags are keyed for every collected post.
    """
    key = _tag_key_once(s)
    for _ in range(4):
        again = _tag_key_once(key)
        if again == key:
            break
        key = again
    return key


def unique_tags(tags: Iterable[str]) -> list[str]:
    """The tags as given, one per tag key, in first-seen order.

    ``千万IP创科普`` and ``#千万ip创科普`` find the same works, so searching both would only repeat
    pages: the collect service and the connectors that search by tag both ask once per key. A
    tag with no key (blank, only ``#``) is dropped.
    """
    by_key: dict[str, str] = {}
    for tag in tags:
        key = tag_key(tag)
        if key:
            by_key.setdefault(key, tag)
    return list(by_key.values())


def _split_marker(text: str, end: int) -> int:
    """If ``text[end:]`` starts with an XHS ``[话题]`` marker, return the index after it."""
    for suffix in _MARKER_SUFFIXES:
        if text.startswith(suffix, end):
            return end + len(suffix)
    return end


def _looks_enclosed(text: str, start: int, close: int) -> bool:
    """Whether ``text[start:close]`` (between two '#') reads as one Weibo-style enclosed topic.

    Punctuation or an XHS ``[话题]`` inside is fine (``#在抖音，记录美好生活#``). Inner whitespace is
    accepted only when the closing '#' is followed by a terminator, because ``#科普 今天讲黑洞#千万IP``
    is far more often two open tags with words between them than one topic.
    """
    if close - start > _MAX_ENCLOSED or _is_space(text[close - 1]):
        return False
    content = text[start:close]
    if content[-1] in _TERMINATOR_PUNCT and not content.endswith(_MARKER_SUFFIXES):
        return False  # "#科普；#天文": the ';' ended an open tag, the '#' opens the next one
    if "\n" in content:
        return False
    if not any(_is_space(c) for c in content):
        return True
    follow = close + 1
    return follow >= len(text) or _is_terminator(text[follow])


def extract_hashtags(text: str | None) -> list[str]:
    """Hashtags written in free text, as raw spellings (with their '#' signs), first-seen order.

    Handles the Weibo enclosure ``#话题#`` (which may contain spaces or punctuation), open tags
    ``#话题`` ended by whitespace, the next '#', punctuation or a bracket (Douyin, Kuaishou,
    Bilibili, XHS), XHS ``#话题[话题]#`` and full-width ``＃``. A tag met again in another
    spelling (same :func:`tag_key`) is dropped: the first spelling stands for it.

    Tags made of digits only are skipped (episode numbers such as ``#44`` in Bilibili titles).

    Ambiguity: ``#甲#乙`` is both "Weibo topic 甲 followed by text 乙" and "Douyin tags 甲 and 乙".
    A closing '#' is reused as the opener of another tag only when that tag also ends at a '#',
    whitespace or the end of the text (Douyin chains such as ``#养猫人#猫咪#可爱``), so Weibo text
    such as ``#千万IP创科普#今天学到了，...`` does not turn the sentence into a tag.
    """
    if not text:
        return []
    hashes = [m.start() for m in _HASH_RE.finditer(text)]
    if not hashes:
        return []
    found: list[str] = []
    seen: set[str] = set()

    def emit(raw: str) -> None:
        key = tag_key(raw)
        # Digits only ("第二集#15", "#44") is an episode number or a colour, not a topic.
        # One entry per key: "#高考加油#冲刺！#高考加油#" reads an open "#高考加油" first, and
        # the closed one later is the same tag, not a second one.
        if key and not key.isdigit() and key not in seen:
            seen.add(key)
            found.append(raw)

    n = len(text)
    k = 0
    after_close = False  # the hash at hashes[k] just closed a tag (see the ambiguity note)
    while k < len(hashes):
        h = hashes[k]
        nxt = hashes[k + 1] if k + 1 < len(hashes) else None
        start = h + 1
        if start >= n or _is_terminator(text[start]):
            k += 1
            after_close = False
            continue
        end = start  # open run: characters up to the first terminator
        while end < n and not _is_terminator(text[end]):
            end += 1
        if nxt is not None and end == nxt:
            # "#甲#": a tag either way; is that '#' a closer or the opener of a chained tag?
            # It closes when followed by a terminator; "#甲##乙#" is two enclosed topics.
            follow = nxt + 1
            closes = follow >= n or _is_terminator(text[follow])
            if closes and not after_close:
                emit(text[h : nxt + 1])
                k += 2
            else:
                emit(text[h:end])
                k += 1
                after_close = True
                continue
        elif not after_close and nxt is not None and _looks_enclosed(text, start, nxt):
            emit(text[h : nxt + 1])  # Weibo "#千万 IP 创科普#", XHS "#x[话题]#"
            k += 2
        elif not after_close or end == n or _is_space(text[end]):
            # After a closer, a run ended by punctuation is a sentence, not a chained tag.
            emit(text[h : _split_marker(text, end)])
            k += 1
        else:
            k += 1
        after_close = False
    return found


def _norm_char_uncached(c: str) -> str:
    """Per-character form of :func:`tag_key` used to walk free text without re-keying substrings."""
    if _is_space(c):
        return ""
    s = unicodedata.normalize("NFKC", c).casefold()
    return to_simplified(s)


class CampaignMatcher:
    """Decides which campaigns a post belongs to from its hashtags and its text.

    ``campaigns`` maps a campaign name to its tag spellings and aliases. Keys are computed once; a
    call does a set lookup per hashtag and one bounded trie walk per '#' in the text, so it is cheap
    enough to run on every collected post.

    Text rule: after a '#' (any width), skip whitespace and zero-width characters and follow the
    normalised characters; a campaign key matches when the walk completes it and the next raw
    character is a terminator (end of text, whitespace, '#', punctuation or a bracket). So
    ``#千万 IP 创科普 今天天气好`` matches while ``#千万IP创科普大赛`` does not.

    Limitation: the text walk applies the traditional-to-simplified conversion per character, so a
    traditional spelling that only converts as a phrase would match through ``hashtags`` only.
    """

    def __init__(self, campaigns: Mapping[str, Iterable[str]]) -> None:
        self._names: list[str] = list(campaigns)
        self._order = {name: i for i, name in enumerate(self._names)}
        self._by_key: dict[str, list[str]] = {}
        # Character -> child node; the "" key of a node holds the campaigns whose key ends there,
        # so a node's values are nodes or name lists (Any: the hot scan loop does no isinstance).
        self._trie: dict[str, Any] = {}
        for name in self._names:
            spellings = campaigns[name]
            if isinstance(spellings, str):  # a lone spelling, not an iterable of characters
                spellings = [spellings]
            for spelling in spellings:
                key = tag_key(spelling)
                if not key:
                    raise ValueError(f"campaign {name!r}: tag {spelling!r} has an empty key")
                names = self._by_key.setdefault(key, [])
                if name not in names:
                    names.append(name)
                node = self._trie
                for ch in key:
                    node = node.setdefault(ch, {})
                node[""] = self._by_key[key]  # terminal marker -> campaigns with this key
        self._norm_cache: dict[str, str] = {}

    @property
    def campaigns(self) -> list[str]:
        return list(self._names)

    def _norm(self, c: str) -> str:
        r = self._norm_cache.get(c)
        if r is None:
            r = _norm_char_uncached(c)
            if len(self._norm_cache) < 100_000:
                self._norm_cache[c] = r
        return r

    def _scan_text(self, text: str, hits: dict[str, str]) -> None:
        n = len(text)
        root = self._trie
        cache = self._norm_cache
        terminators = _TERMINATORS
        for m in _HASH_RE.finditer(text):
            h = m.start()
            node: Any = root  # a trie node, or None once the run leaves the trie
            i = h + 1
            while i < n:
                ch = text[i]
                if ch in HASH_CHARS:
                    break
                nc = cache.get(ch)
                if nc is None:
                    nc = self._norm(ch)
                if not nc:  # whitespace / zero-width: skipped inside the key run
                    if ch == "\n":
                        break
                    i += 1
                    continue
                for sub in nc:
                    node = node.get(sub)
                    if node is None:
                        break
                if node is None:
                    break
                i += 1
                names = node.get("")
                if names is not None and (i >= n or text[i] in terminators or text[i].isspace()):
                    end = _split_marker(text, i)
                    if end < n and text[end] in HASH_CHARS:
                        end += 1
                    for name in names:
                        hits.setdefault(name, text[h:end])

    def match(self, hashtags: Iterable[str], text: str | None) -> list[tuple[str, str]]:
        """``[(campaign name, raw spelling that matched)]``, one per campaign, in campaign order.

        A platform-provided hashtag wins over a text match for the reported spelling.
        """
        hits: dict[str, str] = {}
        by_key = self._by_key
        for tag in hashtags:
            if not tag:
                continue
            names = by_key.get(tag_key(tag))
            if names:
                for name in names:
                    hits.setdefault(name, tag)
        if text and len(hits) < len(self._names) and _HASH_RE.search(text):
            self._scan_text(text, hits)
        if len(hits) <= 1:
            return list(hits.items())
        order = self._order
        return sorted(hits.items(), key=lambda kv: order[kv[0]])
