"""Load the Lark parser once and parse telegram text with it.

The grammar files (``grammar/cable.lark``, which imports ``grammar/marking.lark``)
ship inside the package as ``markcheck.lark_grammar``. The LALR tables are built
once per process and cached on disk by Lark between processes; beside that cache,
the driver keeps its terminals' compiled patterns (see ``_Driver._read_terminals``).
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache, partial
from pathlib import Path

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError, UnexpectedInput

from . import kept

__all__ = ["ELEMENT_STARTS", "grammar_dir", "load", "parser", "parse_document", "parse_element", "terminal_regex",
           "ParseFailure", "Token", "Tree"]

#: start rules of the element level (see the header of cable.lark)
ELEMENT_STARTS = ("banner", "portion", "eo", "tags", "subject", "ref", "classified_by", "para_head")


class ParseFailure(Exception):
    """The text does not fit the grammar; ``offset`` is where it stopped fitting."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def grammar_dir() -> Path:
    """The folder holding cable.lark and marking.lark.

    Running from a source tree (a checkout, an editable install), the tree's own
    ``grammar/`` beside the package; installed, the package data
    ``markcheck.lark_grammar``.
    """
    here = Path(__file__).resolve().parent.parent / "grammar"
    if (here / "cable.lark").is_file():
        return here
    from importlib.resources import files

    return Path(str(files("markcheck.lark_grammar")))


