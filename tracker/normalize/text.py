"""Turn the HTML fragments platforms put in text fields into plain text.

Bilibili search titles wrap the hit in ``<em class="keyword">``; Weibo ``mblog.text`` carries topic
links, ``<br />`` line breaks and emoji as ``<img alt="[doge]">``. We keep the words a reader sees
(including the ``[doge]`` emoji codes, which are part of the post's voice) and nothing else. Regexes
rather than a full HTML parser: the fragments are small and well-formed, and this runs on every post.
"""

from __future__ import annotations

import html
import re

__all__ = ["clean_text", "strip_html"]

_DROP_BLOCK_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_BR_RE = re.compile(r"<br\s*/?\s*>", re.I)
_BLOCK_END_RE = re.compile(r"</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.I)
# Emoji images: Weibo writes <img alt=[doge] ...> or alt="[doge]"; keep the code, drop the image.
_EMOJI_IMG_RE = re.compile(r"""<img\b[^>]*?\balt\s*=\s*["']?(\[[^\]"'<>]{1,16}\])[^>]*>""", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_WS_RE = re.compile(r"\s+")


def strip_html(s: str | None) -> str | None:
    """Plain text of an HTML fragment: tags dropped, entities unescaped, ``<br>`` as newlines.

    Outer whitespace is trimmed; inner line breaks are kept (post bodies are shown as written).
    Text without markup is returned unchanged apart from the trim.
    """
    if s is None:
        return None
    if "<" in s:
        s = _DROP_BLOCK_RE.sub("", s)
        s = _BR_RE.sub("\n", s)
        s = _BLOCK_END_RE.sub("\n", s)
        s = _EMOJI_IMG_RE.sub(r"\1", s)
        s = _TAG_RE.sub("", s)
    if "&" in s:
        # After tag removal, so an escaped "&lt;em&gt;" survives as the literal text "<em>".
        s = html.unescape(s)
    return s.replace("\u00a0", " ").strip()


def clean_text(s: str | None) -> str | None:
    """One-line plain text for titles and names: HTML stripped, whitespace runs collapsed."""
    stripped = strip_html(s)
    if stripped is None:
        return None
    return _WS_RE.sub(" ", stripped).strip()
