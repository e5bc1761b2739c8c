"""The small Markdown subset readers may use, rendered to sanitised HTML.

markdown-it-py parses with raw HTML and images switched off; nh3 (ammonia)
then enforces an allow-list, so even a parser bug cannot emit a script.
"""

import re
from collections import Counter
from html import escape, unescape
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt

_COMMENT_TAGS = {"p", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "br"}
_SUMMARY_TAGS = _COMMENT_TAGS | {"h2", "h3"}

_comment_md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "link", "blockquote", "list", "backticks", "newline", "escape", "autolink"]
)
_summary_md = MarkdownIt("zero", {"html": False}).enable(
    ["emphasis", "link", "blockquote", "list", "backticks", "heading", "escape"]
)


def _clean(html: str, tags: set[str]) -> str:
    return nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    ).strip()


_WORD = re.compile(r"[^\W_]+")  # letters and digits: what Markdown's marks never are
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r'href="([^"]*)"')


def _words(text: str) -> Counter:
    # Numbers alone may be an ordered list's markers, which the list shows as its own.
    return Counter(word for word in _WORD.findall(text) if not word.isdigit())


def _loses_words(text: str, html: str) -> bool:
    """Whether a word of the source shows fewer times in the HTML, as text or in links."""
    links = " ".join(unquote(unescape(href)) for href in _HREF.findall(html))  # the parser encodes them
    shown = _words(unescape(_TAG.sub(" ", html))) + _words(links)
    return any(shown[word] < n for word, n in _words(text).items())


def _as_written(text: str) -> str:
    """The text in paragraphs and lines, without Markdown."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def render_comment(text: str) -> str:
    """Comment body → safe HTML: paragraphs, emphasis, links, quotes, lists, inline code.

    The parser drops what is nested past 20 levels (quotes in quotes, lists in
    lists); a comment that would lose words that way is shown as written instead."""
    html = _clean(_comment_md.render(text), _COMMENT_TAGS)
    return _clean(_as_written(text), _COMMENT_TAGS) if _loses_words(text, html) else html


def render_summary(text: str) -> str:
    """Article summary (written by staff) → safe HTML; also allows h2/h3."""
    return _clean(_summary_md.render(text), _SUMMARY_TAGS)
