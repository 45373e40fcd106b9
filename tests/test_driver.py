"""The fast LALR driver (markcheck.grammar._Driver) gives what Lark's own parse gives.

The driver runs the tables Lark built, read as plain data (markcheck.lalr); these
tests hold it to Lark's result, token for token (types, text, offsets), on real
cables, on mutated ones and on random element texts, and to Lark's error where the
text does not fit.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token as LarkToken, Tree as LarkTree

import markcheck.grammar as grammar
from markcheck import lalr
from markcheck.grammar import ELEMENT_STARTS, ParseFailure, parse_element
from markcheck.lalr import Token, Tree
from markcheck.model import build
from markcheck.source import read_source

from conftest import SEED


@contextlib.contextmanager
def lark_only():
    """Every parse in the block falls back to ``Lark.parse``."""
    saved = grammar._driver
    grammar._driver = lambda: grammar._LarkOnly()
    try:
        yield
    finally:
        grammar._driver = saved


def flat(node):
    """A tree as nested tuples, tokens with their type and offsets (the driver's trees
    and Lark's alike)."""
    if isinstance(node, (Tree, LarkTree)):
        return (str(node.data), tuple(flat(c) for c in node.children))
    if isinstance(node, (Token, LarkToken)):
        return (node.type, str(node), node.start_pos, node.end_pos)
    return node  # a model part (element rules)


def outcome(fn):
    try:
        return ("ok", fn())
    except ParseFailure as exc:
        return ("error", str(exc), exc.offset)


def both_documents(text: str):
    """The driver and Lark agree on ``text``: the same tree, or the same error."""
    direct = grammar._driver().parse(text, "start")
    fast = outcome(lambda: grammar.parse_document(text))
    with lark_only():
        slow = outcome(lambda: grammar.parse_document(text))
    if slow[0] == "ok":
        assert isinstance(direct, Tree), "driver rejected what Lark parses"
        assert flat(fast[1]) == flat(slow[1]) == flat(grammar.parser().parse(text, start="start"))
    else:
        assert not isinstance(direct, Tree), "driver parsed what Lark rejects"
        assert fast == slow


def test_driver_matches_lark_on_the_seed():
    both_documents(read_source(str(SEED)).text)


def test_driver_matches_lark_on_corpus(corpus):
    """Document trees token for token, and the whole model (elements included)."""
    paths = sorted((corpus / "cables").iterdir())[::4]
    for path in paths:
        source = read_source(str(path))
        both_documents(source.text)
        fast = build(source)
        with lark_only():
            slow = build(source)
        assert fast == slow, path.name
    assert len(paths) > 1000


LINES = read_source(str(SEED)).text.split("\n")
NOISE = st.text(alphabet=st.sampled_from("()/.:-,; \nXCSUNF0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabc\t"),
                max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(LINES) - 1), NOISE, st.booleans()), max_size=6))
def test_driver_matches_lark_on_mutated_seed(edits):
    lines = list(LINES)
    for index, noise, replace in edits:
        index %= len(lines)
        if replace:
            lines[index] = noise
        else:
            lines.insert(index, noise + lines[index])
    both_documents("\n".join(lines))


ELEMENT_TEXT = st.one_of(
    NOISE,
    st.sampled_from(["C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961", "(S/NF)", "(C)",
                     "E.O. 12958: DECL: 10/21/2015", "TAGS: PREL, PGOV, FR", "SUBJECT: TALKS",
                     "REF: A. STATE 1234 B. PARIS 567", "Classified By: DCM John Smith for reasons "
                     "1.4 (b) and (d).", "1. (C)", "S E C R E T STATE 001234"]),
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ELEMENT_STARTS), ELEMENT_TEXT, NOISE, st.integers(0, 40))
def test_driver_matches_lark_on_elements(start, text, noise, cut):
    text = text[:cut] + noise + text[cut:] if cut % 3 == 0 else text
    fast = outcome(lambda: parse_element(text, start, 7))
    with lark_only():
        slow = outcome(lambda: parse_element(text, start, 7))
    if fast[0] == "ok" and isinstance(fast[1], Tree):
        assert slow[0] == "ok" and flat(fast[1]) == flat(slow[1])
    else:
        assert fast == slow


@pytest.mark.parametrize("start", ELEMENT_STARTS)
def test_driver_rejects_what_lark_rejects(start):
    with pytest.raises(ParseFailure) as fast:
        parse_element("\x00\x01", start)
    with lark_only(), pytest.raises(ParseFailure) as slow:
        parse_element("\x00\x01", start)
    assert (str(fast.value), fast.value.offset) == (str(slow.value), slow.value.offset)


