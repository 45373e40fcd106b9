"""Parse telegram text with the grammar's LALR tables, and load Lark only where needed.

The grammar files (``grammar/cable.lark``, which imports ``grammar/marking.lark``)
ship inside the package as ``markcheck.lark_grammar``. Lark builds the LALR tables
from them; :mod:`markcheck.lalr` reads those tables as plain data, which are kept in
markcheck's cache folder (see :func:`tables`) with the terminals' compiled patterns
beside them (see ``_Driver._read_terminals``). A process that finds them kept parses
with :class:`_Driver` and never imports Lark; Lark is loaded (and its parser read from
Lark's own cache) only to make the tables, or to parse a text the driver leaves to it.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

from . import kept, lalr
from .lalr import GROW, PASS, Token, Tree

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["ELEMENT_STARTS", "grammar_dir", "load", "parser", "parse_document", "parse_element", "tables",
           "terminal_regex", "ParseFailure", "Token", "Tree"]

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
    from pathlib import Path

    return Path(_grammar_folder())


def _grammar_folder() -> str:
    """:func:`grammar_dir` as a str (read without pathlib or importlib.resources where the
    package is in a folder, as it is but in a zip: about 20 ms of imports saved)."""
    package = os.path.dirname(os.path.realpath(__file__))
    for folder in (os.path.join(os.path.dirname(package), "grammar"), os.path.join(package, "lark_grammar")):
        if os.path.isfile(os.path.join(folder, "cable.lark")):
            return folder
    from importlib.resources import files

    return str(files("markcheck.lark_grammar"))


def _lark_version() -> str | None:
    """The installed Lark's version, read from its ``__init__.py`` without importing it
    (None where it cannot be read: Lark is then imported to make the tables)."""
    from importlib.machinery import PathFinder

    try:
        spec = PathFinder.find_spec("lark")
        if spec is None or not spec.origin:
            return None
        with open(spec.origin, encoding="utf-8") as file:
            m = re.search(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", file.read(), re.M)
    except (OSError, ValueError, ImportError):
        return None
    return m.group(1) if m else None


def _cache_path(version: str | None = None) -> str | bool:
    """Lark's cache of the parser, in markcheck's cache folder (False where there is none)."""
    folder = kept.cache_folder()
    if folder is None:
        return False
    from . import __version__

    if version is None:
        from lark import __version__ as version

    return os.path.join(folder, f"grammar-{__version__}-lark{version}.cache")


@lru_cache(maxsize=1)
def parser():
    """Lark's LALR parser of the grammar, for documents and elements (built once per
    process, its tables cached on disk by Lark): what :func:`tables` are read from, and
    what parses a text the driver leaves to Lark. Its trees are Lark's; see
    :func:`_from_lark_tree`."""
    from lark import Lark

    path = os.path.join(_grammar_folder(), "cable.lark")
    options = dict(
        parser="lalr",
        lexer="contextual",
        start=["start", *ELEMENT_STARTS],
        propagate_positions=False,
        maybe_placeholders=False,
    )
    cache = _cache_path()
    if cache:
        try:
            return Lark.open(path, cache=cache, **options)
        except (OSError, EOFError, ValueError):
            pass  # an unreadable or stale cache file: build without it
    return Lark.open(path, **options)


@lru_cache(maxsize=1)
def _tables_key() -> tuple | None:
    """What kept tables are for: Lark's version, the grammar files' texts and the module
    that reads the tables from Lark (its size and time: an edit of it in a source tree
    makes them anew). None where any cannot be read."""
    version = _lark_version()
    if version is None:
        return None
    folder = _grammar_folder()
    try:
        texts = []
        for name in sorted(os.listdir(folder)):
            if name.endswith(".lark"):
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    texts.append((name, file.read()))
        reader = os.stat(lalr.__file__)
    except (OSError, ValueError):
        return None
    return (version, tuple(texts), (reader.st_size, reader.st_mtime_ns))


def _tables_path(key: tuple) -> str | None:
    """The file of the tables kept for ``key``: named by a checksum of it, so two
    installs of one release (a project's venv, pre-commit's) each find their own and
    never make the other's anew."""
    import zlib

    cache = _cache_path(key[0])
    if not cache:
        return None
    # (repr: marshal's bytes of equal keys may differ, by which objects they share)
    return f"{os.path.splitext(cache)[0]}-tables-{zlib.crc32(repr(key).encode()):08x}.cache"


