"""The parser's tables as plain data, read from Lark once and kept between processes.

Lark builds the LALR parse table and the contextual lexer's scanners from
``grammar/cable.lark``. The driver that runs them (:class:`markcheck.grammar._Driver`)
needs none of Lark's objects, only plain data: the parse table, the shape of each
rule (which children it keeps, whether one child stands for it), the terminals of
each parser state in the order Lark's lexer tries them, and each terminal's pattern.
:func:`from_lark` reads these from a Lark parser; :class:`Tables` holds them and
goes to and from ``marshal``, so a process that finds them kept (see
:func:`markcheck.grammar.tables`) never imports Lark, which with loading Lark's own
cached parser was about half of a one-file run.

:class:`Token` and :class:`Tree` are what the driver builds: a token is the str of its
text with its terminal's name and its offsets; a tree is a rule's name and children,
as Lark's. (markcheck reads no line or column from tokens: positions come from
offsets through the source's line table.)
"""

from __future__ import annotations

import re
import sys

__all__ = ["Tables", "Token", "Tree", "Unsupported", "from_lark"]


class Token(str):
    """A terminal's match: its text (the str), ``type`` (the terminal's name) and its
    ``start_pos`` and ``end_pos`` offsets."""

    __slots__ = ("type", "start_pos", "end_pos")

    def __new__(cls, type: str, value: str, start_pos: int | None = None, end_pos: int | None = None):
        self = str.__new__(cls, value)
        self.type = type
        self.start_pos = start_pos
        self.end_pos = end_pos
        return self

    def __reduce__(self):
        return Token, (self.type, str(self), self.start_pos, self.end_pos)

    def __deepcopy__(self, memo):
        return self  # (immutable: every field is set once, as the token is read)

    def __copy__(self):
        return self

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Tree:
    """A rule's parse: ``data``, the name of its rule (or alias), and its ``children``."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list) -> None:
        self.data = data
        self.children = children

    def __eq__(self, other) -> bool:
        return isinstance(other, Tree) and self.data == other.data and self.children == other.children

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __reduce__(self):
        return Tree, (self.data, self.children)


class Unsupported(Exception):
    """The Lark parser is not laid out as :func:`from_lark` reads it (another Lark
    release, or options markcheck does not use): its texts are left to ``Lark.parse``."""


#: the kinds of a reduce action (see :class:`Tables`)
REDUCE, PASS, GROW = 0, 1, 2


class Tables:
    """The parser as plain data (what :func:`from_lark` reads; :meth:`data` and
    :meth:`from_data` give and take it as nested tuples and dicts for ``marshal``).

    - ``terminals``: name -> ``(regex, priority, kind, value)``, ``kind`` "re" or "str"
      and ``value`` the pattern as written (the string of a "str" terminal).
    - ``flags``: the regex flags of every terminal; ``ignore``: the ignored terminals.
    - ``rules``: ``(name, origin, expansion, expand1, keep)`` each: ``name`` is what its
      callback is named by (its alias, else its origin), ``origin`` the rule it reduces
      to, ``expansion`` its symbols' names; ``expand1`` where its one child stands for
      it (a ``?rule``); ``keep`` the ``(index, inline)`` of the children it keeps, in
      order (``inline``: the child's own children are kept in its place), or None where
      it keeps all of them as they are.
    - ``actions``: parser state -> terminal or rule name -> the next state (an int, a
      shift or a goto) or a reduce, ``(kind, count, origin, rule index)``: ``kind`` is
      PASS where the one child stands for the rule, GROW where the rule adds one item
      to the tree of its first child, a tree of its own (a repetition's helper rule:
      ``__items_plus_1: __items_plus_1 item``), REDUCE otherwise.
    - ``start_states``, ``end_states``: start rule -> state.
    - ``lexers``: parser state -> its terminals in the order Lark's lexer tries them, or
      None where that lexer is not as read here (the state is then Lark's).
    - ``root``: all terminals in the order Lark's root lexer tries them (for the token
      named in an error), or None.

    Every name is interned, so a name read from a text is found by identity.
    """

    __slots__ = ("terminals", "flags", "ignore", "rules", "actions", "start_states", "end_states", "lexers",
                 "root")
    _FIELDS = __slots__

    def __init__(self, **fields) -> None:
        for name in self._FIELDS:
            setattr(self, name, fields[name])

    def data(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    @classmethod
    def from_data(cls, data) -> Tables:
        """The tables of ``data`` (as :meth:`data` gave it); ValueError where it is not
        laid out so (another release's file, a damaged one)."""
        if not (isinstance(data, tuple) and len(data) == len(cls._FIELDS)):
            raise ValueError("not tables")
        tables = cls(**dict(zip(cls._FIELDS, data)))
        if not (isinstance(tables.terminals, dict) and isinstance(tables.actions, dict)
                and isinstance(tables.rules, tuple) and isinstance(tables.lexers, dict)
                and isinstance(tables.start_states, dict) and isinstance(tables.end_states, dict)
                and isinstance(tables.ignore, tuple) and isinstance(tables.flags, int)):
            raise ValueError("not tables")
        return tables

    def regex(self, name: str) -> str:
        return self.terminals[name][0]

    def priority(self, name: str) -> int:
        return self.terminals[name][1]


def _name(name) -> str:
    """A name as a plain, interned str (Lark names some symbols with its own Token type)."""
    return sys.intern(str(name))


def from_lark(lark) -> Tables:
    """The tables of a Lark LALR parser with the contextual lexer (made without a
    transformer, or with one: the rules' shapes are read the same); Unsupported where
    its insides are not as read here (checked with lark 1.2.2 and 1.3.1)."""
    try:
        return _from_lark(lark)
    except Unsupported:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, ImportError, IndexError) as exc:
        raise Unsupported(f"{type(exc).__name__}: {exc}") from None


def _from_lark(lark) -> Tables:
    from lark.parsers.lalr_analysis import Shift

    frontend = lark.parser
    inner = frontend.parser.parser
    table = inner.parse_table
    callbacks = inner.callbacks
    if any(isinstance(key, str) for key in callbacks):
        raise Unsupported("callbacks on terminals")  # they would change tokens as they are read
    rules: list = []
    index: dict = {}  # id of a Lark rule -> its index in rules

    def rule_index(rule) -> int:
        key = id(rule)
        if key not in index:
            index[key] = len(rules)
            rules.append(_rule(rule, callbacks[rule]))
        return index[key]

    for rule in lark.rules:
        if rule in callbacks:
            rule_index(rule)
    actions: dict = {}
    reduces: dict = {}  # rule index -> its reduce action (one tuple, shared: marshal keeps it once)
    for state, row in table.states.items():
        out = {}
        for ty, (action, arg) in row.items():
            if action is Shift:
                out[_name(ty)] = int(arg)
                continue
            i = rule_index(arg)
            if i not in reduces:
                _n, origin, expansion, expand1, keep = rule = rules[i]
                count = len(expansion)
                kind = REDUCE
                if count == 1 and expand1 and keep is None:
                    kind = PASS
                elif grows(rule):
                    kind = GROW
                reduces[i] = (kind, count, origin, i)
            out[_name(ty)] = reduces[i]
        actions[int(state)] = out
    flags = int(lark.lexer_conf.g_regex_flags)
    ignore = tuple(sorted(_name(t) for t in lark.lexer_conf.ignore))
    terminals = {}
    for t in lark.terminals:
        kind = t.pattern.type
        if kind not in ("re", "str"):
            raise Unsupported(f"a pattern of type {kind}")
        terminals[_name(t.name)] = (str(t.pattern.to_regexp()), int(t.priority), kind, str(t.pattern.value))
    orders: dict = {}  # terminal names in order -> that tuple (shared by the states that have it)
    lexers = {}
    compiled: dict = {}
    for state, basic in frontend.lexer.lexers.items():
        order = _lark_order(basic, flags, ignore, compiled)
        if order is not None:
            names, unless = order
            order = None if unless else orders.setdefault(names, names)
        lexers[int(state)] = order
    root = _lark_order(frontend.lexer.root_lexer, flags, ignore, compiled)
    return Tables(
        terminals=terminals, flags=flags, ignore=ignore, rules=tuple(rules), actions=actions,
        start_states={_name(k): int(v) for k, v in table.start_states.items()},
        end_states={_name(k): int(v) for k, v in table.end_states.items()},
        lexers=lexers, root=None if root is None else root[0])


def grows(rule: tuple) -> bool:
    """Does a reduce of ``rule`` (see :class:`Tables`) add its one item to the tree of its
    first child, a tree of its own name (GROW: a repetition's helper rule)?"""
    name, origin, expansion, expand1, keep = rule
    return (len(expansion) == 2 and not expand1 and keep == ((0, True), (1, False))
            and expansion[0] == origin == name)


def _rule(rule, callback) -> tuple:
    """``(name, origin, expansion, expand1, keep)`` of a Lark rule (see :class:`Tables`),
    read from the callback Lark made for it: a child filter (``keep``) around a
    single-child expansion (``expand1``) around the tree builder or the transformer's
    method. Any other layer (positions, placeholders, a visit wrapper) is not read here."""
    from lark.parse_tree_builder import (
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
    )

    keep = None
    expand1 = False
    if type(callback) is ChildFilterLALR_NoPlaceholders:
        keep = tuple((int(i), bool(inline)) for i, inline in callback.to_include)
        callback = callback.node_builder
    if type(callback) is ExpandSingleChild:
        expand1 = True
        callback = callback.node_builder
    name = rule.alias or rule.options.template_source or rule.origin.name
    if hasattr(callback, "__self__") and hasattr(callback, "__func__"):  # the transformer's method
        if getattr(callback, "visit_wrapper", None) is not None:
            raise Unsupported(f"a visit wrapper on {name}")
    elif not (hasattr(callback, "func") and len(callback.args) == 1 and not callback.keywords
              and str(callback.args[0]) == str(name)):  # functools.partial(the tree builder, name)
        raise Unsupported(f"the callback of {name} is not read here")
    return (_name(name), _name(rule.origin.name), tuple(_name(s.name) for s in rule.expansion), expand1, keep)


def _lark_order(basic, flags: int, ignore: tuple, compiled: dict):
    """``(names, unless)``: the terminals of Lark's lexer ``basic`` in the order its
    scanner tries them, read without building that scanner; None where its scanner
    would not hold them as patterns of their own (a regex module other than ``re``,
    bytes, user callbacks, other flags or ignored terminals than the grammar's).

    As Lark's ``_create_unless``: a string terminal that a pattern terminal of the
    same priority matches whole is ``unless``, given to that pattern as a callback
    that renames its token, and left out of the scanner where its flags are among
    the pattern's."""
    terminals = basic.terminals
    if basic.re is not re or basic.use_bytes or basic.user_callbacks or basic.g_regex_flags != flags:
        return None
    if tuple(sorted(map(_name, basic.ignore_types))) != ignore:
        return None
    if any(t.pattern.type not in ("re", "str") for t in terminals):
        return None
    strings = [t for t in terminals if t.pattern.type == "str"]
    embedded = set()
    unless = False
    for retok in terminals:
        if retok.pattern.type != "re":
            continue
        for strtok in strings:
            if strtok.priority != retok.priority:
                continue
            s = strtok.pattern.value
            regex = retok.pattern.to_regexp()
            match = compiled.get(regex)
            if match is None:
                match = compiled[regex] = re.compile(regex, flags).match
            m = match(s)
            if m is not None and m.group(0) == s:
                unless = True
                if strtok.pattern.flags <= retok.pattern.flags:
                    embedded.add(strtok)
    return tuple(_name(t.name) for t in terminals if t not in embedded), unless