def test_driver_trees_pickle_and_copy():
    """A tree from the driver survives pickle and deepcopy, tokens with their types and
    offsets."""
    import copy
    import pickle

    text = read_source(str(SEED)).text
    tree = grammar.parse_document(text)
    assert flat(pickle.loads(pickle.dumps(tree))) == flat(tree)
    assert flat(copy.deepcopy(tree)) == flat(tree) == flat(grammar.parser().parse(text, start="start"))
    assert pickle.loads(pickle.dumps(tree)) == tree


def test_lark_insides_not_as_expected_fall_back_to_lark(monkeypatch):
    """Where a Lark release lays out its parser otherwise, every parse is Lark's."""
    class Other:  # a Lark object with nothing the tables are read from
        pass

    with pytest.raises(lalr.Unsupported):
        lalr.from_lark(Other())
    real = grammar.parser()
    source = read_source(str(SEED))
    grammar._driver.cache_clear()
    grammar.tables.cache_clear()
    try:
        monkeypatch.setattr(grammar, "_tables_key", lambda: None)  # no kept tables: read from Lark
        monkeypatch.setattr(grammar, "parser", lambda: Other())
        fallback = grammar._driver()  # made from the odd Lark object
        monkeypatch.setattr(grammar, "parser", lambda: real)
        assert isinstance(fallback, grammar._LarkOnly)
        tree = grammar.parse_document(source.text)  # by Lark.parse
        cable = build(source)
    finally:
        grammar._driver.cache_clear()
        grammar.tables.cache_clear()
    assert flat(tree) == flat(real.parse(source.text, start="start"))
    assert cable == build(source)  # the driver again: the same model


# -- the scanners split by first character (_Driver._for_char) ----------------------------


@pytest.mark.parametrize("regex, yes, no", [
    (r"\n+", "\n", "a \t"),
    (r"[^\n]+\n", "aZ(1 ", "\n"),
    (r"(?i:abc)|x", "aAx", "bX\n"),
    (r"TAGS?(?![a-z])", "T", "ta"),
    (r"(?i)tags", "tT", "a"),
    (r"(?:\((?:U|C)\) *)?CLASSIFIED +BY", "(C", "c\n"),
    (r"(?!\d)[^\n]*\n", "\n1a", ""),  # a lookahead is not read: unsure, so True
    (r"x?y", "xy", "z"),
    (r"x?", "\nq", ""),  # may match the empty string: may start anywhere
    (r"(?>a|b)c", "ab", "c"),
    (r"a{0}b", "b", "a"),
])
def test_may_start_reads_first_characters(regex, yes, no):
    may = grammar._may_start(regex, 0)
    assert all(may(ch) for ch in yes)
    assert not any(may(ch) for ch in no)


@pytest.mark.parametrize("regex, chars", [
    (r"(?i:ab)|\d", "aA0123456789"),
    (r"(?i:\u212a)x", "kK"),  # the Kelvin sign folds to ASCII k: re's folding, not str.lower
    (r"[^\n]", "".join(chr(i) for i in range(128) if i != 10)),
    (r"(?=x)[a-c]+?|(?>z)", "abcz"),
    (r"(?:a|)b", "ab"),
    (r"\bq", "q"),
])
def test_first_chars_are_the_ascii_characters_a_match_may_start_with(regex, chars):
    assert grammar._first_chars(regex, 0)[1] == frozenset(chars)


@pytest.mark.parametrize("regex", [r"x*", r"(?:a|)", r"(?=a)", r"a{0}"])
def test_first_chars_unknown_where_the_empty_string_may_match(regex):
    assert grammar._first_chars(regex, 0)[1] is None


def _document_terminals():
    lark = grammar.parser()
    return [t for t in lark.terminals]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("\n \t(./:-ABCEILNOPRSTUXYZacegilnorstu0123489\"',\u00e9"),
               min_size=1, max_size=40))
def test_may_start_never_rules_out_a_match(text):
    """Soundness: where a terminal matches a text, it may start with its first character."""
    for t in _document_terminals():
        regex = t.pattern.to_regexp()
        flags = grammar.parser().lexer_conf.g_regex_flags
        if re.match(regex, text, flags):
            assert grammar._may_start(regex, flags)(text[0]), (t.name, text)


