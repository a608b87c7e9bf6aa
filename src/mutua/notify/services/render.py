"""How a message is rendered: subject, in-app text, e-mail (text and HTML in the layout) and
SMS from the kind's templates. One set of rules for `notification_send` (each message on its
own) and `notification_send_many` (alike messages rendered once, see stencil.py)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.html import linebreaks

from mutua.notify.kinds import EMAIL, SMS, Kind

SMS_MAX = 480
# render([(template name, optional), ...], contexts) -> per template, one text per context;
# "" when an optional template does not exist.
Renderer = Callable[[Sequence[tuple[str, bool]], Sequence[dict]], list[list[str]]]


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def template_or_none(name: str) -> Any:
    """The template, or None when it does not exist (a kind's optional HTML or SMS text)."""
    try:
        return get_template(name)
    except TemplateDoesNotExist as exc:
        _forget(exc)
        return None


def _forget(exc: BaseException) -> None:
    """Clear the locals of the frames a caught exception (and those it chains) holds. Django's
    loader leaves them in reference cycles that reach up to our frames, so a whole batch of
    messages would otherwise stay in memory until the cycle collector ran (a tenth of a sweep)."""
    todo: list[Any] = [exc]
    seen: set[int] = set()
    while todo:
        found = todo.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        traceback.clear_frames(found.__traceback__)
        todo += [found.__cause__, found.__context__, *getattr(found, "chain", ())]


def render_each(names: Sequence[tuple[str, bool]], contexts: Sequence[dict]) -> list[list[str]]:
    """The plain renderer: every message on its own."""
    out = []
    for name, optional in names:
        if optional and template_or_none(name) is None:
            out.append([""] * len(contexts))
            continue
        out.append([render_to_string(name, context) for context in contexts])
    return out


def _render_some(
    render: Renderer,
    names: Sequence[tuple[str, bool]],
    contexts: Sequence[dict],
    wanted: list[bool],
) -> list[list[str]]:
    """The templates for the contexts that want them; "" for the others."""
    chosen = [c for c, want in zip(contexts, wanted, strict=True) if want]
    found = render(names, chosen) if chosen else [[] for _name in names]
    out = []
    for texts in found:
        each = iter(texts)
        out.append([next(each) if want else "" for want in wanted])
    return out


def parts_wanted(codes: Collection[str]) -> tuple[bool, bool]:
    """(the e-mail, the SMS text) for a message, or an outbox row, going out on these channels.
    A channel other than e-mail and SMS (one another app registers) gets both, as it may send
    either."""
    others = any(c not in (EMAIL, SMS) for c in codes)
    return EMAIL in codes or others, SMS in codes or others


def render_messages(
    kind: Kind,
    contexts: Sequence[dict[str, Any]],
    render: Renderer = render_each,
    *,
    channels: Sequence[Collection[str]] | None = None,
) -> list[dict[str, str]]:
    """Subject, in-app text, e-mail (text and HTML in the layout) and SMS of each message.

    With `channels` (per message, the channels it goes out on), a message's e-mail is laid out
    only if it goes by e-mail and its SMS text kept only if it goes by SMS ("" otherwise); the
    kind's HTML and SMS templates are rendered for a batch only if some message needs them."""
    if channels is None:
        wanted = [(True, True)] * len(contexts)
    else:
        if len(channels) != len(contexts):
            raise ValueError("one list of channels per message")
        wanted = [parts_wanted(codes) for codes in channels]
    wants_email = [email for email, _sms in wanted]
    wants_sms = [sms for _email, sms in wanted]
    names = [(f"{kind.template}_subject.txt", False), (f"{kind.template}_message.txt", False)]
    if any(wants_email):
        names.append((f"{kind.template}_message.html", True))
    if any(wants_sms):
        names.append((f"{kind.template}_sms.txt", True))
    found = iter(render(names, contexts))
    subjects, texts = next(found), next(found)
    blank = [""] * len(contexts)
    htmls = next(found) if any(wants_email) else blank
    smses = next(found) if any(wants_sms) else blank
    layouts, parts = [], []
    for n, (context, subject, text) in enumerate(zip(contexts, subjects, texts, strict=True)):
        subject = " ".join(subject.split())
        text = text.strip()
        sms = " ".join(smses[n].split()) if wants_sms[n] else ""
        if wants_sms[n] and not sms:
            first_url = next((a["url"] for a in context["actions"]), "") or context.get("url", "")
            sms = f"{subject} {absolute_url(first_url)}".strip()
        if wants_email[n]:
            html = htmls[n] or linebreaks(text, autoescape=True)
            layouts.append({**context, "subject": subject, "text": text, "content_html": html})
        else:
            layouts.append(context)
        parts.append((subject, text, sms))
    email_texts, email_htmls = _render_some(
        render, [("notify/email.txt", False), ("notify/email.html", False)], layouts, wants_email
    )
    return [
        {
            "subject": subject[:300],
            "text": text,
            "email_text": email_text,
            "email_html": email_html,
            "sms": sms[:SMS_MAX],
        }
        for (subject, text, sms), email_text, email_html in zip(
            parts, email_texts, email_htmls, strict=True
        )
    ]