def _cache_path() -> str | bool:
    folder = kept.cache_folder()
    if folder is None:
        return False
    from . import __version__
    from lark import __version__ as lark_version

    return os.path.join(folder, f"grammar-{__version__}-lark{lark_version}.cache")


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The one LALR parser for documents and elements (built once, cached).

    Document rules give a tree; element rules give model parts directly (see
    :func:`parse_element`).
    """
    path = grammar_dir() / "cable.lark"
    options = dict(
        parser="lalr",
        lexer="contextual",
        start=["start", *ELEMENT_STARTS],
        propagate_positions=False,
        maybe_placeholders=False,
    )
    from .model import ElementBuilder  # here: model imports this module

    options["transformer"] = ElementBuilder()
    cache = _cache_path()
    if cache:
        try:
            return Lark.open(str(path), cache=cache, **options)
        except (OSError, EOFError, ValueError):
            pass  # an unreadable or stale cache file: build without it
    return Lark.open(str(path), **options)


def terminal_regex(name: str) -> str:
    """The regular expression of terminal ``name`` as the grammar defines it."""
    return parser().get_terminal(name).pattern.to_regexp()


class _Token(Token):
    """A Lark token that carries offsets only (markcheck reads no line or column
    from tokens: positions come from offsets through the source's line table)."""

    __slots__ = ()
    line = column = end_line = end_column = None
    value = property(str)

    def __reduce__(self):  # pickled as a plain Lark token (the same type, text, offsets)
        return Token, (self.type, str(self), self.start_pos, None, None, None, None, self.end_pos)


def _lean(callback):
    """Lark's callback for a rule that makes a plain Tree, without its layers of calls.

    Lark wraps the Tree of a rule with no transformer method in a ``partial`` of a
    default callback of ``Transformer.__default__`` and, where children are dropped
    or inlined, a child filter. The same Tree is made here in one function; a
    repetition's helper rule (``__body_star_5: __body_star_5 body_item``) adds its
    item to the Tree it already has, as Lark's filter adds it to that Tree's list.
    A ``?rule`` with one child gives that child, as Lark's ExpandSingleChild does.
    Any other callback is returned unchanged.
    """
    from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild

    if type(callback) is ExpandSingleChild:  # ?rule: one child stands for the rule
        inner = _lean(callback.node_builder)
        if inner is callback.node_builder:
            return callback
        def expand(children):
            return children[0] if len(children) == 1 else inner(children)
        expand.expands_single = True
        return expand
    filtered = type(callback) is ChildFilterLALR_NoPlaceholders
    builder = callback.node_builder if filtered else callback
    if not (isinstance(builder, partial) and getattr(builder.func, "__name__", "") == "default_callback"
            and len(builder.args) == 1 and not builder.keywords):
        return callback
    name = builder.args[0]
    if not filtered:
        return lambda children: Tree(name, children)
    to_include = tuple(callback.to_include)
    if to_include == ((0, True), (1, False)):  # a repetition: the list so far, one more item
        def grow(children):
            tree = children[0]
            tree.children.append(children[1])
            return tree
        grow.grows = True
        return grow

    def build(children):
        out = []
        for i, to_expand in to_include:
            if to_expand:
                if out:
                    out += children[i].children
                else:
                    out = children[i].children
            else:
                out.append(children[i])
        return Tree(name, out)

    return build


def _first_match(patterns):
    """``match(text, pos)`` of the first of ``patterns`` that matches (Lark splits a
    scanner's alternation into several patterns only past ``re``'s group limit)."""
    if len(patterns) == 1:
        return patterns[0].match

    def match(text, pos):
        for pattern in patterns:
            m = pattern.match(text, pos)
            if m is not None:
                return m
        return None

    return match


def _anything(char: str) -> bool:
    return True


#: the characters a scanner is split by (past these, every terminal is tried)
_ASCII = "".join(map(chr, range(128)))
_ONE_CHAR: dict = {}  # (item, flags) -> the ASCII characters one character item of a pattern matches


def _first_chars(regex: str, flags: int):
    """``(tree, chars)``: ``re``'s parse of ``regex`` and the ASCII characters a match of
    it may start with, as a frozenset; ``chars`` is None where that is not known: a
    pattern that may match the empty string may start with anything.

    One walk over the parse gives the whole set: the first items of a sequence up to
    the first one that must consume a character (a lookahead or an anchor consumes
    none: the items after it are read), every branch of an alternation. What a
    single-character item matches is asked of ``re`` itself, compiled with the flags
    in force there (so case folding is ``re``'s) and run over all of ASCII at once.
    Where the walk meets an item it does not know, ``chars`` is None."""
    from re import _compiler, _constants as c, _parser

    tree = _parser.parse(regex, flags)
    consumes = {c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY}
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
    zero_width = {c.ASSERT, c.ASSERT_NOT, c.AT}
    ignore_case = c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_LOCALE

    def one(item, fl):  # the ASCII characters a single-character item matches
        op, av = item
        if op is c.LITERAL and not fl & ignore_case:  # (most items)
            return (chr(av),) if av < 128 else ()
        key = (repr(item), fl)
        chars = _ONE_CHAR.get(key)
        if chars is None:
            sub = _parser.SubPattern(_parser.State(), [item])
            sub.state.flags = fl
            chars = _ONE_CHAR[key] = _compiler.compile(sub, fl).findall(_ASCII)
        return chars

    def seq(items, fl, out):  # adds the first characters of items to out; True if it may match empty
        for item in items:
            if not node(item, fl, out):
                return False
        return True

    def node(item, fl, out):
        op, av = item
        if op in consumes:
            out.update(one(item, fl))
            return False
        if op is c.SUBPATTERN:
            _group, add, remove, items = av
            return seq(items, (fl | add) & ~remove, out)
        if op is c.ATOMIC_GROUP:
            return seq(av, fl, out)
        if op is c.BRANCH:
            empty = False
            for items in av[1]:
                empty = seq(items, fl, out) or empty
            return empty
        if op in repeats:
            low, high, items = av
            if high == 0:
                return True
            return seq(items, fl, out) or low == 0
        if op in zero_width:
            return True
        raise ValueError(f"no first-character reading of {op}")

    out: set = set()
    try:
        if seq(tree.data, tree.state.flags, out):
            return tree, None
    except (ValueError, RecursionError):  # an item not read here: unsure
        return tree, None
    return tree, frozenset(out)


def _may_start(regex: str, flags: int):
    """A test ``may(char)``: can a match of ``regex`` start with ``char``? False only
    where :func:`_first_chars` proves it cannot (so never past ASCII)."""
    _tree, chars = _first_chars(regex, flags)
    if chars is None:
        return _anything
    return lambda char: char in chars or char > "\x7f"


def _terminal_cache_path() -> str | None:
    """The file beside Lark's cache that keeps every terminal's first characters and
    compiled code (see :meth:`_Driver._read_terminals`); None where there is none."""
    lark_cache = _cache_path()
    if not lark_cache:
        return None
    return f"{os.path.splitext(lark_cache)[0]}-terminals-{sys.implementation.cache_tag}.cache"


class _Driver:
    """Runs the LALR tables and contextual-lexer scanners that Lark built from the
    grammar, in one tight loop per text.

    Same tables, same terminals (each parser state lexes with the terminals it can
    accept, tried in Lark's order), same rule callbacks (tree building and the
    :class:`~markcheck.model.ElementBuilder`), so the same result as ``Lark.parse``,
    about twice as fast: no line counting, no generator, one dict lookup per
    action. Where the text does not fit, :meth:`parse` returns a :class:`_Failure`
    worded as Lark words it (see :func:`_describe`), or :data:`_FAILED` where it
    cannot tell; the caller then runs ``Lark.parse`` for Lark's own error. A test compares the
    two on a quarter of the corpus and on mutated texts. Built from Lark's insides
    (checked with lark 1.2.2 and 1.3.1); where a Lark release lays them out otherwise,
    :func:`_driver` falls back to ``Lark.parse`` for every text.
    """

    def __init__(self, lark: Lark, cache: str | None = None) -> None:
        from lark.parse_tree_builder import ExpandSingleChild
        from lark.parsers.lalr_analysis import Shift

        frontend = lark.parser
        inner = frontend.parser.parser
        table = inner.parse_table
        callbacks = inner.callbacks
        self.start_states = table.start_states
        self.end_states = table.end_states
        # actions: a shift is the new state (an int); a reduce is a tuple
        # (kind, number of children, rule name, callback)
        reduces = {}
        # rules the transformer has no method for make a Tree (Transformer.__default__)
        plain_trees = type(lark.options.transformer).__default__ is Transformer.__default__
        self.actions = actions = {}
        for state, row in table.states.items():
            out = {}
            for ty, (action, arg) in row.items():
                # some terminal names are Lark Tokens (read from the grammar file): as
                # dict keys, each lookup by the scanned name would call Token.__eq__;
                # interned, as the names of split scans are (_name): found by identity
                ty = _name(ty)
                if action is Shift:
                    out[ty] = arg
                else:
                    key = id(arg)
                    if key not in reduces:
                        callback = callbacks[arg]
                        if plain_trees:
                            callback = _lean(callback)
                        count = len(arg.expansion)
                        kind = _REDUCE
                        if count == 1 and (type(callback) is ExpandSingleChild
                                           or getattr(callback, "expands_single", False)):
                            kind = _PASS
                        elif count == 2 and getattr(callback, "grows", False):
                            kind = _GROW
                        reduces[key] = (kind, count, arg.origin.name, callback)
                    out[ty] = reduces[key]
            actions[state] = out
        # callbacks on terminals (none in this grammar) would change tokens as they
        # are read: with any, every parse is left to Lark
        self.usable = not any(isinstance(k, str) for k in callbacks)
        self._lark_lexers = frontend.lexer.lexers  # parser state -> Lark's lexer for it
        self._lark_root = frontend.lexer.root_lexer  # all terminals: for error messages
        self._root = None  # the scan of _lark_root, made at the first text that fails
        self._by_lexer: dict = {}  # id of a Lark lexer -> its scan
        self._by_terminals: dict = {}  # (terminal names, flags, ignored) -> a split scan
        self.lexers: dict = {}  # parser state -> its scan (see _scanner), made on first use
        self._singles: dict = {}  # (terminal name, flags) -> match of its pattern alone
        self._first_chars: dict = {}  # (terminal name, flags) -> its first characters (_first_chars)
        self._trees: dict = {}  # (terminal name, flags) -> re's parse of its pattern, not compiled yet
        self.split = True  # split scanners (see _for_char); False: Lark's alternations
        self._codes: dict = {}  # (terminal name, flags) -> its kept.sre_args, read from the cache file
        if cache:
            self._read_terminals(lark, cache)

    def _read_terminals(self, lark: Lark, path: str) -> None:
        """Every terminal's first characters and ``re`` code, kept in the file at
        ``path``, or read now (all of them) and kept there for the next process.

        Parsing and compiling each terminal's pattern is most of what a fresh process
        pays for its first texts, and every ``--jobs`` worker paid it again; from the
        file each pattern is only handed to ``_sre.compile`` (about a tenth of that),
        as ``re.compile`` hands it. The file is for one grammar's terminals, one regex
        engine and one Python (its key); any other, or an unreadable file, is read anew
        and replaced. Where it cannot be written, each terminal is read when first met."""
        import marshal

        import _sre

        flags = lark.lexer_conf.g_regex_flags
        terminals = [(str(t.name), str(t.pattern.to_regexp())) for t in lark.terminals]
        key = (sys.version, _sre.MAGIC, flags, tuple(terminals))
        try:
            with open(path, "rb") as file:
                stored_key, entries = marshal.loads(file.read())  # (marshal.load reads in small bits)
            if stored_key != key or not isinstance(entries, dict) or len(entries) != len(terminals):
                raise ValueError("kept for other terminals")
            for entry in entries.values():
                if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], tuple)
                        and (entry[0] is None or type(entry[0]) is frozenset)):
                    raise ValueError("not as written here")
        except (OSError, EOFError, ValueError, TypeError):
            try:
                entries = {}
                for name, regex in terminals:
                    tree, chars = _first_chars(regex, flags)
                    entries[name] = (chars, kept.sre_args(tree, flags))
            except (AttributeError, ImportError, TypeError, ValueError, OverflowError,
                    RecursionError, re.error):
                return  # re's insides not as read here: each terminal read when met
            kept.write_whole(path, (key, entries))
        for name, (chars, args) in entries.items():
            self._first_chars[(name, flags)] = chars
            self._codes[(name, flags)] = args

    def _scanner(self, state):
        """The scan of parser state ``state``: Lark's contextual lexer for that state,
        made on first use (a one-file run reads only the states it visits). None where
        Lark's lexer has callbacks: the parse is then Lark's.

        The scan is ``(by_char, ignored types, match, (terminals, flags) or None)``.
        A scan is split (see :meth:`_for_char`): ``by_char`` maps the character at the
        scan position to the terminals to try there, filled in as characters are met,
        and no alternation of Lark's is compiled. Where the driver cannot read the
        terminals as Lark's scanner holds them (:meth:`_lark_order`), or with ``split``
        off, ``by_char`` is None and ``match`` is Lark's alternation of all the
        terminals."""
        basic = self._lark_lexers[state]
        try:
            entry = self._by_lexer.get(id(basic))
            if entry is None:
                entry = self._by_lexer[id(basic)] = self._scan_of(basic, root=False)
        except (AttributeError, TypeError, ValueError, re.error):  # not as this driver reads it
            self.usable = False
            return None
        self.lexers[state] = entry
        return entry

    def _scan_of(self, basic, root: bool):
        """The scan (see :meth:`_scanner`) of Lark lexer ``basic``; with ``root``, of
        the root lexer, whose callbacks change no token's text (see :meth:`_no_terminal`)."""
        order = self._lark_order(basic) if self.split else None
        if order is not None and (root or not order[2]):
            terminals, flags, _unless = order
            key = (tuple(t.name for t in terminals), flags, basic.ignore_types)
            entry = self._by_terminals.get(key)
            if entry is None:  # lexers of the same terminals share their scan
                ignore = frozenset(map(_name, basic.ignore_types))
                entry = self._by_terminals[key] = ({}, ignore, None, (terminals, flags))
            return entry
        scanner = basic.scanner  # Lark builds it (and its callbacks) on first use
        if basic.callback and not root:
            raise ValueError("terminal callbacks")
        return (None, basic.ignore_types, _first_match(scanner._mres), None)

    def _lark_order(self, basic):
        """``(terminals, flags, unless)``: the terminals of Lark's lexer ``basic`` in the
        order its scanner tries them, read without building that scanner; None where
        its scanner would not hold them as patterns of their own (a regex module other
        than ``re``, bytes, user callbacks, a pattern type other than str and re).

        As Lark's ``_create_unless``: a string terminal that a pattern terminal of the
        same priority matches whole is ``unless``, given to that pattern as a callback
        that renames its token, and left out of the scanner where its flags are among
        the pattern's."""
        terminals = basic.terminals
        if basic.re is not re or basic.use_bytes or basic.user_callbacks:
            return None
        if any(t.pattern.type not in ("re", "str") for t in terminals):
            return None
        flags = basic.g_regex_flags
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
                if s and s[0] <= "\x7f" and not self._may(retok, flags, s[0]):
                    continue  # cannot match s (and so is not compiled for it)
                m = self._single(retok, flags)(s)
                if m is not None and m.group(0) == s:
                    unless = True
                    if strtok.pattern.flags <= retok.pattern.flags:
                        embedded.add(strtok)
        if embedded:
            terminals = [t for t in terminals if t not in embedded]
        return tuple(terminals), flags, unless

    def _for_char(self, entry, char: str):
        """The terminals of a split scan (see :meth:`_scanner`) to try at a position
        holding ``char``: a tuple of ``(match, terminal name)``, tried in turn until one
        matches.

        Lark's scanner is one alternation of all the state's terminals, and ``re`` tries
        every branch in turn: at a blank line, some twenty terminals fail before the
        ignored ``BLANK_LINES`` is reached. Here only the terminals that can start with
        ``char`` are tried (:func:`_first_chars`: read from ``re``'s parse of each
        terminal, and every terminal where that reading is unsure), one pattern each,
        in Lark's order. ``re`` takes an alternation's first branch that matches, so
        trying the branches one by one in the same order gives the same terminal and the
        same match; and a terminal left out cannot match there. Each terminal is read
        and compiled once, for every state and character, when first tried, or taken
        from the file an earlier process kept (:meth:`_read_terminals`): an alternation
        per state compiles the same terminals again and again, and every ``--jobs``
        worker paid that again."""
        by_char, ignore, _match, (chosen, flags) = entry
        if char > "\x7f":
            # past ASCII all terminals (kept under None), and nothing kept per character:
            # a text may hold thousands of different characters
            tries = by_char.get(None)
            if tries is None:
                tries = by_char[None] = tuple((self._single(t, flags), _name(t.name)) for t in chosen)
            return tries
        may = [t for t in chosen if self._may(t, flags, char)]
        tries = tuple((self._single(t, flags), _name(t.name)) for t in may)
        if len(may) == 1 and tries[0][1] in ignore:
            chars = _run_of(may[0].pattern.to_regexp(), flags)
            if chars is not None and char in chars:  # (blank lines between elements, blanks: skipped without re)
                tries = _Run(tries)
                tries.chars = chars
        by_char[char] = tries
        return tries

    def _single(self, terminal, flags: int):
        """``match`` of one terminal's pattern, compiled once: from the code an earlier
        process kept, else from ``re``'s parse read for its first characters, else from
        the pattern."""
        key = (terminal.name, flags)
        match = self._singles.get(key)
        if match is None:
            args = self._codes.pop(key, None)
            if args is not None:  # compiled by an earlier process (see _read_terminals)
                try:
                    import _sre

                    match = _sre.compile(terminal.pattern.to_regexp(), *args).match
                except (ImportError, TypeError, ValueError, RuntimeError, OverflowError):
                    pass  # not code this engine takes (RuntimeError: "invalid SRE code")
            tree = self._trees.pop(key, None)
            if match is None and tree is not None:  # parsed by re for its first characters
                try:
                    from re import _compiler

                    match = _compiler.compile(tree, flags).match
                except (AttributeError, ImportError, TypeError, ValueError, AssertionError):
                    pass  # re's compiler not as read here
            if match is None:
                match = re.compile(terminal.pattern.to_regexp(), flags).match
            self._singles[key] = match
        return match

    def _may(self, terminal, flags: int, char: str) -> bool:
        """May ``terminal`` match at a position holding the ASCII character ``char``?"""
        key = (terminal.name, flags)
        chars = self._first_chars.get(key, _UNREAD)
        if chars is _UNREAD:
            try:
                tree, chars = _first_chars(terminal.pattern.to_regexp(), flags)
                if key not in self._singles:
                    self._trees[key] = tree
            except (AttributeError, TypeError, ValueError, OverflowError, RecursionError, re.error):
                chars = None
            self._first_chars[key] = chars
        return chars is None or char in chars

    def _no_terminal(self, text: str, pos: int):
        """The failure where no terminal of the state fits at ``pos``, as Lark's
        contextual lexer reports it: the token any terminal of the grammar reads there
        (after ignored text), or else the character at ``pos``.

        Lark's root lexer reads that token, its scanner split here as a state's is
        (Lark's callbacks on it would rename a token, never change its text)."""
        root = self._root
        if root is None:
            try:
                root = self._root = self._scan_of(self._lark_root, root=True)
            except (AttributeError, TypeError, ValueError, re.error):
                return _FAILED
        ignore = root[1]
        at, size = pos, len(text)
        while at < size:
            m, ty = self._match_at(root, text, at)
            if m is None:
                break
            if ty not in ignore:
                return _Failure(_unexpected(m.group()), at)
            at = m.end()
        else:
            return _FAILED  # only ignored text to the end: Lark's own answer
        return _Failure(_unexpected_character(text[pos]), pos)

    def _match_at(self, scan, text: str, at: int):
        """``(match, terminal name)`` of the first terminal of ``scan`` that matches at
        ``at``, or ``(None, None)``. (:meth:`parse` does the same inline: its hot loop.)"""
        by_char, _ignore, match, _terminals = scan
        if by_char is None:
            m = match(text, at)
            return (m, m.lastgroup) if m is not None else (None, None)
        tries = by_char.get(text[at])
        if tries is None:
            tries = self._for_char(scan, text[at])
        for single, ty in tries:
            m = single(text, at)
            if m is not None:
                return m, ty
        return None, None

    def parse(self, text: str, start: str):
        if not self.usable:
            return _FAILED
        actions = self.actions
        lexers = self.lexers
        new = str.__new__
        token = None
        state = self.start_states[start]
        states = [state]
        values = []
        end_state = self.end_states[start]
        pos = 0
        size = len(text)
        while True:
            if pos < size:
                scan = lexers.get(state)
                if scan is None:
                    scan = self._scanner(state)
                    if scan is None:
                        return _FAILED
                # (what _match_at does, inline: this loop runs for every token)
                by_char, ignore, match, _terminals = scan
                if by_char is None:
                    m = match(text, pos)
                    if m is None:
                        return self._no_terminal(text, pos)
                    ty = m.lastgroup
                else:
                    tries = by_char.get(text[pos])
                    if tries is None:
                        tries = self._for_char(scan, text[pos])
                    if tries.__class__ is _Run:  # an ignored run of these characters
                        chars = tries.chars
                        pos += 1
                        while pos < size and text[pos] in chars:
                            pos += 1
                        continue
                    for match, ty in tries:
                        m = match(text, pos)
                        if m is not None:
                            break
                    else:
                        return self._no_terminal(text, pos)
                end = m.end()
                if ty in ignore:
                    pos = end
                    continue
                token = new(_Token, text[pos:end])  # (m.group(), without a method call)
                token.type = ty
                token.start_pos = pos
                token.end_pos = pos = end
            else:  # end of text: reduce until the start rule is complete
                ty = "$END"
                last = token.start_pos if token is not None else 0
                token = None
            while True:
                action = actions[state].get(ty)
                if action is None:  # as Lark says it (UnexpectedToken, see _describe)
                    if token is None:
                        return _Failure(_END_OF_TEXT, last)
                    return _Failure(_unexpected(str(token)), token.start_pos)
                if action.__class__ is int:  # shift
                    if token is None:  # (the end is never shifted)
                        return _FAILED
                    state = action
                    states.append(state)
                    values.append(token)
                    break
                kind, count, name, callback = action  # reduce
                # (the goto state replaces the top of the stack where the reduce pops
                # one state at least: no pop and push)
                if kind == _PASS:  # ?rule with one child: the child stands for it
                    states[-1] = state = actions[states[-2]][name]
                elif kind == _GROW:  # a repetition: its next item joins its Tree
                    del states[-1]
                    states[-1] = state = actions[states[-2]][name]
                    item = values.pop()
                    values[-1].children.append(item)
                else:
                    if count:
                        children = values[-count:]
                        del states[-count:]
                        del values[-count:]
                    else:
                        children = []
                    values.append(callback(children))
                    state = actions[states[-1]][name]
                    states.append(state)
                if state == end_state and token is None:
                    return values[-1]