def test_may_start_never_rules_out_a_match_on_real_lines(corpus):
    """The same on the start of every line of a sample of real cables."""
    flags = grammar.parser().lexer_conf.g_regex_flags
    readers = [(t.name, re.compile(t.pattern.to_regexp(), flags),
                grammar._may_start(t.pattern.to_regexp(), flags)) for t in _document_terminals()]
    paths = sorted((corpus / "cables").iterdir())[::40]
    for path in paths:
        text = read_source(str(path)).text
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n" and i + 1 < len(text)]
        for at in starts:
            for name, pattern, may in readers:
                if pattern.match(text, at) and not may(text[at]):
                    pytest.fail(f"{name} matches at {path.name}:{at} but was ruled out")


def test_split_scanners_give_the_same_tokens_as_whole_ones():
    """Scanners split by first character (each terminal tried alone) give the same tokens
    as Lark's whole alternations, documents and elements (string terminals included)."""
    seed = SEED.read_text()
    elements = [("(S//NF)", "portion"), ("(SBU-NF)", "portion"), ("(C)", "portion"),
                ("TAGS: PREL, PGOV", "tags"), ("E.O. 12958: DECL: 10/21/2015", "eo"),
                ("S E C R E T STATE 001234", "banner")]
    grammar._driver.cache_clear()
    try:
        driver = grammar._driver()
        driver.split = False
        whole = flat(grammar.parse_document(seed))
        whole_elements = [flat(parse_element(text, start)) for text, start in elements]
        assert all(entry[0] is None for entry in driver._by_terminals.values())
        assert not driver._singles
        driver.split = True
        driver.lexers.clear()
        driver._by_terminals.clear()
        assert flat(grammar.parse_document(seed)) == whole
        assert [flat(parse_element(text, start)) for text, start in elements] == whole_elements
        split = list(driver._by_terminals.values())
        assert all(entry[0] for entry in split)  # every scanner split, filled as met
        terminals = grammar.tables().terminals
        assert any(terminals[name][2] == "str" for entry in split for name in entry[3][0])
        assert driver._singles  # terminals tried one by one: fewer than all at some characters
        tries = [t for entry in split for t in entry[0].values()]
        assert any(len(t) < len(entry[3][0]) for entry in split for t in entry[0].values())
        assert all(name is not None for t in tries for _match, name in t)
        # at a character past ASCII every terminal is tried, and nothing is kept
        text = seed.replace("\nE.O.", "\n\u4e00 text\n\nE.O.", 1)  # in the header zone
        assert repr("\u4e00 text\n") in repr(flat(grammar.parse_document(text)))
        both_documents(text)  # the same tree as Lark's
        assert not any("\u4e00" in entry[0] for entry in driver._by_terminals.values())
        assert any(len(entry[0].get(None, ())) == len(entry[3][0]) > 1 for entry in split)
    finally:
        grammar._driver.cache_clear()


# -- Lark's scanner order, read without building Lark's scanners ---------------------------


def _lark_scanner_order(basic):
    """What Lark's own _create_unless makes of a lexer's terminals: (names, callbacks?)."""
    from lark.lexer import _create_unless

    terminals, callbacks = _create_unless(list(basic.terminals), basic.g_regex_flags, re, basic.use_bytes)
    return [t.name for t in terminals], bool(callbacks)


def _lark_order(lark, basic):
    ignore = tuple(sorted(map(str, lark.lexer_conf.ignore)))
    return lalr._lark_order(basic, lark.lexer_conf.g_regex_flags, ignore, {})


def _order_agrees(lark, basic):
    names, unless = _lark_order(lark, basic)
    assert (list(names), unless) == _lark_scanner_order(basic)
    return unless


def test_lark_order_is_lark_scanners_order_on_the_grammar():
    """Every state's scanner and the root one (which leaves out the string terminals a
    pattern of theirs reads, and has callbacks), as Lark orders them; and as the tables
    keep them."""
    lark = grammar.parser()
    lexers = list({id(b): b for b in lark.parser.lexer.lexers.values()}.values())
    assert not any(_order_agrees(lark, basic) for basic in lexers)
    assert any(t.pattern.type == "str" for basic in lexers for t in basic.terminals)
    root = lark.parser.lexer.root_lexer
    assert _order_agrees(lark, root)
    assert len(_lark_order(lark, root)[0]) < len(root.terminals)  # strings left out
    tables = grammar.tables()
    assert {state: tuple(t.name for t in basic.terminals) for state, basic in lark.parser.lexer.lexers.items()} \
        == tables.lexers
    assert tables.root == _lark_order(lark, root)[0]


