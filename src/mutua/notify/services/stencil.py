"""Render one template for many messages: once per group, not once per message.

Messages whose contexts differ only in strings (a first name, a link, a due time, a reply code)
form a group. The group is rendered once with a probe in place of each such string; each
message then gets the rendered text with its own strings put where the probes came out,
escaped as often as the probe was.

It refuses what it cannot prove, and then renders message by message, exactly as before:
- a template is stencilled only if every string that differs is used as plain output
  (`{{ name }}`, `|safe`, `|escape`, `|force_escape`, `{% blocktranslate %}`) or for its
  truth (`{% if name %}`; groups split on empty strings), and uses only the tags and
  filters listed here (no custom tags, no includes, no lengths, no comparisons);
- every probe must come out whole, escaped 0 to 3 times; anything else (a filter changed it)
  sends the group back to per-message rendering.
A message's text is assembled only from its own strings and the group's shared text, in one
pass, so one person's name or link can never appear in another person's message.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import weakref
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.template import defaultfilters
from django.template.base import FilterExpression, TextNode, TokenType, Variable, VariableNode
from django.template.defaulttags import (
    AutoEscapeControlNode,
    CommentNode,
    ForNode,
    IfNode,
    LoadNode,
    TemplateLiteral,
)
from django.template.loader import get_template
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mutua.notify.services.render import template_or_none

OUT, BOOL, OTHER, SEQ = "out", "bool", "other", "seq"
_ESCAPING = {defaultfilters.safe, defaultfilters.escape_filter, defaultfilters.force_escape}
_PROBE = "<&'\">"
_LEVELS = [_PROBE]
for _level in range(3):
    _LEVELS.append(str(escape(_LEVELS[-1])))
_ABSENT = object()
_PRIMITIVE = (bool, int, float, Decimal, str, SafeString, dt.date, dt.time, dt.timedelta)
Uses = dict[str, set[Any]]


class _Walk:
    """How each context name is used by a template; `ok` is False for anything unknown."""

    def __init__(self) -> None:
        self.uses: Uses = {}
        self.ok = True

    def use(self, name: str, mode: Any) -> None:
        self.uses.setdefault(name, set()).add(mode)

    def var(self, var: Any, mode: str, scope: dict[str, str | None]) -> None:
        if isinstance(var, Variable) and var.lookups is not None:  # else a literal
            self.name(var.lookups[0], var.lookups[1:], mode, scope)

    def name(self, root: str, rest: tuple, mode: str, scope: dict[str, str | None]) -> None:
        if root in scope:  # a loop variable: walks a context list, or something local
            seq = scope[root]
            if seq is not None:
                ok = len(rest) == 1 and mode in (OUT, BOOL)
                self.use(seq, ("item", rest[0], mode) if ok else OTHER)
            return
        self.use(root, OTHER if rest else mode)

    def expr(self, fe: FilterExpression, mode: str, scope: dict[str, str | None]) -> None:
        plain = True
        for func, args in fe.filters:
            plain = plain and func in _ESCAPING
            for is_var, arg in args:
                if is_var:
                    self.var(arg, OTHER, scope)
        self.var(fe.var, mode if plain else OTHER, scope)

    def condition(self, cond: Any, scope: dict[str, str | None], truth: bool = True) -> None:
        if isinstance(cond, TemplateLiteral):
            self.expr(cond.value, BOOL if truth else OTHER, scope)
            return
        truth = truth and getattr(cond, "id", None) in ("and", "or", "not")
        for part in (getattr(cond, "first", None), getattr(cond, "second", None)):
            if part is not None:
                self.condition(part, scope, truth)

    def loop(self, node: ForNode, scope: dict[str, str | None]) -> None:
        seq, var = node.sequence, node.sequence.var
        target = None
        if (
            not seq.filters
            and isinstance(var, Variable)
            and var.lookups is not None
            and len(var.lookups) == 1
            and var.lookups[0] not in scope
            and len(node.loopvars) == 1
        ):
            target = var.lookups[0]
            self.use(target, SEQ)
        else:
            self.expr(seq, OTHER, scope)
        inner: dict[str, str | None] = {**scope, "forloop": None}
        inner.update(dict.fromkeys(node.loopvars))
        if target is not None:
            inner[node.loopvars[0]] = target
        self.nodes(node.nodelist_loop, inner)
        self.nodes(node.nodelist_empty, scope)

    def blocktranslate(self, node: BlockTranslateNode, scope: dict[str, str | None]) -> None:
        if node.asvar or node.counter is not None or node.plural:
            self.ok = False
            return
        if node.message_context:
            self.expr(node.message_context, OTHER, scope)
        for value in node.extra_context.values():
            self.expr(value, OUT, scope)
        for token in node.singular:
            if token.token_type == TokenType.VAR and token.contents not in node.extra_context:
                self.name(token.contents, (), OUT, scope)

    def nodes(self, nodelist: Any, scope: dict[str, str | None]) -> None:
        for node in nodelist:
            kind = type(node)
            if kind in (TextNode, LoadNode, CommentNode):
                continue
            if kind is VariableNode:
                self.expr(node.filter_expression, OUT, scope)
            elif kind is AutoEscapeControlNode:
                self.nodes(node.nodelist, scope)
            elif kind is IfNode:
                for cond, branch in node.conditions_nodelists:
                    if cond is not None:
                        self.condition(cond, scope)
                    self.nodes(branch, scope)
            elif kind is ForNode:
                self.loop(node, scope)
            elif kind is TranslateNode and not node.asvar:
                self.expr(node.filter_expression, OTHER, scope)
                if node.message_context:
                    self.expr(node.message_context, OTHER, scope)
            elif kind is BlockTranslateNode:
                self.blocktranslate(node, scope)
            else:
                self.ok = False
            if not self.ok:
                return


_ANALYSED: weakref.WeakKeyDictionary[Any, Uses | None] = weakref.WeakKeyDictionary()


def _uses(template: Any) -> Uses | None:
    """The template's uses of context names, or None when it cannot be stencilled."""
    compiled = getattr(template, "template", None)
    if compiled is None or not hasattr(compiled, "nodelist"):
        return None  # another template engine
    if compiled not in _ANALYSED:
        walk = _Walk()
        walk.nodes(compiled.nodelist, {})
        _ANALYSED[compiled] = walk.uses if walk.ok else None
    return _ANALYSED[compiled]