class _Run(tuple):
    r"""The terminals to try at a character (see :meth:`_Driver._for_char`) where the one
    terminal that may match there is ignored and matches runs of the characters
    ``chars`` (``\n+``, blanks): :meth:`_Driver.parse` skips the run itself, as that
    terminal's match would."""

    chars: frozenset


def _run_of(regex: str, flags: int):
    r"""The characters whose runs ``regex`` (with ``flags``) matches, where it is a greedy
    repetition, one or more times, of one or a few literal characters that no case
    folding touches (``\n+``, ``(?:\ |\t)+``); else None."""
    from re import _constants as c, _parser

    try:
        items = _parser.parse(regex, flags).data
    except (re.error, AttributeError, TypeError, ValueError, RecursionError):
        return None
    if not (len(items) == 1 and items[0][0] is c.MAX_REPEAT and items[0][1][:2] == (1, c.MAXREPEAT)):
        return None
    inner = list(items[0][1][2])
    if len(inner) != 1:
        return None
    op, av = inner[0]
    if op is c.LITERAL:
        codes = [av]
    elif op is c.IN and av and all(o is c.LITERAL for o, _ in av):
        codes = [a for _, a in av]
    else:
        return None
    chars = frozenset(map(chr, codes))
    if flags & (c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_LOCALE) and any(
            ch.lower() != ch or ch.upper() != ch or ord(ch) > 127 for ch in chars):
        return None
    return chars


