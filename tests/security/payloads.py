"""Hostile strings for the input tests, and the oracle for what readers must see.

The Big List of Naughty Strings (``tests/corpora/blns.json``, a copy of the
workplace's ``shared/corpora/blns.json`` so that a clone tests alone; MIT, by
Max Woolf, see ``blns.LICENSE``) plus cross-site scripting payloads and edge
cases of our own. The API tests and the browser tests send the same list.
"""

import json
import os
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from forum.lib.markdown import _comment_md

BLNS = Path(os.environ.get("BLNS_PATH", Path(__file__).resolve().parents[1] / "corpora" / "blns.json"))

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//example.com/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(document.domain)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</code></div><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<x onpointerenter=alert(1)>hover me</x>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<style>@import 'http://example.com/x.css';</style>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="https://example.com" onclick="alert(1)">click</a>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[click](https://example.com "t\\" onmouseover=\\"alert(1))',
    '[click](https://example.com/"onmouseover="alert(1))',
    '<https://example.com/?q="><script>alert(1)</script>>',
    '![img](x" onerror="alert(1))',
    "`<script>alert(1)</script>`",
    "> <script>alert(1)</script>\n> quoted",
    "* <img src=x onerror=alert(1)>\n* item",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script\\>alert(1)\\</script\\>",
    "{{ 7|add:7 }} {% debug %} ${7*7} #{7*7}",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=//example.com/>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<link rel=import href=//example.com/x>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<video><source onerror=alert(1)></video>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "\u202eevil.exe\u202c reversed",
    "e\u0301 combining (NFC turns it into é)",
    "A\x00B with a NUL in the middle",
    "  line one\r\nline two\rline three  ",
    "\x00\x00",
    "x" * 5000,
    "y" * 5001,
]


def blns() -> list[str]:
    """The strings of the corpus, in its order."""
    return [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if isinstance(s, str)]


def hostile_strings() -> list[str]:
    """Every string of the corpus, then our own; duplicates removed, order kept."""
    return list(dict.fromkeys([*blns(), *XSS]))


def normalised(text: str) -> str:
    """The documented normalisation, written out again: CRLF→LF, control characters
    but tab and line feed removed (C0, DEL, C1), NFC, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\t\n" or not (c < "\x20" or "\x7f" <= c < "\xa0"))
    return unicodedata.normalize("NFC", text).strip()


def normalised_body(text: str) -> str:
    """A comment's body: normalised, without the direction overrides (U+202D, U+202E),
    which would draw its letters in an order no check reads."""
    return normalised(text).replace("\u202d", "").replace("\u202e", "")


def normalised_name(text: str) -> str:
    """A poll's question or label: normalised, runs of white space made one space."""
    return " ".join(normalised(text).split())


def shows_nothing(char: str) -> bool:
    """A format control (zero-width spaces and joiners, direction marks, the soft
    hyphen, the byte-order mark…) or a letter or symbol drawn blank."""
    return unicodedata.category(char) == "Cf" or char in "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"


def visible(text: str) -> str:
    return "".join(char for char in text if not shows_nothing(char))


def _shapes(char: str) -> bool:
    """Joiners, flag tags and prepended concatenation marks: format characters a name keeps."""
    code = ord(char)
    return (
        code in (0x200C, 0x200D, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD)
        or 0xE0020 <= code <= 0xE007F
        or 0x600 <= code <= 0x605
    )


def display_name(text: str) -> str:
    """A display name as kept: normalised, without what shows nothing but for what shapes
    the letters around it, runs of white space made one space; empty if nothing shows."""
    kept = "".join(char for char in normalised(text) if _shapes(char) or not shows_nothing(char))
    kept = " ".join(kept.split()).strip("\u200c\u200d")
    return kept if visible(kept).strip() else ""


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    """What a browser's ``textContent`` gives for a fragment of HTML."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def expected_text(sent: str) -> str:
    """The text a reader must see for a comment body: the normalised body, read as Markdown."""
    return text_of(_comment_md.render(normalised_body(sent))).strip()


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


SAFE_TAGS = {"p", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "br"}


def unsafe_markup(html: str) -> list[str]:
    """Anything in rendered comment HTML that could run script or load from elsewhere."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in SAFE_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs.items():
            if name not in ("href", "rel") or (tag != "a"):
                problems.append(f"attribute {name} on <{tag}>")
            elif name == "href" and urlsplit(value or "").scheme.lower() not in ("", "http", "https", "mailto"):
                problems.append(f"href {value!r}")
    return problems