def _text(value: Any) -> str | None:
    """The string a value renders as, when it may be replaced by a probe."""
    if type(value) is str or type(value) is SafeString:
        return value
    if isinstance(value, Promise):
        return str(value)
    return None


def _same(value: Any) -> Any:
    """A key equal for values that render the same whatever the template does with them."""
    if value is _ABSENT:
        return ("absent",)
    if value is None or type(value) in _PRIMITIVE or isinstance(value, dt.datetime):
        return (type(value).__name__, value)
    if isinstance(value, Promise):
        return ("lazy", str(value))
    return ("object", id(value))


TEXT, ITEMS, SAME = 0, 1, 2
Plan = list[tuple[str, int, tuple[str, ...]]]


def _plan(uses: Uses) -> Plan:
    """Per name: a string to probe, a list of dicts of strings to probe, or a value to match."""
    plan: Plan = []
    for name in sorted(uses):
        modes = uses[name]
        items = {m for m in modes if isinstance(m, tuple)}
        if modes <= {OUT, BOOL}:
            plan.append((name, TEXT, ()))
        elif SEQ in modes and modes <= {SEQ, BOOL} | items:
            plan.append((name, ITEMS, tuple(sorted({m[1] for m in items}))))
        else:
            plan.append((name, SAME, ()))
    return plan


def _items(value: Any, attrs: tuple[str, ...]) -> list[tuple[str, ...]] | None:
    """The used strings of a list of dicts walked by a loop, when every used key holds one."""
    if type(value) is not list and type(value) is not tuple:
        return None
    rows = []
    for item in value:
        if type(item) is not dict:
            return None
        row = tuple(_text(item.get(a)) for a in attrs)
        if any(text is None for text in row):
            return None
        rows.append(row)
    return rows  # type: ignore[return-value]


def _split(plan: Plan, context: dict) -> tuple[tuple, dict[str, Any]]:
    """(group key, strings by name) of one message."""
    key: list[Any] = []
    strings: dict[str, Any] = {}
    for name, how, attrs in plan:
        value = context.get(name, _ABSENT)
        if how == TEXT:
            text = _text(value)
            if text:
                strings[name] = text
                key.append(("text", type(text) is SafeString))
                continue
        elif how == ITEMS:
            rows = _items(value, attrs)
            if rows is not None:
                strings[name] = rows
                shape = tuple(tuple((bool(t), type(t) is SafeString) for t in r) for r in rows)
                key.append(("items", shape))
                continue
        key.append(_same(value))
    return tuple(key), strings


