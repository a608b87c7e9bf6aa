"""The words of an e-mailed reply (pure, no Django): the first text/plain part, else the
visible text of the HTML part, without quoted text, forwarded parts, signatures or footers.

Failing safe matters more than being clever: text of ours that slips through quotes the
check-in message, which says "reply HELP", so a leak can raise a false alarm but never a
false "OK"; text of theirs that is cut makes the reply "not understood", and the ladder
goes on as if there had been no reply.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from html.parser import HTMLParser

TEXT_MAX = 2000

_VERBS = r"wrote|writes|escribió|escribio|a écrit|a ecrit|schrieb|ha scritto|escreveu|schreef|skrev"
_ATTRIBUTION_VERB = re.compile(rf"\b({_VERBS})\b", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(on|el|le|am|il|em|op|den)\b", re.IGNORECASE)
_HEADER = re.compile(r"^\s*\*?(from|de|von|da|van)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|enviado|fecha|para|asunto|gesendet|datum|an|betreff|envoyé)"
    r"\s*:",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*(-{2,}\s*(original message|mensaje original|forwarded message|message d'origine"
    r"|ursprüngliche nachricht|mensaje reenviado)\s*-{2,}|_{10,}\s*$|begin forwarded message:)",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^\s*(sent from my|sent with|get outlook for|enviado desde|envoyé de|von meinem)\b",
    re.IGNORECASE,
)


def _is_attribution(line: str) -> bool:
    line = line.strip()
    return (
        line.endswith(":")
        and len(line) < 400
        and bool(_ATTRIBUTION_VERB.search(line))
        and (bool(_ATTRIBUTION_START.match(line)) or "@" in line)
    )


def reply_text_strip(text: str) -> str:
    """The words the person wrote: no quoted lines (">"), no "On … wrote:" quote, no
    forwarded or "Original Message" part, no signature after "-- ", no "Sent from my …"."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")[:100_000].split("\n")
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line, after = lines[i], lines[i + 1 : i + 5]
        span = 0
        if _is_attribution(line):
            span = 1
        elif after and _is_attribution(f"{line} {after[0]}") and _ATTRIBUTION_START.match(line):
            span = 2  # an attribution wrapped over two lines
        if span:
            rest = [x for x in lines[i + span :] if x.strip()]
            if rest and rest[0].lstrip().startswith(">"):
                i += span  # bottom-posting: the quote is marked, the answer may follow it
                continue
            break
        if line.rstrip() in ("--", "-- ") or _ORIGINAL.match(line) or _FOOTER.match(line):
            break
        if _HEADER.match(line) and any(_HEADER_NEXT.match(x) for x in after):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()[:TEXT_MAX]


class _HtmlText(HTMLParser):
    """Visible text of an HTML reply, leaving out quoted blocks and what follows Outlook's
    reply header."""

    BLOCK = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
    HIDDEN = {"script", "style", "head", "title", "template", "blockquote"}
    QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote")
    STOP_IDS = {
        "divrplyfwdmsg",
        "x_divrplyfwdmsg",
        "appendonsend",
        "mail-editor-reference-message-container",
    }
    VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_tag = ""
        self.skip_depth = 0
        self.stopped = False

    def handle_starttag(self, tag, attrs):
        if self.stopped:
            return
        if self.skip_tag:
            self.skip_depth += tag == self.skip_tag
            return
        found = {k: (v or "").lower() for k, v in attrs}
        if found.get("id", "") in self.STOP_IDS:
            self.stopped = True
            return
        classes = found.get("class", "")
        quoted = tag in self.HIDDEN or found.get("type") == "cite"
        if (quoted or any(c in classes for c in self.QUOTE_CLASSES)) and tag not in self.VOID:
            self.skip_tag, self.skip_depth = tag, 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = ""
        elif tag in self.BLOCK and not self.stopped:
            self.parts.append("\n")

    def handle_data(self, data):
        if not (self.stopped or self.skip_tag):
            self.parts.append(re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html[:500_000])
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).split("\n"))


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except Exception:  # an unknown charset or broken transfer encoding: read what we can
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def reply_text(message: EmailMessage) -> str:
    """The reply as written: the first text/plain part, else the HTML part's visible text."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text = reply_text_strip(_part_text(plain))  # type: ignore[arg-type]
        if text:
            return text
    html = message.get_body(preferencelist=("html",))
    return reply_text_strip(html_text(_part_text(html))) if html is not None else ""  # type: ignore[arg-type]