@lru_cache(maxsize=1)
def tables() -> lalr.Tables:
    """The grammar's parser as plain data (:class:`markcheck.lalr.Tables`): read from the
    file an earlier process kept, else read from Lark's parser and kept for the next
    process. :class:`markcheck.lalr.Unsupported` where Lark's parser is not laid out as
    read there."""
    import marshal
    import zlib

    key = _tables_key()
    path = _tables_path(key) if key is not None else None
    if path:
        try:
            with open(path, "rb") as file:
                stored_key, checksum, blob = marshal.loads(file.read())
            # (the checksum: marshal reads a damaged file as some other data)
            if stored_key == key and zlib.crc32(blob) == checksum:
                return lalr.Tables.from_data(marshal.loads(blob))
        except (OSError, EOFError, ValueError, TypeError):
            pass  # none yet, or not as written here: read anew (and replaced)
    made = lalr.from_lark(parser())
    if path:
        blob = marshal.dumps(made.data())
        kept.write_whole(path, (key, zlib.crc32(blob), blob))
    return made


def terminal_regex(name: str) -> str:
    """The regular expression of terminal ``name`` as the grammar defines it."""
    return tables().regex(name)


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
    from re import _compiler, _parser
    from re import _constants as c

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
    """The file beside the kept tables that keeps every terminal's first characters and
    compiled code (see :meth:`_Driver._read_terminals`); None where there is none."""
    key = _tables_key()
    cache = _cache_path(key[0]) if key is not None else None
    if not cache:
        return None
    return f"{os.path.splitext(cache)[0]}-terminals-{sys.implementation.cache_tag}.cache"