def _probe_text(text: str, probe: str) -> str:
    return mark_safe(probe) if type(text) is SafeString else probe


class _Stencil:
    """One template's text for a group, with holes: literal parts and (slot, times escaped)."""

    def __init__(self, template: Any, plan: Plan, context: dict, strings: dict[str, Any]) -> None:
        nonce = secrets.token_hex(8)
        self.slots: list[tuple[str, int, int]] = []  # (name, item index or -1, key position)
        probe_context = dict(context)
        for name, how, attrs in plan:
            if name not in strings:
                continue
            if how == TEXT:
                probe_context[name] = self._probe(nonce, strings[name], (name, -1, 0))
            else:
                probe_context[name] = [
                    {
                        a: self._probe(nonce, t, (name, i, n))
                        for n, (a, t) in enumerate(zip(attrs, row, strict=True))
                    }
                    for i, row in enumerate(strings[name])
                ]
        rendered = template.render(probe_context)
        literal: list[str] = []
        self.holes: list[tuple[int, int]] = []  # (slot, times escaped)
        self.whole = True
        start = 0
        for match in re.finditer(rf"Zq{nonce}x(\d+)Qz", rendered):
            level = next(
                (n for n, text in enumerate(_LEVELS) if rendered.startswith(text, match.end())),
                None,
            )
            if level is None:
                self.whole = False
                return
            literal.append(rendered[start : match.start()])
            self.holes.append((int(match.group(1)), level))
            start = match.end() + len(_LEVELS[level])
        literal.append(rendered[start:])
        trace = nonce[:6]
        if any(trace in part.lower() for part in literal):
            self.whole = False  # a probe came out cut, or changed (upper case, say)
        self.format = "%s".join(part.replace("%", "%%") for part in literal)
        # Where each hole's string is found, so a message reads only the strings it shows.
        self.lookups = [(*self.slots[slot], level) for slot, level in self.holes]

    def _probe(self, nonce: str, text: str, slot: tuple[str, int, int]) -> str:
        if not text:
            return text  # an empty string stays itself (its truth decides {% if %})
        self.slots.append(slot)
        return _probe_text(text, f"Zq{nonce}x{len(self.slots) - 1}Qz{_PROBE}")

    def fill(self, strings: dict[str, Any]) -> str:
        """This message's text: the group's text with its own strings, in one pass."""
        args = []
        for name, item, key, level in self.lookups:
            text = strings[name] if item < 0 else strings[name][item][key]
            for _n in range(level):
                text = html.escape(text)  # as django.utils.html.escape
            args.append(text)
        # `mark_safe` of a plain str, without its lazy-argument wrapper (this runs per message).
        return SafeString(self.format % tuple(args))


def _templates(names: Sequence[tuple[str, bool]]) -> list[Any]:
    return [template_or_none(name) if optional else get_template(name) for name, optional in names]


def render_grouped(names: Sequence[tuple[str, bool]], contexts: Sequence[dict]) -> list[list[str]]:
    """Render each (template, optional) for every context, as `render_to_string` would, once
    per group of alike contexts. An optional template that does not exist renders as ""."""
    templates = _templates(names)
    analysed = [_uses(t) if t is not None else {} for t in templates]
    out = [[""] * len(contexts) for _t in templates]
    merged: Uses = {}
    for uses in analysed:
        for name, modes in (uses or {}).items():
            merged.setdefault(name, set()).update(modes)
    plan = _plan(merged)
    groups: dict[tuple, list[int]] = {}
    split = [_split(plan, c) for c in contexts]
    for i, (key, _strings) in enumerate(split):
        groups.setdefault(key, []).append(i)
    for t, (template, uses) in enumerate(zip(templates, analysed, strict=True)):
        if template is None:
            continue
        for members in groups.values():
            stencil = None
            if uses is not None and len(members) > 1:
                first = members[0]
                stencil = _Stencil(template, plan, contexts[first], split[first][1])
            for i in members:
                if stencil is not None and stencil.whole:
                    out[t][i] = stencil.fill(split[i][1])
                else:
                    out[t][i] = template.render(contexts[i])
    return out
