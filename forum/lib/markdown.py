"""The small Markdown subset readers may use, rendered to sanitised HTML.

markdown-it-py parses with raw HTML and images switched off; nh3 (ammonia)
then enforces an allow-list, so even a parser bug cannot emit a script.
"""

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


def render_comment(text: str) -> str:
    """Comment body → safe HTML: paragraphs, emphasis, links, quotes, lists, inline code."""
    return _clean(_comment_md.render(text), _COMMENT_TAGS)


def render_summary(text: str) -> str:
    """Article summary (written by staff) → safe HTML; also allows h2/h3."""
    return _clean(_summary_md.render(text), _SUMMARY_TAGS)