TOY = r"""
start: stmt+
stmt: "let" NAME "=" (NUMBER | WORD) ";" -> let
    | "(" NUMBER+ ")"                    -> group
    | AND WORD OR                         -> pair
    | KW (NAME | KW)                      -> kw
NAME: /[a-z]+/
WORD: /[a-z]{1,3}(?=;)/
NUMBER: /\d+/
AND: "and"i
OR.2: "or"
KW: "kw"
%ignore " "
"""


@pytest.fixture(scope="module")
def toy():
    from lark import Lark, Transformer

    lark = Lark(TOY, parser="lalr", lexer="contextual", transformer=Transformer())
    return lark, grammar._Driver(lalr.from_lark(lark))


def test_lark_order_is_lark_scanners_order_with_string_terminals(toy):
    """String terminals read whole by a pattern of the same priority: left out of the
    scanner where their flags are among the pattern's ("let", "kw" in NAME), kept where
    not ("and"i) or where the priority differs ("or")."""
    lark, driver = toy
    basics = list({id(b): b for b in lark.parser.lexer.lexers.values()}.values())
    basics.append(lark.parser.lexer.root_lexer)
    assert any([_order_agrees(lark, basic) for basic in basics])
    names = list(_lark_order(lark, lark.parser.lexer.root_lexer)[0])
    assert driver.tables.root == tuple(names)
    assert None in driver.tables.lexers.values()  # the "kw" state: its scanner renames a token
    assert "LET" not in names and "KW" not in names and "AND" in names and "OR" in names


@pytest.mark.parametrize("text", ["let x = 12;", "let x = y;", "( 1 2 3 ) let ab = 4;", "and cat or",
                                  "let x = 1; x", "let x = 1; =", "( 1 x )", "let x = 1; ;", "let ? = 1;",
                                  "kw abc", "kw kw", "and or or"])
def test_driver_matches_lark_on_a_grammar_with_string_terminals(toy, text):
    """Where no state has callbacks, split scans with string terminals read as Lark does,
    errors included; where one has (the "kw" state), the driver leaves the text to Lark."""
    from lark.exceptions import UnexpectedInput

    lark, driver = toy
    result = driver.parse(text, "start")
    try:
        expected = ("ok", flat(lark.parse(text)))
    except UnexpectedInput as exc:
        expected = ("error", grammar._describe(exc), exc.pos_in_stream)
    if text.startswith("kw"):
        assert result is grammar._FAILED and not driver.usable
        driver.usable = True
        driver.lexers.clear()
        driver._by_terminals.clear()
        return
    if isinstance(result, grammar._Failure):
        assert expected == ("error", result.message, result.offset)
    else:
        assert expected == ("ok", flat(result))


# -- the failure where no terminal fits: Lark's root lexer, read by single terminals ------


JUNK = ["\x00", "(", ")", "(S//NF", " ,", ":", "\t", "SECRET ", "1.", "//", "-", "\u00e9", "\n\n"]


def _counting_no_terminal(monkeypatch):
    counts = {"failures": 0}
    real = grammar._Driver._no_terminal

    def no_terminal(self, text, pos):
        result = real(self, text, pos)
        counts["failures"] += isinstance(result, grammar._Failure)
        return result

    monkeypatch.setattr(grammar._Driver, "_no_terminal", no_terminal)
    return counts


def test_no_terminal_words_failures_as_lark_in_elements(monkeypatch):
    """Junk put at every place of element texts, for every element rule: the driver's
    error (message and offset) is Lark's, and hundreds of them come from the root
    lexer's reading. (A document's grammar reads any text: no such failure there.)"""
    counts = _counting_no_terminal(monkeypatch)
    texts = ["(S//NF)", "(SBU-NF) text", "TAGS: PREL, PGOV", "E.O. 12958: DECL: 10/21/2015",
             "S E C R E T STATE 001234", "REF: A. STATE 1234 B. PARIS 567", "SUBJECT: TALKS",
             "Classified By: DCM John Smith for reasons 1.4 (b) and (d).", "1. (C)"]
    for start in ELEMENT_STARTS:
        for text in texts:
            for n, at in enumerate(range(len(text) + 1)):
                broken = text[:at] + JUNK[(n + len(text)) % len(JUNK)] + text[at:]
                fast = outcome(lambda: parse_element(broken, start, 3))
                with lark_only():
                    slow = outcome(lambda: parse_element(broken, start, 3))
                if fast[0] == "error" or slow[0] == "error":
                    assert fast == slow, (start, broken)
    assert counts["failures"] > 200