def _name(name) -> str:
    """A terminal's name as a plain, interned str, as Lark's scanner gives it (some names
    are Lark Tokens: a dict lookup or set test by a Token calls Token.__eq__)."""
    return sys.intern(str(name))


_FAILED = object()
_UNREAD = object()  # a terminal whose first characters are not read yet


class _Failure:
    """Where and why a text does not fit the grammar, as ``Lark.parse`` would say it."""

    __slots__ = ("message", "offset")

    def __init__(self, message: str, offset: int) -> None:
        self.message = message
        self.offset = offset


_REDUCE, _PASS, _GROW = 0, 1, 2  # kinds of reduce (see _Driver.parse)


class _LarkOnly:
    """Stands in for the driver where Lark's insides are not as the driver reads them
    (another Lark release): every text is then parsed by ``Lark.parse``."""

    usable = False

    def parse(self, text: str, start: str):
        return _FAILED


@lru_cache(maxsize=1)
def _driver() -> _Driver | _LarkOnly:
    try:
        return _Driver(parser(), _terminal_cache_path())
    except (AttributeError, KeyError, TypeError, ValueError, ImportError):
        return _LarkOnly()


def load() -> None:
    """Build the parser and its driver now (the driver reads or writes the kept
    terminals, see :meth:`_Driver._read_terminals`): ``--jobs`` workers forked
    afterwards inherit both, and a first run writes the file once, not once per worker."""
    _driver()