class _Driver:
    """Runs the LALR tables and contextual-lexer scanners that Lark built from the
    grammar (:class:`markcheck.lalr.Tables`), in one tight loop per text.

    Same tables, same terminals (each parser state lexes with the terminals it can
    accept, tried in Lark's order), same rule shapes (children kept, inlined, a
    ``?rule``'s one child standing for it), trees as Lark builds them and the
    ``builder``'s method (:class:`~markcheck.model.ElementBuilder`) where it has one
    named as the rule, as Lark calls a transformer's: so the same result as
    ``Lark.parse``, about twice as fast: no line counting, no generator, one dict
    lookup per action. Where the text does not fit, :meth:`parse` returns a
    :class:`_Failure` worded as Lark words it (see :func:`_describe`), or
    :data:`_FAILED` where it cannot tell; the caller then runs ``Lark.parse`` for
    Lark's own error. A test compares the two on a quarter of the corpus and on mutated
    texts.
    """

    def __init__(self, tables: lalr.Tables, builder=None, cache: str | None = None) -> None:
        self.tables = tables
        self.start_states = tables.start_states
        self.end_states = tables.end_states
        self.actions = tables.actions
        self.callbacks = callbacks = [_callback(rule, builder) for rule in tables.rules]
        # a repetition's helper rule adds its item to its Tree (GROW), with no callback:
        # a builder method for one (Lark would call it) is not read here
        if any(getattr(callback, "method", False) and lalr.grows(rule)
               for rule, callback in zip(tables.rules, callbacks)):
            raise lalr.Unsupported("a builder method for a repetition's helper rule")
        self.usable = True
        self._root = None  # the scan of the root lexer, made at the first text that fails
        self._by_terminals: dict = {}  # terminal names -> their scan
        self.lexers: dict = {}  # parser state -> its scan (see _scanner), made on first use
        self._singles: dict = {}  # (terminal name, flags) -> match of its pattern alone
        self._first_chars: dict = {}  # (terminal name, flags) -> its first characters (_first_chars)
        self._trees: dict = {}  # (terminal name, flags) -> re's parse of its pattern, not compiled yet
        self.split = True  # split scanners (see _for_char); False: one alternation, as Lark's
        self._codes: dict = {}  # (terminal name, flags) -> its kept.sre_args, read from the cache file
        if cache:
            self._read_terminals(cache)

    def _read_terminals(self, path: str) -> None:
        """Every terminal's first characters and ``re`` code, kept in the file at
        ``path``, or read now (all of them) and kept there for the next process.

        Parsing and compiling each terminal's pattern is most of what a fresh process
        pays for its first texts, and every ``--jobs`` worker paid it again; from the
        file each pattern is only handed to ``_sre.compile`` (about a tenth of that),
        as ``re.compile`` hands it. The file is for one grammar's terminals, one regex
        engine and one Python (its key); any other, or an unreadable file, is read anew
        and replaced. Where it cannot be written, each terminal is read when first met."""
        import _sre
        import marshal

        flags = self.tables.flags
        terminals = [(name, entry[0]) for name, entry in self.tables.terminals.items()]
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
        """The scan of parser state ``state``: its terminals in the order Lark's
        contextual lexer tries them, made on first use (a one-file run reads only the
        states it visits). None where the tables do not hold that order (see
        :func:`markcheck.lalr._lark_order`): the parse is then Lark's.

        The scan is ``(by_char, ignored types, match, (terminal names, flags) or None)``.
        A scan is split (see :meth:`_for_char`): ``by_char`` maps the character at the
        scan position to the terminals to try there, filled in as characters are met.
        With ``split`` off, ``by_char`` is None and ``match`` is one alternation of all
        the terminals, as Lark's scanner is."""
        names = self.tables.lexers.get(state)
        if names is None:
            self.usable = False
            return None
        entry = self.lexers[state] = self._scan_of(names)
        return entry

    def _scan_of(self, names: tuple):
        """The scan (see :meth:`_scanner`) of these terminals, tried in this order."""
        entry = self._by_terminals.get(names)
        if entry is None:  # states of the same terminals share their scan
            flags = self.tables.flags
            ignore = frozenset(self.tables.ignore)
            if self.split:
                entry = ({}, ignore, None, (names, flags))
            else:
                regex = "|".join(f"(?P<{name}>{self.tables.regex(name)})" for name in names)
                entry = (None, ignore, re.compile(regex, flags).match, None)
            self._by_terminals[names] = entry
        return entry

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
                tries = by_char[None] = tuple((self._single(name, flags), name) for name in chosen)
            return tries
        may = [name for name in chosen if self._may(name, flags, char)]
        tries = tuple((self._single(name, flags), name) for name in may)
        if len(may) == 1 and may[0] in ignore:
            chars = _run_of(self.tables.regex(may[0]), flags)
            if chars is not None and char in chars:  # (blank lines between elements, blanks: skipped without re)
                tries = _Run(tries)
                tries.chars = chars
        by_char[char] = tries
        return tries

    def _single(self, name: str, flags: int):
        """``match`` of one terminal's pattern, compiled once: from the code an earlier
        process kept, else from ``re``'s parse read for its first characters, else from
        the pattern."""
        key = (name, flags)
        match = self._singles.get(key)
        if match is None:
            regex = self.tables.regex(name)
            args = self._codes.pop(key, None)
            if args is not None:  # compiled by an earlier process (see _read_terminals)
                try:
                    import _sre

                    match = _sre.compile(regex, *args).match
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
                match = re.compile(regex, flags).match
            self._singles[key] = match
        return match

    def _may(self, name: str, flags: int, char: str) -> bool:
        """May terminal ``name`` match at a position holding the ASCII character ``char``?"""
        key = (name, flags)
        chars = self._first_chars.get(key, _UNREAD)
        if chars is _UNREAD:
            try:
                tree, chars = _first_chars(self.tables.regex(name), flags)
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
            if self.tables.root is None:
                return _FAILED
            root = self._root = self._scan_of(self.tables.root)
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
        callbacks = self.callbacks
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
                token = new(Token, text[pos:end])  # (m.group(), without a method call)
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
                kind, count, name, rule = action  # reduce
                # (the goto state replaces the top of the stack where the reduce pops
                # one state at least: no pop and push)
                if kind == PASS:  # ?rule with one child: the child stands for it
                    states[-1] = state = actions[states[-2]][name]
                elif kind == GROW:  # a repetition: its next item joins its Tree
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
                    values.append(callbacks[rule](children))
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
    from re import _constants as c
    from re import _parser

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


_FAILED = object()
_UNREAD = object()  # a terminal whose first characters are not read yet


class _Failure:
    """Where and why a text does not fit the grammar, as ``Lark.parse`` would say it."""

    __slots__ = ("message", "offset")

    def __init__(self, message: str, offset: int) -> None:
        self.message = message
        self.offset = offset


class _LarkOnly:
    """Stands in for the driver where Lark's parser is not laid out as
    :mod:`markcheck.lalr` reads it (another Lark release): every text is then parsed by
    ``Lark.parse``."""

    usable = False

    def parse(self, text: str, start: str):
        return _FAILED


