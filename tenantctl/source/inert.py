"""Make user-supplied text inert in every output: markdown (PR comments, job summaries) and terminals.

Tenant files and settings are untrusted data. Any string from them that reaches a reviewer must not become
markup (HTML, comments, `<details>`, headings, tables, links), a mention (`@team`), or a terminal escape that
hides or rewrites other lines (ANSI, carriage return, bidi overrides).

- `plain(text)`: visible escapes (`\\x1b`, `\\n`, `\\u202e`) for control, bidi, zero-width and other invisible
  characters; the base of everything below.
- `code(text)`: a markdown code span. GitHub renders no HTML, no entity, no link and no mention inside a code
  span; the fence is longer than any backtick run in the text, and `|` is escaped so a table cell stays one cell.
- `prose(text)`: the text as is when it holds only harmless characters (our own messages), else `code(text)`.
- `terminal(text)`: for text output; our own newlines survive, everything else invisible is escaped.
"""

from __future__ import annotations

import re
import unicodedata

MAX_VALUE = 200  # characters of one user value shown in a summary line; the full value is in the JSON plan

INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn")  # unicodedata categories shown escaped
_SAFE_PROSE = re.compile("[A-Za-z0-9 .,:;()/+=%'\"?\u2192\u2190\u2265\u2264\u00d7\u00b7\u2014\u2013-]*")


def _escape(char: str) -> str:
    code_point = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{code_point:02x}" if code_point < 0x100 else f"\\u{code_point:04x}"


def plain(value: object, limit: int | None = None) -> str:
    """One line of visible text: every control/format/invisible character escaped; shortened to `limit`."""
    text = str(value)
    if limit is not None:
        text = text[: limit + 1]  # escaping only lengthens: what is cut here would be cut below anyway
    if not text.isprintable():  # printable text (the usual case) holds none of the INVISIBLE categories
        text = "".join(_escape(char) if unicodedata.category(char) in INVISIBLE else char for char in text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def code(value: object, limit: int | None = MAX_VALUE, table: bool = True) -> str:
    """A markdown code span holding `value` literally (one line, mention-free; `table`: `|` escaped so a table
    cell stays one cell, GitHub shows it as `|`)."""
    text = plain(value, limit)
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    if not text:
        return "` `"
    return f"{fence}{text}{fence}"


def prose(value: object, limit: int | None = MAX_VALUE) -> str:
    """Our own sentence with user values in it: kept readable when harmless, else one code span."""
    text = str(value)
    if _SAFE_PROSE.fullmatch(text) and (limit is None or len(text) <= limit):
        return text
    return code(text, limit)


def terminal(text: str) -> str:
    """Text for a terminal or log: line breaks kept, every other control, ANSI, bidi, zero-width escaped."""
    return "\n".join(plain(line) for line in text.split("\n"))