def parse_document(text: str) -> Tree:
    """Parse telegram text into the document tree; raise ParseFailure if it cannot."""
    return _parse(text, "start")


def parse_element(text: str, start: str, base: int = 0):
    """Parse one element's text (newlines read as blanks) with start rule ``start``.

    The element rules are built into model parts as they are parsed (the parser's
    transformer, :class:`markcheck.model.ElementBuilder`); ``base`` is the offset of
    ``text`` in the telegram, added to every span.
    """
    builder = _transformer()
    builder.begin(text, base)
    return _parse(text.replace("\n", " "), start, (builder, text, base))


def _transformer():
    """The parser's transformer (kept with its parser: Lark's options answer through a
    slow __getattr__)."""
    lark = parser()
    if _TRANSFORMER[0] is not lark:
        _TRANSFORMER[:] = [lark, lark.options.transformer]
    return _TRANSFORMER[1]


_TRANSFORMER: list = [None, None]  # (parser, its transformer)


def _parse(text: str, start: str, again: tuple | None = None):
    """The driver's parse of ``text``; ``Lark.parse`` where the driver cannot tell
    (``again``, a transformer with the element's text and offset, is readied for a
    second parse first)."""
    result = _driver().parse(text, start)
    if result.__class__ is _Failure:
        raise ParseFailure(result.message, result.offset)
    if result is not _FAILED:
        return result
    if again is not None:
        builder, original, base = again
        builder.begin(original, base)
    try:
        return parser().parse(text, start=start)
    except UnexpectedInput as exc:
        raise ParseFailure(_describe(exc), getattr(exc, "pos_in_stream", 0) or 0) from None
    except LarkError as exc:  # pragma: no cover - defensive
        raise ParseFailure(str(exc).splitlines()[0], 0) from None


def _unexpected(value: str) -> str:
    """How a token that does not fit is named in a ParseFailure."""
    return f"unexpected {value[:30]!r}"


def _unexpected_character(char: str) -> str:
    return f"unexpected character {char!r}"


_END_OF_TEXT = "unexpected end of text"


def _describe(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return _END_OF_TEXT
    if token is not None:
        return _unexpected(str(token))
    char = getattr(exc, "char", None)
    if char is not None:
        return _unexpected_character(char)
    return "unexpected input"
