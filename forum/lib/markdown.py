"""The small Markdown subset readers may use, rendered to sanitised HTML.

markdown-it-py parses with raw HTML and images switched off (linkify-it-py
finds the addresses pasted bare); nh3 (ammonia) then enforces an allow-list,
so even a parser bug cannot emit a script.
"""

import re
from html import escape

import nh3
from markdown_it import MarkdownIt

_COMMENT_TAGS = {"p", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "br"}
_SUMMARY_TAGS = _COMMENT_TAGS | {"h2", "h3"}

_comment_md = MarkdownIt("zero", {"html": False, "linkify": True, "breaks": True}).enable(
    ["emphasis", "link", "blockquote", "list", "backticks", "newline", "escape", "autolink", "linkify"]
)
# An address pasted as it is becomes a link when it says its scheme (https://…);
# a name that only looks like a host ("clearview.ai", "www.cnil.fr") stays text.
_comment_md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
# A reader's link goes to another site, an e-mail address or a place on the page
# ("#c12", another comment); anything else (a path on this site, "//host", a
# script) stays text, as written.
_COMMENT_LINK = re.compile(r"(?i)(?:https?://[^/\s]|mailto:|#[\w-]+$)")
_comment_md.validateLink = lambda url: _COMMENT_LINK.match(url) is not None
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


# What opens a line without being its text: quote marks and list markers, nested.
_MARKERS = re.compile(r"^(?:\s*(?:>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)))*\s*")


def _drops_lines(text: str, tokens) -> bool:
    """Whether a line with text in it belongs to no paragraph the parser made:
    what it drops past its nesting limit (20 levels of quotes in quotes, lists in lists)."""
    kept = set()
    for token in tokens:
        if token.type == "inline" and token.map:
            kept.update(range(*token.map))
    return any(i not in kept and _MARKERS.sub("", line).strip() for i, line in enumerate(text.split("\n")))


def _as_written(text: str) -> str:
    """The text in paragraphs and lines, without Markdown."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def render_comment(text: str) -> str:
    """Comment body → safe HTML: paragraphs, emphasis, links, quotes, lists, inline code.

    The parser drops what is nested past 20 levels (quotes in quotes, lists in
    lists); a comment that would lose lines that way is shown as written instead."""
    tokens = _comment_md.parse(text)
    if _drops_lines(text, tokens):
        return _clean(_as_written(text), _COMMENT_TAGS)
    return _clean(_comment_md.renderer.render(tokens, _comment_md.options, {}), _COMMENT_TAGS)


def render_summary(text: str) -> str:
    """Article summary (written by staff) → safe HTML; also allows h2/h3."""
    return _clean(_summary_md.render(text), _SUMMARY_TAGS)