# -- terminals kept for the next process (_Driver._read_terminals) --------------------------


def _scanned(driver, texts):
    """Every terminal's match, through the driver's singles, at the start of each text."""
    flags = grammar.parser().lexer_conf.g_regex_flags
    out = []
    for t in grammar.parser().terminals:
        single = driver._single(t.name, flags)
        for text in texts:
            m = single(text)
            out.append((t.name, m and (m.group(), m.end())))
    return out


def _sample_texts():
    lines = SEED.read_text().split("\n")
    return [line + "\n" for line in lines[:80]] + ["(S//NF) x", "TAGS: PREL", "  \n\n", "\u00e9t\u00e9 x\n"]


def test_terminals_kept_for_the_next_process(tmp_path, monkeypatch):
    """A first driver reads every terminal and keeps it; a second one reads the file and
    parses no pattern, with the same first characters and the same matches as re's."""
    path = str(tmp_path / "terminals.cache")
    lark = grammar.parser()
    flags = lark.lexer_conf.g_regex_flags
    first = grammar._Driver(grammar.tables(), cache=path)
    assert len(first._codes) == len(lark.terminals)
    with open(path, "rb") as file:
        kept = file.read()

    def no_parse(*args):
        raise AssertionError("parsed a pattern again")

    monkeypatch.setattr(grammar, "_first_chars", no_parse)
    monkeypatch.setattr(re, "compile", no_parse)
    second = grammar._Driver(grammar.tables(), cache=path)
    assert second._first_chars == first._first_chars
    texts = _sample_texts()
    scanned = _scanned(second, texts)
    monkeypatch.undo()
    fresh = grammar._Driver(grammar.tables())  # no file: each terminal read and compiled when met
    assert scanned == _scanned(fresh, texts)
    for t in lark.terminals:
        fresh._may(t.name, flags, "a")
    assert fresh._first_chars == {(t.name, flags): grammar._first_chars(t.pattern.to_regexp(), flags)[1]
                                  for t in lark.terminals}
    assert second._first_chars == fresh._first_chars
    with open(path, "rb") as file:
        assert file.read() == kept  # read, not written again
    # the driver on that file parses as Lark does
    seed = SEED.read_text()
    driver = grammar._Driver(grammar.tables(), cache=path)
    assert flat(driver.parse(seed, "start")) == flat(lark.parse(seed, start="start"))


@pytest.mark.parametrize("damage", ["garbage", "other key", "other entries", "bad code"])
def test_terminals_file_not_as_written_is_not_trusted(tmp_path, damage):
    """A damaged file, or one kept for other terminals or another Python, is read anew
    (and replaced); code that re's engine refuses is compiled from the pattern."""
    import marshal

    path = tmp_path / "terminals.cache"
    lark = grammar.parser()
    grammar._Driver(grammar.tables(), cache=str(path))
    key, entries = marshal.loads(path.read_bytes())
    if damage == "garbage":
        path.write_bytes(b"\x00not marshal")
    elif damage == "other key":
        path.write_bytes(marshal.dumps((key[:-1] + ((("X", "x"),),), entries)))
    elif damage == "other entries":
        path.write_bytes(marshal.dumps((key, {name: "x" for name in entries})))
    else:
        path.write_bytes(marshal.dumps((key, {name: (None, (32, [1, 2, 3], 0, {}, (None,)))
                                              for name in entries})))
    driver = grammar._Driver(grammar.tables(), cache=str(path))
    texts = _sample_texts()
    assert _scanned(driver, texts) == _scanned(grammar._Driver(grammar.tables()), texts)
    seed = SEED.read_text()
    assert flat(driver.parse(seed, "start")) == flat(lark.parse(seed, start="start"))
    if damage != "bad code":  # replaced by a good one
        assert marshal.loads(path.read_bytes())[0] == key
        assert len(grammar._Driver(grammar.tables(), cache=str(path))._codes) == len(lark.terminals)


def test_terminals_file_unwritable_leaves_terminals_read_when_met(tmp_path):
    path = tmp_path / "missing" / "terminals.cache"
    driver = grammar._Driver(grammar.tables(), cache=str(path))
    assert not path.exists()
    seed = SEED.read_text()
    assert flat(driver.parse(seed, "start")) == flat(grammar.parser().parse(seed, start="start"))