def _callback(rule: tuple, builder):
    """What a reduce of ``rule`` (see :class:`markcheck.lalr.Tables`) makes of its
    children, as Lark's callback for it: the children it keeps (an inlined child's
    own children in its place), its one child where that stands for it, and then the
    ``builder``'s method named as the rule (a transformer's, as Lark calls it) or a
    Tree. A method's callback has ``method`` set."""
    name, _origin, _expansion, expand1, keep = rule
    method = getattr(builder, name, None) if builder is not None else None
    if callable(method):
        make = method
    else:
        method = None

        def make(children):
            return Tree(name, children)

    if expand1:
        inner = make

        def make(children):
            return children[0] if len(children) == 1 else inner(children)

    if keep is not None:
        shaped = make
        if keep == ((0, True), (1, False)):  # a repetition: the list so far, one more item
            def make(children):
                out = children[0].children
                out.append(children[1])
                return shaped(out)
        else:
            def make(children):
                out = []
                for i, inline in keep:
                    if inline:
                        if out:
                            out += children[i].children
                        else:
                            out = children[i].children
                    else:
                        out.append(children[i])
                return shaped(out)

    if method is not None:
        try:
            make.method = True
        except AttributeError:  # a bound method: no attributes of its own
            bound = make

            def make(children):
                return bound(children)

            make.method = True
    return make


@lru_cache(maxsize=1)
def _driver() -> _Driver | _LarkOnly:
    try:
        return _Driver(tables(), _builder(), _terminal_cache_path())
    except (lalr.Unsupported, AttributeError, KeyError, TypeError, ValueError, ImportError):
        return _LarkOnly()


@lru_cache(maxsize=1)
def _builder():
    """The :class:`~markcheck.model.ElementBuilder` whose methods build the element
    rules' model parts as they are parsed."""
    from .model import ElementBuilder  # here: model imports this module

    return ElementBuilder()


def load() -> None:
    """Read the tables and make the driver now (the driver reads or writes the kept
    terminals, see :meth:`_Driver._read_terminals`): ``--jobs`` workers forked
    afterwards inherit both, and a first run writes the files once, not once per worker."""
    _driver()


def parse_document(text: str) -> Tree:
    """Parse telegram text into the document tree; raise ParseFailure if it cannot."""
    return _parse(text, "start")


def parse_element(text: str, start: str, base: int = 0):
    """Parse one element's text (newlines read as blanks) with start rule ``start``.

    The element rules are built into model parts as they are parsed (the driver's
    builder, :class:`markcheck.model.ElementBuilder`); ``base`` is the offset of
    ``text`` in the telegram, added to every span.
    """
    builder = _builder()
    builder.begin(text, base)
    return _parse(text.replace("\n", " "), start, (builder, text, base))


def _parse(text: str, start: str, again: tuple | None = None):
    """The driver's parse of ``text``; ``Lark.parse`` where the driver cannot tell
    (``again``, the builder with the element's text and offset, is readied for a
    second parse first)."""
    result = _driver().parse(text, start)
    if result.__class__ is _Failure:
        raise ParseFailure(result.message, result.offset)
    if result is not _FAILED:
        return result
    if again is not None:
        builder, original, base = again
        builder.begin(original, base)
    else:
        builder = _builder()
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = parser().parse(text, start=start)
    except UnexpectedInput as exc:
        raise ParseFailure(_describe(exc), getattr(exc, "pos_in_stream", 0) or 0) from None
    except LarkError as exc:  # pragma: no cover - defensive
        raise ParseFailure(str(exc).splitlines()[0], 0) from None
    return _from_lark_tree(tree, builder)


def _from_lark_tree(node, builder):
    """Lark's tree as the driver builds it: markcheck's Tree and Token, and the
    builder's method applied to each subtree named as one (as the driver calls it when
    it reduces the rule, and as a Lark transformer would: children first)."""
    from lark import Token as LarkToken
    from lark import Tree as LarkTree

    def convert(node):
        if isinstance(node, LarkTree):
            children = [convert(child) for child in node.children]
            name = str(node.data)
            method = getattr(builder, name, None)
            return method(children) if callable(method) else Tree(name, children)
        if isinstance(node, LarkToken):
            return Token(sys.intern(str(node.type)), str(node), node.start_pos, node.end_pos)
        return node

    return convert(node)


def _unexpected(value: str) -> str:
    """How a token that does not fit is named in a ParseFailure."""
    return f"unexpected {value[:30]!r}"


def _unexpected_character(char: str) -> str:
    return f"unexpected character {char!r}"


_END_OF_TEXT = "unexpected end of text"


def _describe(exc) -> str:
    """A ParseFailure's message for Lark's UnexpectedInput ``exc``."""
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return _END_OF_TEXT
    if token is not None:
        return _unexpected(str(token))
    char = getattr(exc, "char", None)
    if char is not None:
        return _unexpected_character(char)
    return "unexpected input"