def test_token_types_are_plain_strings_as_lark_gives_them():
    """Lark's scanner names a token by its regex group: a plain str. The driver's split
    scans do the same (some terminal names are Lark Tokens, whose comparisons are slow),
    and find them in the action table by identity."""
    seed = SEED.read_text()
    def tokens(node):
        for child in node.children:
            if isinstance(child, Tree):
                yield from tokens(child)
            elif isinstance(child, Token):
                yield child

    types = [tok.type for tok in tokens(grammar.parse_document(seed))]
    assert types and all(type(ty) is str for ty in types)
    lark_types = [tok.type for tok in grammar.parser().parse(seed, start="start").scan_values(
        lambda v: isinstance(v, LarkToken))]
    assert all(type(ty) is str for ty in lark_types)
    driver = grammar._driver()
    names = {ty for entry in driver._by_terminals.values() for tries in entry[0].values() for _m, ty in tries}
    keys = {key for row in driver.actions.values() for key in row}
    assert any(type(t.name) is not str for t in grammar.parser().terminals)
    assert all(any(name is key for key in keys) for name in names if name in keys)


# -- the tables as plain data (markcheck.lalr) ------------------------------------------------


SHAPES = r"""
start: item+ pair* wrap?
item: WORD NUMBER? -> named
    | "(" NUMBER ")"
pair: _first WORD
_first: WORD ":"
?wrap: "[" (wrap | NUMBER) "]"
     | "<" NUMBER NUMBER ">"
WORD: /[a-z]+/
NUMBER: /\d+/
%ignore " "
"""


class _Builder:
    """A builder with methods for some rules (as ElementBuilder is), for Lark and the driver."""

    def pair(self, children):
        return ("pair", *map(str, children))

    def named(self, children):
        return ("named", *map(str, children))


@pytest.mark.parametrize("with_methods", [False, True])
@pytest.mark.parametrize("text", ["a 1 b", "a b (2) x: y z: w", "a [1]", "a [[<1 2>]]", "a x: y [<3 4>]",
                                  "a 1 2", "a (", "a x: y z", "x:", "a [1", "a <1>"])
def test_rule_shapes_as_lark_makes_them(text, with_methods):
    """Kept, dropped and inlined children, aliases, a ?rule's one child, repetitions and
    builder methods: the driver's result is Lark's, for a builder too (as a transformer)."""
    from lark import Lark
    from lark.exceptions import UnexpectedInput

    builder = _Builder() if with_methods else None
    lark = Lark(SHAPES, parser="lalr", lexer="contextual", transformer=builder)
    driver = grammar._Driver(lalr.from_lark(lark), builder)
    result = driver.parse(text, "start")
    try:
        expected = ("ok", flat(lark.parse(text)))
    except UnexpectedInput as exc:
        expected = ("error", grammar._describe(exc), exc.pos_in_stream)
    if isinstance(result, grammar._Failure):
        assert expected == ("error", result.message, result.offset)
    else:
        assert expected == ("ok", flat(result))
        plain = lalr.from_lark(Lark(SHAPES, parser="lalr", lexer="contextual"))
        assert grammar._from_lark_tree(lark.parse(text) if builder is None
                                       else Lark(SHAPES, parser="lalr", lexer="contextual").parse(text),
                                       builder) == result
        assert plain.rules == lalr.from_lark(lark).rules  # a transformer does not change the rules' shapes


def test_tables_round_trip_through_marshal():
    import marshal

    tables = grammar.tables()
    again = lalr.Tables.from_data(marshal.loads(marshal.dumps(tables.data())))
    assert again.data() == tables.data()
    seed = SEED.read_text()
    assert flat(grammar._Driver(again).parse(seed, "start")) == flat(grammar.parser().parse(seed, start="start"))
    for bad in [None, (), ("x",) * 9, tables.data()[:-1]]:
        with pytest.raises(ValueError):
            lalr.Tables.from_data(bad)


def test_a_builder_method_for_a_repetition_is_left_to_lark():
    """The driver adds a repetition's items to its tree without a callback: a builder
    with a method for such a rule (Lark would call it) is not the driver's to run."""
    from lark import Lark

    class Odd:
        def _items(self, children):
            return children

    tables = lalr.from_lark(Lark("start: _items\n_items: _items WORD | WORD\nWORD: /[a-z]+/\n%ignore \" \"\n",
                                 parser="lalr", lexer="contextual"))
    assert any(lalr.grows(rule) for rule in tables.rules)
    grammar._Driver(tables)  # (no builder: the driver's own)
    with pytest.raises(lalr.Unsupported):
        grammar._Driver(tables, Odd())
