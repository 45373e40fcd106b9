"""The cable model: frozen dataclasses built from the parse tree.

Every element carries a :class:`Span` (offsets into the telegram text of its
:class:`~markcheck.source.Source`), so rules report exact places without touching
raw text. :func:`build` turns the document tree into a :class:`Cable`; elements
are parsed again with their own start rules by :class:`ElementBuilder`, with one
method per element rule, called as the parser reduces that rule. The commonest TAGS, SUBJECT and E.O.
lines are read instead by readers made of the grammar's own terminals
(:func:`tags_reader`, :func:`subject_reader`, :func:`eo_reader`), to the same parts;
classification lines, REF and Classified By elements by readers that run the parser's
own tables and lexer order without its callbacks (:func:`banner_reader`,
:func:`ref_reader`, :func:`classified_by_reader`, on :func:`_element_automaton`).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from _thread import _local as _thread_local  # (threading.local, without importing threading)
from dataclasses import field
from functools import lru_cache

from . import kept
from .grammar import ParseFailure, parse_document, parse_element
from .lalr import Token, Tree
from .markings import KNOWN_CAPTIONS, Level, Marking, level_from_word, parse_portion
from .records import maker, record
from .source import Source

__all__ = [
    "Span", "Banner", "Caption", "Passing", "EOLine", "Decl", "Tag", "Tags", "Subject",
    "Reference", "References", "ClassifiedBy", "Paragraph", "TextBlock", "Routing",
    "Preamble", "CableDate", "Cable", "build",
]


@record(order=True)
class Span:
    """Half-open offsets [start, end) into the telegram text."""

    start: int
    end: int

    def shifted(self, base: int) -> "Span":
        return Span(self.start + base, self.end + base)


#: Span(start, end) for the hot paths (a span per line, tag and paragraph part)
_span = maker(Span)


def _tok_span(tok: Token, base: int) -> Span:
    return _span(base + tok.start_pos, base + tok.end_pos)


@record
class Banner:
    """The classification line: ``C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961``."""

    span: Span
    text: str
    level: Level | None
    level_text: str
    level_span: Span
    controls: tuple[str, ...] = ()
    control_spans: tuple[Span, ...] = ()
    separators: tuple[str, ...] = ()
    rel_to: tuple[str, ...] = ()
    section: int | None = None
    of: int | None = None
    section_span: Span | None = None
    post: str | None = None
    serial: str | None = None
    origin_span: Span | None = None
    tail: str = ""
    tail_span: Span | None = None
    valid: bool = True

    @property
    def noforn(self) -> bool:
        return "NOFORN" in self.controls

    @property
    def spaced(self) -> bool:
        return " " in self.level_text.strip()


@record
class Caption:
    span: Span
    text: str
    words: tuple[str, ...]
    word_spans: tuple[Span, ...]


@record
class Passing:
    """A ``FOR``/passing line: ``FOR ISN/MTR``, ``DEPT PLEASE PASS TO USTR``."""

    span: Span
    text: str


@record
class Decl:
    text: str
    span: Span


@record
class EOLine:
    """``E.O. 12958: DECL: 10/29/2014`` and its variants."""

    span: Span
    text: str
    keyword: str = ""
    keyword_span: Span | None = None
    order: str | None = None
    order_span: Span | None = None
    na: bool = False
    decl: Decl | None = None
    decl_keyword: str = ""
    tags_inline: bool = False
    tail: str = ""
    valid: bool = True
    error: str = ""


@record
class Tag:
    text: str
    span: Span
    person: bool = False


@record
class Tags:
    span: Span
    keyword: str
    items: tuple[Tag, ...]
    valid: bool = True


@record
class Subject:
    span: Span
    keyword: str
    text: str
    text_span: Span | None
    marking: Marking | None = None
    marking_span: Span | None = None


@record
class Reference:
    span: Span
    text: str
    letter: str | None = None
    year: str | None = None
    post: str | None = None
    serial: str | None = None


@record
class References:
    span: Span
    keyword: str
    items: tuple[Reference, ...]
    text: str
    free_text: str = ""
    valid: bool = True


@record
class ClassifiedBy:
    """``Classified By: <name and title> for Reasons 1.4 (b) and (d).``"""

    span: Span
    text: str
    classifier: str = ""
    classifier_span: Span | None = None
    reason_section: str | None = None
    reason_letters: tuple[str, ...] = ()
    reason_span: Span | None = None
    reason_text: str = ""
    reason_tail: str = ""
    in_paragraph: bool = False
    valid: bool = True


@record
class Paragraph:
    """A numbered paragraph: ``1. (C) text``, with its wrapped lines.

    ``text`` (the words after the number and mark, blanks and line breaks read as one
    blank) is worked out from the telegram text (``doc``) when asked for: few rules
    need it, and most paragraphs are never asked.
    """

    span: Span
    number: int
    number_span: Span
    marking: Marking | None
    marking_span: Span | None
    text_start: int  # offset of the text after the number and mark
    section: int = 1
    classified_by: ClassifiedBy | None = None
    copy: int = 1  # which copy of the text, where a file holds the cable twice
    doc: str = field(default="", repr=False, compare=False)

    @property
    def text(self) -> str:
        return " ".join(self.doc[self.text_start:self.span.end].split())


@record
class TextBlock:
    """Body text that is not a numbered paragraph (headings, lists, signature).

    ``text`` is read from the telegram text (``doc``) when asked for, so a long run of
    unnumbered text is not held twice.
    """

    span: Span
    doc: str = field(repr=False, compare=False)
    marking: Marking | None = None
    marking_span: Span | None = None
    after_paragraph: int | None = None

    @property
    def text(self) -> str:
        return self.doc[self.span.start:self.span.end]


@record
class Routing:
    """The routing header, where one precedes the telegram."""

    span: Span
    dtg: str | None = None
    dtg_span: Span | None = None
    indicator: str | None = None  # CCCCC, SSSSS, UUUUU, ...
    indicator_span: Span | None = None


@record
class Preamble:
    span: Span
    notice: Span | None = None
    routing: Routing | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    metadata_span: Span | None = None


@record
class CableDate:
    """The cable's date and where it came from; ``precise`` is False for a year only."""

    value: _dt.date
    source: str
    precise: bool = True

    @property
    def earliest(self) -> _dt.date:
        return self.value if self.precise else _dt.date(self.value.year, 1, 1)

    @property
    def latest(self) -> _dt.date:
        return self.value if self.precise else _dt.date(self.value.year, 12, 31)

    def on_or_after(self, day: _dt.date) -> bool | None:
        """True/False when certain, None when a year-only date straddles ``day``."""
        if self.earliest >= day:
            return True
        if self.latest < day:
            return False
        return None


@record
class Cable:
    source: Source
    preamble: Preamble | None = None
    banner: Banner | None = None
    banner_repeats: tuple[Banner, ...] = ()
    captions: tuple[Caption, ...] = ()
    passing: tuple[Passing, ...] = ()
    eo: EOLine | None = None
    eo_lines: tuple[EOLine, ...] = ()
    tags: Tags | None = None
    subject: Subject | None = None
    references: References | None = None
    classified_by: ClassifiedBy | None = None
    header_order: tuple[tuple[str, Span], ...] = ()
    header_text: tuple[TextBlock, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    text_blocks: tuple[TextBlock, ...] = ()
    section_breaks: tuple[Span, ...] = ()
    date: CableDate | None = None
    parse_error: tuple[str, int] | None = None
    #: how many copies of the cable the file holds (a cut-off preview, then the full text)
    copies: int = 1

    # ------------------------------------------------------------ derived facts
    @property
    def level(self) -> Level | None:
        return self.banner.level if self.banner else None

    @property
    def partial(self) -> bool:
        return bool(self.preamble and self.preamble.notice is not None)

    @property
    def sections(self) -> tuple[Banner, ...]:
        """The classification lines that open sections, section 01 first."""
        out = [self.banner] if self.banner and self.banner.section is not None else []
        out.extend(b for b in self.banner_repeats if b.section is not None)
        return tuple(out)

    @property
    def caption_words(self) -> tuple[str, ...]:
        return tuple(w for c in self.captions for w in c.words)

    def text_of(self, span: Span) -> str:
        return self.source.text[span.start:span.end]


# ====================================================================== building

_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_MONTH_NAMES = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), 1)}
#: dates in metadata and routing headers, which few cables have: compiled on first use
#: (re.search keeps them), not by every run at import
_DTG = r"(\d\d)(\d\d)(\d\d)Z +([A-Z]{3}) +(\d{2,4})"
_ISO = r"(\d{4})-(\d\d)-(\d\d)"
_US = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_LONG = r"(\d{1,2}) +([A-Za-z]+) +(\d{4})"
_REFID = kept.compile(r"^(\d{2})([A-Z][A-Z]+)(\d+)")


def _year(two: str) -> int:
    y = int(two)
    return y + (1900 if y >= 66 else 2000) if y < 100 else y


def _safe_date(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def date_from_text(text: str) -> _dt.date | None:
    """A date written as ISO, US m/d/yyyy, '23 February 2001' or a DTG."""
    m = kept.compile(_ISO).search(text)
    if m:
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = kept.compile(_US).search(text)
    if m:
        return _safe_date(int(m[3]), int(m[1]), int(m[2]))
    m = kept.compile(_LONG).search(text)
    if m and m[2].lower() in _MONTH_NAMES:
        return _safe_date(int(m[3]), _MONTH_NAMES[m[2].lower()], int(m[1]))
    return None


def dtg_date(text: str) -> _dt.date | None:
    m = kept.compile(_DTG).search(text)
    if not m or m[4] not in _MONTHS:
        return None
    return _safe_date(_year(m[5]), _MONTHS[m[4]], int(m[1]))


#: quicker constructors for the elements' many tags and references (every field given)
_tag = maker(Tag)
_reference = maker(Reference)
_REASON_LETTER = kept.compile(r"(?<![A-Za-z])[A-Ha-h](?![A-Za-z])")


class ElementBuilder:
    """Builds model objects from the element rules, while the parser reduces them.

    The parser's driver calls the method named as a rule where it reduces that rule,
    as Lark calls an LALR transformer's (:func:`markcheck.grammar._callback`), so
    element rules become model parts as they are parsed, with no tree in between;
    document rules stay trees.
    :meth:`begin` sets the element's text and offset before each parse (per thread).
    """

    def __init__(self) -> None:
        self._local = _thread_local()

    def begin(self, text: str, base: int) -> None:
        self._local.at = (text, base)  # one store: each thread-local access is slow

    @property
    def text(self) -> str:
        return self._local.at[0]

    @property
    def base(self) -> int:
        return self._local.at[1]

    def _span(self, tok: Token) -> Span:
        base = self._local.at[1]
        return _span(base + tok.start_pos, base + tok.end_pos)

    def _join(self, first: Token, last: Token) -> Span:
        base = self._local.at[1]
        return _span(base + first.start_pos, base + last.end_pos)

    # ---------------------------------------------------------------- banner
    def banner_level(self, children):
        return ("level", children[0])

    def banner_control(self, children):
        child = children[0]
        if isinstance(child, tuple):  # rel_to
            return child
        word = " ".join(str(child).split())
        if word.replace(" ", "") == "EFTO":
            word = "EFTO"
        return ("control", word, self._span(child))

    def rel_to(self, children):
        countries = tuple(str(t) for t in children if t.type == "COUNTRY")
        return ("rel", countries, self._join(children[0], children[-1]))

    def section(self, children):
        ints = [t for t in children if t.type == "INT"]
        return ("section", int(ints[0]), int(ints[1]), self._join(children[0], children[-1]))

    def origin(self, children):
        post, serial = children
        return ("origin", " ".join(str(post).split()), str(serial), self._join(post, serial))

    def banner(self, children):
        controls: list = []
        control_spans: list = []
        separators: list = []
        parts: dict = {"controls": controls, "control_spans": control_spans, "separators": separators,
                       "rel": ()}
        for child in children:
            if isinstance(child, Token):
                ty = child.type
                if ty == "BANNER_TAIL":
                    parts["tail"] = (str(child), self._span(child))
                elif ty == "SLASHES" or ty == "DASH":
                    separators.append(str(child))
                continue
            kind = child[0]
            if kind == "level":
                parts["level"] = child[1]
            elif kind == "control":
                controls.append(child[1])
                control_spans.append(child[2])
            elif kind == "rel":
                controls.append("REL TO")
                control_spans.append(child[2])
                parts["rel"] = child[1]
            elif kind == "section":
                parts["section"] = child[1:]
            elif kind == "origin":
                parts["origin"] = child[1:]
        return parts

    # ---------------------------------------------------------------- E.O.
    def eo_order(self, children):
        return ("order", children[0])

    def eo_na(self, children):
        return ("na", children[0])

    def decl(self, children):
        kw = children[0]
        value = children[1] if len(children) > 1 else None
        return ("decl", kw, value)

    def eo_tags(self, children):
        return ("tags", children[0])

    def eo(self, children):
        out: dict = {}
        for child in children:
            if isinstance(child, Token):
                if child.type == "EO_KW":
                    out["keyword"] = child
                elif child.type == "EO_TAIL":
                    out["tail"] = child
                continue
            out[child[0]] = child
        return out

    # ---------------------------------------------------------------- TAGS
    def tag_item(self, children):
        tok = children[0]
        base = self._local.at[1]
        return _tag(str(tok), _span(base + tok.start_pos, base + tok.end_pos), tok.type == "TAG_NAME")

    def tags(self, children):
        return children

    # ---------------------------------------------------------------- SUBJECT
    def subject(self, children):
        return children

    # ---------------------------------------------------------------- REF
    def ref_item(self, children):
        letter = year = post = serial = None
        for tok in children:
            ty = tok.type
            value = " ".join(tok.split())
            if ty == "REF_SERIAL":
                serial = value
            elif ty == "REF_POST":
                post = value
            elif ty == "REF_YEAR":
                year = value
            elif ty == "REF_LETTER":
                letter = value.strip("().") if value else value
            else:  # pragma: no cover - the rule has no other token
                raise KeyError(ty)
        text, base = self._local.at
        start = children[0].start_pos
        end = children[-1].end_pos
        return _reference(_span(base + start, base + end), text[start:end], letter, year, post, serial)

    def ref(self, children):
        return children

    # ---------------------------------------------------------------- Classified By
    def reason(self, children):
        out = {"section": None, "letters": (), "span": None, "tail": ""}
        first = last = None  # the first and last of REASON_SECTION and REASON_LETTERS
        for tok in children:
            if not isinstance(tok, Token):
                continue
            ty = tok.type
            if ty == "REASON_SECTION":
                out["section"] = str(tok)
            elif ty == "REASON_LETTERS":
                out["letters"] = tuple(_REASON_LETTER.findall(tok))
            elif ty == "REASON_TAIL":
                out["tail"] = str(tok)
                continue
            else:
                continue
            if first is None:
                first = tok
            last = tok
        if first is not None:
            out["span"] = self._join(first, last)
        return ("reason", out)

    def classified_by(self, children):
        return children



def _element(text: str, base: int, start: str):
    """Parse an element; return (its model parts or None, error message)."""
    try:
        return parse_element(text, start, base), ""
    except ParseFailure as exc:
        return None, str(exc)


#: the end of a CSV export's routing field, glued before a classification line: its
#: last routing line and '","' (BANNER_HEADER_LINE, BANNER_REPEAT_LINE)
_CSV_FIELD_END = kept.compile(r"[A-Z0-9][A-Z0-9 /.,#&()'-]*+\",\"")
_PORTION_AT = kept.compile(r"\([^()\n]{1,60}\)")
_CLASSIFIED_AT = kept.compile(r"(?:\((?:U|C|S|SBU)\) *)?CLASSIFIED +BY\b", re.I)
#: the characters a match of _CLASSIFIED_AT may start with (no other character folds to C)
_CLASSIFIED_FIRST = frozenset("(Cc")
#: a paragraph number as written ("12.", "3)") -> its value
_PARA_NUMBERS: dict[str, int] = {}


#: the kind of a header element (its element rule, where it has one) by token type
_HEADER_KINDS = {
    "KNOWN_CAPTION_LINE": "caption", "CAPTION_LINE": "caption", "PASSING_BLOCK": "passing",
    "EO_BLOCK": "eo", "TAGS_BLOCK": "tags", "SUBJECT_BLOCK": "subject", "REF_BLOCK": "ref",
    "CLASSIFIED_BLOCK": "classified_by", "MARKED_BLOCK": "header_text",
    "HEAD_TEXT_BLOCK": "header_text",
}
_CAPTION_WORD = kept.compile(r"[A-Za-z][A-Za-z-]*(?: (?:BUT|USE|ONLY|HANDLING|INFORMAL|CHANNEL|COPY|"
                           r"UNCLASSIFIED|FOR|INTERNET|DISTRIBUTION|OFFICIAL|NOT))*")
#: header elements after which capitalised words are a heading, not captions (header_item)
_AFTER_CAPTIONS = frozenset(("eo", "tags", "subject", "ref", "classified_by"))
_HEADER_FIELDS = ("tags", "subject", "references", "classified_by")
_HEADER_LISTS = ("captions", "passing", "eo_lines", "header_order", "header_text")


#: quicker constructors for the body's many paragraphs and text blocks (every field given)
_paragraph = maker(Paragraph)
_text_block = maker(TextBlock)
#: and for the few large objects of each cable, to pass every field by position
_eo_line = maker(EOLine)
_banner = maker(Banner)
_subject = maker(Subject)
_classified_by = maker(ClassifiedBy)
_tags = maker(Tags)


class _CableBuilder:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.fields: dict = {}
        self.captions: list[Caption] = []
        self.passing: list[Passing] = []
        self.eo_lines: list[EOLine] = []
        self.header_order: list[tuple[str, Span]] = []
        self.header_text: list[TextBlock] = []
        self.paragraphs: list[Paragraph] = []
        self.text_blocks: list[TextBlock] = []
        self.banner_repeats: list[Banner] = []
        self.section_breaks: list[Span] = []
        self.section = 1
        self.copy = 1
        self.last_number: int | None = None  # the number of the last paragraph read
        self.para_head = paragraph_parts().match
        self.simple_head = simple_head()
        self.read_tags = tags_reader()
        self.read_subject = subject_reader()
        self.read_eo = eo_reader()
        self.read_banner = banner_reader()
        self.read_ref = ref_reader()
        self.earlier: dict = {}  # a header read before a late or repeated classification line

    # ------------------------------------------------------------ utilities
    def span(self, tok: Token) -> Span:
        end = tok.end_pos
        if end > tok.start_pos and self.text[end - 1] == "\n":
            end -= 1  # spans stop before the line break
        return _span(tok.start_pos, end)

    def value(self, tok: Token) -> str:
        return tok.rstrip("\n")  # a plain str, also of a Token

    # ------------------------------------------------------------ walk
    def run(self, tree: Tree) -> dict:
        for part in tree.children:
            if isinstance(part, Token):  # the first element of a header with no classification line
                self.header_item(part)
            else:
                do = _DOC_PARTS.get(part.data)  # do_<rule>, looked up once (below the class)
                if do is None:
                    getattr(self, "do_" + part.data)(part)
                else:
                    do(self, part)
        for key, value in self.earlier.items():  # fill what the later header lacked
            if key in _HEADER_LISTS:
                if not getattr(self, key):
                    getattr(self, key).extend(value)
            else:
                self.fields.setdefault(key, value)
        f = self.fields
        f.update(
            captions=tuple(self.captions), passing=tuple(self.passing),
            eo=self.eo_lines[0] if self.eo_lines else None, eo_lines=tuple(self.eo_lines),
            header_order=tuple(self.header_order), header_text=tuple(self.header_text),
            paragraphs=tuple(self.paragraphs), text_blocks=tuple(self.text_blocks),
            banner_repeats=tuple(self.banner_repeats), section_breaks=tuple(self.section_breaks),
            copies=self.copy,
        )
        return f

    def do_preamble(self, tree: Tree) -> None:
        if not tree.children:
            return
        first = tree.children[0]
        last = tree.children[-1]
        notice = None
        meta: list[tuple[str, str]] = []
        meta_span = None
        dtg = dtg_span = ind = ind_span = None
        routing_first = routing_last = None
        for item in tree.children:
            tok = item if isinstance(item, Token) else item.children[0]
            kind = item.type if isinstance(item, Token) else item.data
            if kind == "notice":
                notice = self.span(tok)
            elif kind == "routing_line":
                routing_first = routing_first or tok
                routing_last = tok
                if tok.type == "DTG_LINE" and dtg is None:
                    dtg, dtg_span = tok.rstrip("\n"), self.span(tok)
                elif tok.type == "ZN_LINE" and ind is None:
                    m = kept.compile(r"ZN[YR] +([CSUTE]{5})").match(str(tok))
                    if m:
                        ind = m[1]
                        ind_span = _span(tok.start_pos + m.start(1), tok.start_pos + m.end(1))
            elif kind in ("meta_line", "meta_row", "release_date"):
                meta_span = meta_span or self.span(tok)
                line = tok.rstrip("\n")
                if kind == "meta_line":
                    key, _, val = line.partition(":")
                    meta.append((key.strip().lower(), val.strip()))
                elif kind == "release_date":
                    meta.append(("date", line))
                else:
                    meta.extend(_row_facts(line))
        routing = None
        if routing_first is not None:
            routing = Routing(_span(routing_first.start_pos, self.span(routing_last).end),
                              dtg, dtg_span, ind, ind_span)
        start = first.start_pos if isinstance(first, Token) else first.children[0].start_pos
        end_tok = last if isinstance(last, Token) else last.children[0]
        self.fields["preamble"] = Preamble(_span(start, self.span(end_tok).end), notice, routing,
                                           tuple(meta), meta_span)

    def do_banner_block(self, tree: Tree) -> None:
        for tok in tree.children:
            if tok.type == "CABLE_DATED":
                self.fields.setdefault("cable_dated", tok.rstrip("\n"))
            elif tok.type == "BANNER_LINE":
                self.fields["banner"] = self.banner(tok)

    def banner(self, tok: Token) -> Banner:
        span = self.span(tok)
        text = tok.rstrip("\n")
        glued = _CSV_FIELD_END.match(text)
        if glued is not None:  # the end of an export's routing field before it (see cable.lark)
            cut = glued.end()
            text = text[cut:]
            span = _span(span.start + cut, span.end)
        fields = self.read_banner(text, span.start)  # the line read without the parser, where it can
        if fields is not None:
            return _banner(span, text, *fields, True)  # Banner(...), every field in order
        parts, error = _element(text, span.start, "banner")
        if parts is None:  # cannot happen for a BANNER_LINE, kept defensive
            return Banner(span, text, level_from_word(text), text, span, valid=False)
        lvl_tok = parts["level"]
        section = parts.get("section")
        origin = parts.get("origin")
        tail = parts.get("tail")
        level_text = str(lvl_tok)
        return _banner(  # Banner(...), every field in order
            span, text, level_from_word(level_text), level_text, _tok_span(lvl_tok, span.start),
            tuple(parts["controls"]), tuple(parts["control_spans"]), tuple(parts["separators"]),
            parts["rel"],
            section[0] if section else None, section[1] if section else None,
            section[2] if section else None,
            origin[0] if origin else None, origin[1] if origin else None,
            origin[2] if origin else None,
            tail[0] if tail else "", tail[1] if tail else None, True,
        )

    def do_header(self, tree: Tree) -> None:
        for tok in tree.children:
            self.header_item(tok)

    def header_item(self, tok: Token) -> None:
        ty = tok.type
        if ty == "BANNER_HEADER_LINE":  # a classification line inside the header zone
            banner = self.banner(tok)
            first = self.fields.get("banner")
            if first is None or self.starts_copy(first, banner):
                # late: what came before belongs to a routing header or metadata (TAGS,
                # SUBJECT lines there); or a cut-off preview, then the cable again in
                # full. Either way the cable's header starts here.
                # What the new header lacks is taken from the old one at the end.
                if first is not None:
                    self.copy += 1
                self.earlier = {key: self.fields.pop(key) for key in _HEADER_FIELDS if key in self.fields}
                for name in _HEADER_LISTS:
                    seq = getattr(self, name)
                    self.earlier[name] = list(seq)
                    seq.clear()
                self.fields["banner"] = banner
            else:
                self.banner_repeats.append(banner)
            return
        start = tok.start_pos
        end = tok.end_pos
        if end > start and self.text[end - 1] == "\n":
            end -= 1  # spans stop before the line break (as span())
        span = _span(start, end)
        kind = _HEADER_KINDS[ty]
        if ty == "CAPTION_LINE" and any(k in _AFTER_CAPTIONS for k, _ in self.header_order):
            # capitalised words after the E.O. line are a heading ("SUMMARY"), unless they
            # are caption words
            if not any(w in KNOWN_CAPTIONS for w in tok.rstrip("\n").upper().replace(",", " ").split()):
                kind = "header_text"
        if kind != "header_text":
            self.header_order.append((kind, span))
        _HEADER_HANDLERS[kind](self, tok, span)

    def h_caption(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        words, spans = [], []
        base = span.start
        for m in _CAPTION_WORD.finditer(text):
            words.append(m.group().upper())
            start, end = m.span()
            spans.append(_span(base + start, base + end))
        self.captions.append(Caption(span, text, tuple(words), tuple(spans)))

    def h_passing(self, tok: Token, span: Span) -> None:
        self.passing.append(Passing(span, tok.rstrip("\n")))

    def h_header_text(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        m = _PORTION_AT.match(text)
        marking = parse_portion(m.group()) if m else None
        self.header_text.append(TextBlock(span, self.text, marking,
                                          _span(span.start, span.start + m.end()) if m else None))

    def h_eo(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        parts = self.read_eo(text)  # the line read without the parser, where it can
        if parts is None:
            parsed, error = _element(text, span.start, "eo")
            if parsed is None:
                self.eo_lines.append(EOLine(span, text, valid=False, error=error))
                return
            parts = _eo_parts(parsed)
        # (text, start, end) of the keyword and the order, whether N/A, the DECL keyword
        # and its value's (text, start) or None, where TAGS starts, the tail
        kw, order, na, decl, tags_at, tail = parts
        base = span.start
        decl_obj = None
        decl_kw = ""
        if decl is not None:
            decl_kw, value = decl
            if value is not None:
                raw, at = value
                stripped = raw.rstrip(" .,;")
                decl_obj = Decl(stripped.strip(), _span(base + at, base + at + len(stripped)))
        self.eo_lines.append(_eo_line(  # EOLine(...), every field in order
            span, text, kw[0] if kw else "", _span(base + kw[1], base + kw[2]) if kw else None,
            order[0] if order else None, _span(base + order[1], base + order[2]) if order else None,
            na, decl_obj, decl_kw, tags_at is not None, tail, True, "",
        ))
        if tags_at is not None and "tags" not in self.fields:
            # "E.O. 12958: DECL: 1.6X6 TAGS: PREL PGOV": the TAGS element on the same line
            self.h_tags_at(base + tags_at, text[tags_at:])

    def h_tags(self, tok: Token, span: Span) -> None:
        self.h_tags_at(span.start, tok.rstrip("\n"))

    def h_tags_at(self, start: int, text: str) -> None:
        span = _span(start, start + len(text))
        quick = self.read_tags(text, start)  # the common plain line, read without the parser
        if quick is not None:
            self.fields.setdefault("tags", _tags(span, quick[0], quick[1], True))
            return
        items, error = _element(text, start, "tags")
        if items is None:
            tags = Tags(span, text.split()[0] if text.split() else "", (), valid=False)
        else:
            kw = items[0]
            tags = Tags(span, str(kw), tuple([i for i in items if isinstance(i, Tag)]))
        self.fields.setdefault("tags", tags)

    def h_subject(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        # the keyword, then the mark and the text as (text, start, end) or None
        parts = self.read_subject(text)  # the line read without the parser, where it can
        if parts is None:
            tokens, error = _element(text, span.start, "subject")
            if tokens is None:  # pragma: no cover - the subject rule accepts any text
                self.fields.setdefault("subject", Subject(span, "", text, span))
                return
            mark = body = None
            for tok2 in tokens[1:]:
                if tok2.type == "MARK":
                    mark = (str(tok2), tok2.start_pos, tok2.end_pos)
                else:
                    body = (str(tok2), tok2.start_pos, tok2.end_pos)
            parts = (str(tokens[0]), mark, body)
        kw, mark, body = parts
        base = span.start
        if mark is not None:
            marking, marking_span = parse_portion(mark[0]), _span(base + mark[1], base + mark[2])
        else:
            marking = marking_span = None
        self.fields.setdefault("subject", _subject(  # Subject(...), every field in order
            span, " ".join(kw.split()), " ".join(body[0].split()) if body is not None else "",
            _span(base + body[1], base + body[2]) if body is not None else None, marking, marking_span))

    def h_ref(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        parts = self.read_ref(text, span.start)  # the element read without the parser, where it can
        if parts is None:
            parsed, error = _element(text, span.start, "ref")
            if parsed is None:
                self.fields.setdefault("references", References(span, "", (), text, valid=False))
                return
            parts = (str(parsed[0]), tuple([p for p in parsed if isinstance(p, Reference)]),
                     next((str(p) for p in parsed[1:] if isinstance(p, Token)), ""))
        kw, items, free = parts
        self.fields.setdefault("references", References(
            span, " ".join(kw.split()), items, text, " ".join(free.split())))

    def h_classified_by(self, tok: Token, span: Span, in_paragraph: bool = False) -> ClassifiedBy:
        text = tok.rstrip("\n") if isinstance(tok, Token) else tok
        cb = classified_by_from(text, span, in_paragraph)
        self.fields.setdefault("classified_by", cb)
        return cb

    # ------------------------------------------------------------ body
    def do_body(self, tree: Tree) -> None:
        items = tree.children
        text = self.text
        paragraph = self.b_paragraph
        blocks_append = self.text_blocks.append
        for i, tok in enumerate(items):
            items[i] = None  # drop each token once read: a long body is not held twice
            kind = tok.type
            if kind == "PARAGRAPH":
                paragraph(tok)
                continue
            start = tok.start_pos
            end = tok.end_pos
            if end > start and text[end - 1] == "\n":
                end -= 1  # spans stop before the line break (as span())
            if kind == "BODY_TEXT_BLOCK":  # b_body_text, inlined: the commonest block after paragraphs
                blocks_append(_text_block(_span(start, end), text, None, None, self.last_number))
            elif kind == "MARKED_BLOCK":
                self.b_marked_text(tok, _span(start, end))
            elif kind == "SECTION_BREAK_LINE":
                self.b_section_break(tok, _span(start, end))
            else:  # BANNER_REPEAT_LINE
                self.b_banner_repeat(tok, _span(start, end))

    def b_paragraph(self, tok: Token) -> None:
        base = tok.start_pos
        end = tok.end_pos
        text = self.text
        if end > base and text[end - 1] == "\n":
            end -= 1  # spans stop before the line break (as span())
        m = self.simple_head(tok) or self.para_head(tok)
        # one read of the offsets of the whole head, the number and the mark
        (_, head_end), (num_start, num_end), (mark_start, mark_end) = m.regs
        rest_start = base + head_end
        if mark_start >= 0:
            marking, marking_span = parse_portion(tok[mark_start:mark_end]), _span(base + mark_start, base + mark_end)
        else:
            marking = marking_span = None
        # "1. (U) CLASSIFIED BY ...": the authority line in paragraph 1 (the first
        # character is tested first: "(", "C" or "c" start every match)
        if tok[head_end:head_end + 1] in _CLASSIFIED_FIRST and _CLASSIFIED_AT.match(tok, head_end):
            rest = tok[head_end:].rstrip("\n")
            cb = self.h_classified_by(rest, _span(rest_start, end), in_paragraph=True)
            self.header_order.append(("classified_by", cb.span))
        else:
            cb = None
        head = tok[num_start:num_end]
        number = _PARA_NUMBERS.get(head)
        if number is None:
            number = _PARA_NUMBERS[head] = int(head.rstrip(".) "))
        self.last_number = number
        self.paragraphs.append(_paragraph(_span(base, end), number, _span(base + num_start, base + num_end),
                                          marking, marking_span, rest_start, self.section, cb, self.copy,
                                          text))

    def b_marked_text(self, tok: Token, span: Span) -> None:
        text = tok.rstrip("\n")
        m = _PORTION_AT.match(text)
        marking = parse_portion(m.group()) if m else None
        self.text_blocks.append(TextBlock(span, self.text, marking,
                                          _span(span.start, span.start + m.end()) if m else None,
                                          self.last_number))

    def b_body_text(self, tok: Token, span: Span) -> None:
        self.text_blocks.append(TextBlock(span, self.text, None, None, self.last_number))

    def b_section_break(self, tok: Token, span: Span) -> None:
        self.section_breaks.append(span)

    @staticmethod
    def starts_copy(first: Banner, banner: Banner) -> bool:
        """Is ``banner`` the opening of the same cable again (not a later section)?"""
        same_origin = (first.serial is None or banner.serial is None
                       or first.serial.lstrip("0") == banner.serial.lstrip("0"))
        return same_origin and banner.section in (None, 1) and first.section in (None, 1) \
            and banner.level == first.level and (banner.post is not None or banner.section is not None)

    def b_banner_repeat(self, tok: Token, span: Span) -> None:
        banner = self.banner(tok)
        first = self.fields.get("banner")
        if first is not None and self.paragraphs and self.starts_copy(first, banner):
            self.copy += 1  # the cable again from its start: not a section of its own
            self.section = 1
            return
        self.banner_repeats.append(banner)
        if banner.section is not None:
            self.section = banner.section


#: the reader of each document part, by its rule (_CableBuilder.run)
_DOC_PARTS = {name[3:]: getattr(_CableBuilder, name) for name in dir(_CableBuilder) if name.startswith("do_")}

#: the reader of each kind of header element, by kind (see _HEADER_KINDS)
_HEADER_HANDLERS = {kind: getattr(_CableBuilder, "h_" + kind) for kind in set(_HEADER_KINDS.values())}


@lru_cache(maxsize=1)
def paragraph_parts() -> re.Pattern[str]:
    """A PARAGRAPH token's number (group 1) and portion mark (group 2, optional).

    Built from the grammar's own PARA_NUM and MARK terminals, so the grammar stays
    the one definition of a paragraph head.
    """
    from .grammar import terminal_regex

    return kept.compile(f"({terminal_regex('PARA_NUM')})[ \\t]*(?:({terminal_regex('MARK')})[ \\t]*)?")


#: the commonest paragraph heads ("12. ", "3. (C) ", "1.(S/NF) "), matched as paragraph_parts
#: matches them (same groups, same offsets) at half the cost; anything else (no match
#: here) is read by paragraph_parts. Same number part; a mark of these exact forms is
#: one of MARK's, which ends at its first ")" either way; without a mark, the text goes
#: on with neither "(" nor a blank (paragraph_parts would try a mark there).
_SIMPLE_HEAD = kept.compile(r"(\d{1,3}\.(?!\d|[A-Za-z]\.))[ \t]*"
                          r"(?:(\((?:TS|SBU|LOU|U|C|S)(?:/NF|//NF)?\))[ \t]*|(?![ \t(]))").match


@lru_cache(maxsize=1)
def simple_head():
    """_SIMPLE_HEAD, once it splits heads of each of its forms as paragraph_parts does (a
    guard against a grammar that changes PARA_NUM or MARK); else a match that never matches."""
    full = paragraph_parts().match
    for head in ("1. (C) A", "12. (S/NF) A", "3.(TS//NF)\tA", "4. A", "5. (U)", "6. (SBU) (A",
                 "7.\t(LOU)  A", "8.", "9. \n", "10. (C//NF)A", "11.A B"):
        simple = _SIMPLE_HEAD(head)
        expected = full(head)
        if simple is None or expected is None or simple.regs != expected.regs:
            return lambda text: None
    return _SIMPLE_HEAD


#: the "tags" element rule, as tags_reader() reads it (rule -> expansions; STAR is
#: Lark's helper rule of the repetition)
_TAGS_RULES = {
    "tags": {("TAGS_KW", "STAR"), ("TAGS_KW",)},
    "tag_item": {("TAG_WORD",), ("TAG_NAME",)},
    "STAR": {("tag_item",), ("_TAG_SEP",), ("STAR", "tag_item"), ("STAR", "_TAG_SEP")},
}


def _as_read(tables, priorities: dict) -> bool:
    """Are the ignored terminals and the priorities of these terminals as the element
    readers (tags_reader, subject_reader, eo_reader) read them? The lexer tries a
    state's terminals by priority (then by their patterns), which each reader follows."""
    return set(tables.ignore) == {"WS_INLINE", "BLANK_LINES"} and all(
        tables.priority(name) == priority
        for name, priority in {**priorities, "WS_INLINE": 0, "BLANK_LINES": -1}.items())


_TAGS_PRIORITIES = {"TAGS_KW": 3, "TAG_NAME": 2, "TAG_WORD": 0, "_TAG_SEP": 0}
_EO_PRIORITIES = {"EO_KW": 3, "EO_NUMBER": 0, "NA": 3, "DECL_KW": 3, "DECL_VALUE": 0, "EO_TAGS_KW": 3,
                  "TAG_REST": 0, "EO_TAIL": -1, "COLON": 0}


@lru_cache(maxsize=1)
def tags_reader():
    """``read(text, base)``: the keyword and the :class:`Tag` items of a TAGS element, as
    the "tags" rule parses it (``parse_element(text, "tags", base)``), or None where the
    text is not a plain run of tags (then it is parsed, for the same items or the
    error). A TAGS line is a keyword and a run of words, parenthesised names,
    separators and blanks: one regular expression reads it at a small part of the
    parser's cost. (A line with a blank before its keyword is left to the parser.)

    Built from the grammar's own terminals, and used only where the rules, ignored
    terminals and priorities are as read here and sample lines read as the parser reads
    them (_TAGS_SAMPLES); else ``read`` always answers None. The tests compare it with
    the parser on lines of every kind.
    """
    def never(text: str, base: int) -> None:
        return None

    from .grammar import tables, terminal_regex

    try:
        grammar = tables()
        rules: dict = {}
        for _name, origin, expansion, _expand1, _keep in grammar.rules:
            if origin in ("tags", "tag_item") or origin.startswith("__tags_star"):
                names = tuple("STAR" if s.startswith("__tags_star") else s for s in expansion)
                rules.setdefault("STAR" if origin.startswith("__tags_star") else origin, set()).add(names)
        if rules != _TAGS_RULES or not _as_read(grammar, _TAGS_PRIORITIES):
            return never
        keyword = kept.compile(terminal_regex("TAGS_KW")).match
        # after the keyword: blanks and separators (dropped), names (group 1), words (group 2)
        tokens = kept.compile(f"(?:{terminal_regex('WS_INLINE')}|{terminal_regex('_TAG_SEP')})"
                            f"|({terminal_regex('TAG_NAME')})|({terminal_regex('TAG_WORD')})").finditer
    except (AttributeError, KeyError, TypeError, ValueError, re.error):
        return never

    def read(text: str, base: int):
        flat = text.replace("\n", " ")  # as parse_element reads it
        m = keyword(flat)
        if m is None:
            return None
        pos = m.end()
        items = []
        for t in tokens(flat, pos):
            start = t.start()
            if start != pos:  # a character no terminal reads: the parser's error
                return None
            pos = t.end()
            group = t.lastindex
            if group is not None:
                items.append(_tag(t.group(group), _span(base + start, base + pos), group == 1))
        if pos != len(flat):
            return None
        return m.group(), tuple(items)

    for sample, want in _TAGS_SAMPLES.items():
        got = read(sample, 7)
        if got is None or (got[0], tuple([(t.text, t.span.start, t.span.end, t.person) for t in got[1]])) != want:
            return never
    return read


#: lines for tags_reader's check, each with its reading (keyword; text, start, end and
#: person of each Tag, at offset 7) as the parser reads it (tests/test_grammar_cases.py
#: checks that): the check itself parses nothing, as each parser state first met costs
#: a run a scanner compiled
_TAGS_SAMPLES = {
    "TAGS: PREL PGOV (RICE, CONDOLEEZZA) X;Y,Z\tW": (
        "TAGS:", (("PREL", 13, 17, False), ("PGOV", 18, 22, False), ("(RICE, CONDOLEEZZA)", 23, 42, True),
                  ("X", 43, 44, False), ("Y", 45, 46, False), ("Z", 47, 48, False), ("W", 49, 50, False))),
    "tags; A;;B(C)D (E)(F\n(G": (
        "tags;", (("A", 13, 14, False), ("B", 16, 17, False), ("(C)", 17, 20, True), ("D", 20, 21, False),
                  ("(E)", 22, 25, True), ("(F (G", 25, 30, True))),
    "TAGS": ("TAGS", ()),
}


@lru_cache(maxsize=1)
def subject_reader():
    """``read(text)``: a SUBJECT element as the "subject" rule parses it
    (``parse_element(text, "subject")``), as ``(keyword, mark, text)`` where the mark and
    the text are ``(text, start, end)`` or None; or None where it is left to the parser
    (a blank before the keyword). The rule is a keyword, an optional portion mark and
    the rest of the line, read here with the grammar's own terminals as the parser's
    lexer reads them: blanks skipped before the mark and before the text, a mark only
    right after the keyword.

    Used only where the rule, ignored terminals and priorities are as read here and
    sample lines read as the parser reads them; else ``read`` always answers None.
    """
    def never(text: str) -> None:
        return None

    from .grammar import tables, terminal_regex

    try:
        grammar = tables()
        rules = {rule[2] for rule in grammar.rules if rule[1] == "subject"}
        if rules != {("SUBJECT_KW", "MARK", "SUBJECT_TEXT"), ("SUBJECT_KW", "MARK"),
                     ("SUBJECT_KW", "SUBJECT_TEXT"), ("SUBJECT_KW",)} \
                or not _as_read(grammar, {"SUBJECT_KW": 3, "MARK": 3, "SUBJECT_TEXT": 0}):
            return never
        keyword = kept.compile(terminal_regex("SUBJECT_KW")).match
        mark_at = kept.compile(terminal_regex("MARK")).match
        blanks = kept.compile(terminal_regex("WS_INLINE")).match
        body_at = kept.compile(terminal_regex("SUBJECT_TEXT")).match
    except (AttributeError, KeyError, TypeError, ValueError, re.error):
        return never

    def read(text: str):
        flat = text.replace("\n", " ")  # as parse_element reads it
        m = keyword(flat)
        if m is None:
            return None
        pos = m.end()
        b = blanks(flat, pos)
        if b is not None:
            pos = b.end()
        mark = None
        m2 = mark_at(flat, pos)
        if m2 is not None:
            mark = (m2.group(), pos, m2.end())
            pos = m2.end()
            b = blanks(flat, pos)
            if b is not None:
                pos = b.end()
        if pos == len(flat):
            return m.group(), mark, None
        m3 = body_at(flat, pos)
        if m3 is None or m3.end() != len(flat):
            return None
        return m.group(), mark, (m3.group(), pos, m3.end())

    if any(read(sample) != want for sample, want in _SUBJECT_SAMPLES.items()):
        return never
    return read


#: lines for subject_reader's check, each with its reading (as _TAGS_SAMPLES)
_SUBJECT_SAMPLES = {
    "SUBJECT:  (C)  TEXT ": ("SUBJECT:", ("(C)", 10, 13), ("TEXT ", 15, 20)),
    "SUBJ:(S//NF)X\nY": ("SUBJ:", ("(S//NF)", 5, 12), ("X Y", 12, 15)),
    "SUBJECT: (X) Y": ("SUBJECT:", None, ("(X) Y", 9, 14)),
    "SUBJECT:   ": ("SUBJECT:", None, None),
}


def _tok(tok: Token) -> tuple[str, int, int]:
    return str(tok), tok.start_pos, tok.end_pos


def _eo_parts(parsed: dict) -> tuple:
    """What _CableBuilder.h_eo reads of the parts of a parsed "eo" element (eo_reader's form)."""
    kw, order, decl, tags = parsed.get("keyword"), parsed.get("order"), parsed.get("decl"), parsed.get("tags")
    return (_tok(kw) if kw else None, _tok(order[1]) if order else None, "na" in parsed,
            (str(decl[1]), (str(decl[2]), decl[2].start_pos) if decl[2] is not None else None) if decl else None,
            tags[1].start_pos if tags else None, str(parsed["tail"]) if "tail" in parsed else "")


def _eo_rules() -> set:
    """The expansions of the "eo" rule as eo_reader reads it (optional parts expanded, as
    Lark does): EO_KW ":"? eo_order ":"? (eo_na | decl)? eo_tags? EO_TAIL?"""
    out = set()
    for colon1 in ((), ("COLON",)):
        for colon2 in ((), ("COLON",)):
            for value in ((), ("eo_na",), ("decl",)):
                for tags in ((), ("eo_tags",)):
                    for tail in ((), ("EO_TAIL",)):
                        out.add(("EO_KW", *colon1, "eo_order", *colon2, *value, *tags, *tail))
    return out


@lru_cache(maxsize=1)
def eo_reader():
    """``read(text)``: an E.O. element as the "eo" rule parses it, in the form of
    :func:`_eo_parts`, or None where it is left to the parser (a blank before the
    keyword, no order number). Each part is read where the parser's lexer reads it,
    with the grammar's terminals tried in the lexer's order: in each state first the
    keywords (N/A, DECL, TAGS), then blanks (skipped) and ":" where one may stand,
    last the tail (the rest of the line); right after DECL the TAGS keyword, then its
    value, before blanks (it keeps the blanks that lead it); after TAGS blanks are
    skipped and the rest is its.

    Used only where the rules, ignored terminals and priorities are as read here and
    sample lines read as the parser reads them; else ``read`` always answers None.
    """
    def never(text: str) -> None:
        return None

    from .grammar import tables, terminal_regex

    try:
        grammar = tables()
        rules: dict = {}
        for _name, origin, expansion, _expand1, _keep in grammar.rules:
            if origin in ("eo", "eo_order", "eo_na", "decl", "eo_tags"):
                rules.setdefault(origin, set()).add(expansion)
        if rules != {"eo": _eo_rules(), "eo_order": {("EO_NUMBER",)}, "eo_na": {("NA",)},
                     "decl": {("DECL_KW", "DECL_VALUE"), ("DECL_KW",)},
                     "eo_tags": {("EO_TAGS_KW", "TAG_REST"), ("EO_TAGS_KW",)}} \
                or not _as_read(grammar, _EO_PRIORITIES) or grammar.terminals["COLON"][2:] != ("str", ":"):
            return never
        (keyword, number, na_at, decl_at, value_at, tags_kw, blanks) = (
            kept.compile(terminal_regex(name)).match
            for name in ("EO_KW", "EO_NUMBER", "NA", "DECL_KW", "DECL_VALUE", "EO_TAGS_KW", "WS_INLINE"))
    except (AttributeError, KeyError, TypeError, ValueError, re.error):
        return never

    def read(text: str):
        flat = text.replace("\n", " ")  # as parse_element reads it
        size = len(flat)
        m = keyword(flat)
        if m is None:
            return None
        kw = (m.group(), 0, m.end())
        pos = m.end()
        b = blanks(flat, pos)
        if b is not None:
            pos = b.end()
        if flat.startswith(":", pos):
            b = blanks(flat, pos + 1)
            pos = b.end() if b is not None else pos + 1
        m = number(flat, pos)
        if m is None:
            return None  # the parser's error
        order = (m.group(), pos, m.end())
        pos = m.end()
        na = False
        decl = tags_at = None
        colon = True  # a ":" may follow the order number
        while True:  # one token a turn: blanks skipped, then each state's terminals
            b = blanks(flat, pos)
            if b is not None:
                pos = b.end()
            if pos == size:
                return kw, order, na, decl, tags_at, ""
            if tags_at is not None:  # after TAGS: its rest, which ends the line
                return kw, order, na, decl, tags_at, ""
            m = tags_kw(flat, pos)
            if m is not None:
                tags_at = pos
                pos = m.end()
                continue
            if decl is None and not na:
                m = decl_at(flat, pos)
                if m is not None:
                    pos = m.end()
                    # the TAGS keyword first (its priority), then the value, before blanks
                    # (it keeps the blanks that lead it)
                    v = value_at(flat, pos) if tags_kw(flat, pos) is None else None
                    if v is not None and v.end() > pos:
                        decl = (m.group(), (v.group(), pos))
                        pos = v.end()
                    else:
                        decl = (m.group(), None)
                    colon = False
                    continue
                m = na_at(flat, pos)
                if m is not None:
                    na = True
                    pos = m.end()
                    colon = False
                    continue
                if colon and flat[pos] == ":":
                    colon = False
                    pos += 1
                    continue
            return kw, order, na, decl, tags_at, flat[pos:]  # the tail: the rest of the line

    if any(read(sample) != want for sample, want in _EO_SAMPLES.items()):
        return never
    return read


#: lines for eo_reader's check, each with its reading (as _TAGS_SAMPLES; the last has
#: the blanks that lead a DECL value)
_EO_SAMPLES = {
    "E.O. 12958: DECL: 10/29/2014": (("E.O.", 0, 4), ("12958", 5, 10), False, ("DECL:", (" 10/29/2014", 17)),
                                     None, ""),
    "E.O. 12958: DECL: 1.6X6 TAGS: PREL PGOV": (("E.O.", 0, 4), ("12958", 5, 10), False,
                                                ("DECL:", (" 1.6X6 ", 17)), 24, ""),
    "E.O. 12958: N/A": (("E.O.", 0, 4), ("12958", 5, 10), True, None, None, ""),
    "EO 12958 DECL:  X  TAGS   PREL ": (("EO", 0, 2), ("12958", 3, 8), False, ("DECL:", ("  X  ", 14)), 19, ""),
}


# ---------------------------------------------------------------- element automata
_UNKNOWN = object()
_runs: dict = {}  # an ignored terminal's regex -> the characters of its runs (grammar._run_of)


#: the most configurations (parser stacks) an element automaton may have
_MOST_CONFIGURATIONS = 400


def _element_automaton(start: str):
    """``run(flat)``: the tokens of an element as the parser reads it with start rule
    ``start`` (``parse_element(text, start)`` on ``flat``, the text with its line breaks
    read as blanks): a list of ``(terminal name, start, end)``, ignored blanks left out;
    or None where the parser fails on it (then the parser is left to say why).

    Made from the parser's own tables, not from a copy of the grammar: each
    configuration of the LALR parser that an element of this rule can reach (its stack
    of states after a token is shifted) is found once, with the terminals its contextual
    lexer tries, in the order that lexer tries them (one alternation of their patterns,
    as Lark's scanner is), which token moves it to which next configuration (the
    reductions that token sets off run here, once), and whether the element may end
    there. A text is then read with one match per token and no rule callbacks: the same
    tokens as the parser's, for any text. The element rules read this way have no
    recursion but repetitions, so their configurations are few; past
    _MOST_CONFIGURATIONS, or where the lexer is not as read here (terminal callbacks,
    another regex module, string terminals a pattern renames), ``run`` answers None
    for every text.
    """
    def never(flat: str) -> None:
        return None

    try:
        from .grammar import tables

        grammar = tables()
        states = grammar.actions
        lexers = grammar.lexers
        first = grammar.start_states[start]
        end_state = grammar.end_states[start]
        ignore = frozenset(grammar.ignore)
        if grammar.flags:
            return never  # (the scans below are compiled without flags)
    except (AttributeError, KeyError, TypeError, ImportError, ValueError):
        return never

    def after(stack: tuple, ty: str):
        """The stack after token ``ty`` is shifted (True: the end, accepted), or None
        where the parser fails on it."""
        stack = list(stack)
        while True:
            action = states[stack[-1]].get(ty)
            if action is None:
                return None
            if type(action) is int:  # shift
                if ty == "$END":
                    return None
                stack.append(action)
                return tuple(stack)
            _kind, count, origin, _rule = action
            if count:
                del stack[-count:]
            goto = states[stack[-1]].get(origin)
            if type(goto) is not int:
                return None
            stack.append(goto)
            if goto == end_state and ty == "$END":
                return True

    scans: dict = {}  # terminal names in order -> (the alternation's match, its blanks or None)

    def scan_of(names):
        """The scan of a state's terminals ``names`` (in the order its lexer tries them):
        one alternation of them. Where an ignored run of blanks (WS_INLINE) is tried
        before any terminal that may start with one, the run is skipped by the same
        match (a possessive prefix: the lexer would match it, then try every terminal
        after it), and its characters are given with the match."""
        from .grammar import _driver, _first_chars, _run_of

        if names is None:  # (a string terminal a pattern renames: see lalr._lark_order)
            raise ValueError("a lexer not as read here")
        scan = scans.get(names)  # (states of the same terminals: made once)
        if scan is not None:
            return scan
        known = getattr(_driver(), "_first_chars", {})  # terminal -> its first characters
        alternation = "|".join(f"(?P<{name}>{grammar.regex(name)})" for name in names)
        blanks = None
        for name in names:
            regex = grammar.regex(name)
            if name in ignore:
                blanks = _runs.get(regex, _UNKNOWN)
                if blanks is _UNKNOWN:
                    blanks = _runs[regex] = _run_of(regex, 0)
                if blanks is not None and " " in blanks:
                    break
                blanks = None
            chars = known.get((name, 0), _UNKNOWN)  # (kept by the driver: see grammar)
            if chars is _UNKNOWN:
                chars = _first_chars(regex, 0)[1]
            if chars is None or " " in chars or "\t" in chars:
                break  # may start with a blank: blanks are lexed one match at a time
        if blanks is None:
            scan = (kept.compile(alternation).match, None)
        else:
            skip = "[" + "".join(re.escape(c) for c in sorted(blanks)) + "]*+"
            scan = (kept.compile(f"{skip}(?:{alternation})").match, "".join(sorted(blanks)))
        scans[names] = scan
        return scan

    try:
        index = {(first,): 0}
        configurations = [(first,)]
        rows = []
        for stack in configurations:  # (grows as new configurations are found)
            names = lexers[stack[-1]]
            scan = scan_of(names)
            moves = {}
            for name in names:
                if name in ignore:
                    continue
                nxt = after(stack, name)
                if nxt is None:
                    continue
                if nxt not in index:
                    if len(configurations) >= _MOST_CONFIGURATIONS:
                        return never
                    index[nxt] = len(configurations)
                    configurations.append(nxt)
                moves[name] = index[nxt]
            rows.append((*scan, moves, after(stack, "$END") is True))
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, ImportError, re.error):
        return never

    def run(flat: str):
        scan, blanks, moves, ends = rows[0]
        pos = 0
        size = len(flat)
        tokens = []
        while pos < size:
            m = scan(flat, pos)
            if m is None:
                if blanks is not None and not flat[pos:].strip(blanks):
                    break  # blanks to the end (skipped, as the lexer skips them)
                return None
            ty = m.lastgroup
            end = m.end()
            if ty in ignore:
                if end == pos:  # (no terminal of a lexer matches the empty string)
                    return None
                pos = end
                continue
            nxt = moves.get(ty)
            if nxt is None:
                return None
            tokens.append((ty, m.start(ty), end))
            scan, blanks, moves, ends = rows[nxt]
            pos = end
        return tokens if ends else None

    return run


@lru_cache(maxsize=1)
def banner_reader():
    """``read(text, base)``: the fields of a :class:`Banner` after its span and text (as
    :meth:`_CableBuilder.banner` passes them to ``_banner``), read from the tokens of
    :func:`_element_automaton` ("banner") as :class:`ElementBuilder` builds them; or
    None where the parser fails on the line (it is then parsed for its error). Used
    only where sample lines read as the parser reads them (_BANNER_SAMPLES); else
    ``read`` always answers None."""
    run = _element_automaton("banner")

    def read(text: str, base: int):
        flat = text.replace("\n", " ")  # as parse_element reads it
        tokens = run(flat)
        if tokens is None:
            return None
        ty, start, end = tokens[0]
        i = 1
        if ty == "BANNER_JUNK":
            ty, start, end = tokens[1]
            i = 2
        if ty not in _BANNER_LEVELS:  # pragma: no cover - the rule has a level first
            return None
        level_text = flat[start:end]
        level_span = _span(base + start, base + end)
        controls = []
        control_spans = []
        separators = []
        rel = ()
        section = of = section_span = post = serial = origin_span = tail_span = None
        tail = ""
        count = len(tokens)
        while i < count:  # (the commonest first)
            ty, start, end = tokens[i]
            i += 1
            if ty == "POST":  # POST SERIAL
                post = " ".join(flat[start:end].split())
                _ty, at, stop = tokens[i]
                serial = flat[at:stop]
                origin_span = _span(base + start, base + stop)
                i += 1
            elif ty == "SECTION_KW":  # SECTION_KW INT OF_KW INT
                section = int(flat[tokens[i][1]:tokens[i][2]])
                _ty, at, stop = tokens[i + 2]
                of = int(flat[at:stop])
                section_span = _span(base + start, base + stop)
                i += 3
            elif ty == "CONTROL_WORD":
                word = " ".join(flat[start:end].split())
                if word.replace(" ", "") == "EFTO":
                    word = "EFTO"
                controls.append(word)
                control_spans.append(_span(base + start, base + end))
            elif ty == "SLASHES" or ty == "DASH":
                separators.append(flat[start:end])
            elif ty == "BANNER_TAIL":
                tail = flat[start:end]
                tail_span = _span(base + start, base + end)
            elif ty == "REL_KW":
                # REL_KW COUNTRY (separator COUNTRY)*, to its last COUNTRY (its separators
                # are the grammar's anonymous terminals: none of the banner's own)
                countries = []
                stop = end
                while i < count and (tokens[i][0] == "COUNTRY" or tokens[i][0] not in _BANNER_TERMINALS):
                    if tokens[i][0] == "COUNTRY":
                        countries.append(flat[tokens[i][1]:tokens[i][2]])
                        stop = tokens[i][2]
                    i += 1
                rel = tuple(countries)
                controls.append("REL TO")
                control_spans.append(_span(base + start, base + stop))
            else:  # a terminal not read here: left to the parser
                return None
        return (level_from_word(level_text), level_text, level_span,
                tuple(controls), tuple(control_spans), tuple(separators), rel,
                section, of, section_span, post, serial, origin_span, tail, tail_span)

    for sample, want in _BANNER_SAMPLES.items():
        got = read(sample, 0)
        if got is None or _banner_fields(got) != want:
            return _never_banner
    return read


def _never_banner(text: str, base: int) -> None:
    return None


_BANNER_LEVELS = frozenset(("LEVEL_TS", "LEVEL_S", "LEVEL_C", "LEVEL_LOU", "LEVEL_U"))
#: the banner's own terminals, as banner_reader reads them
_BANNER_TERMINALS = _BANNER_LEVELS | {"BANNER_JUNK", "CONTROL_WORD", "SLASHES", "DASH", "SECTION_KW", "INT",
                                      "OF_KW", "POST", "SERIAL", "BANNER_TAIL", "REL_KW", "COUNTRY"}


def _banner_fields(got: tuple) -> tuple:
    """banner_reader's reading with its spans as (start, end), for the check."""
    return tuple((s.start, s.end) if isinstance(s, Span) else
                 tuple((x.start, x.end) if isinstance(x, Span) else x for x in s) if isinstance(s, tuple) else s
                 for s in got)


#: lines for banner_reader's check, each with its reading (as _banner_fields gives it)
#: as the parser reads it
_BANNER_SAMPLES = {
    "C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961": (
        Level.C, "C O N F I D E N T I A L", (0, 23), (), (), (), (), 1, 2, (24, 40), "PARIS", "007961",
        (41, 53), "", None),
    "SECRET//NOFORN//REL TO USA, GBR AND CAN": (
        Level.S, "SECRET", (0, 6), ("NOFORN", "REL TO"), ((8, 14), (16, 39)), ("//", "//"),
        ("USA", "GBR", "CAN"), None, None, None, None, None, None, "", None),
    "UNCLAS E F T O SAN  JOSE 000123 X": (
        Level.U, "UNCLAS", (0, 6), ("EFTO",), ((7, 14),), (), (), None, None, None, "SAN JOSE", "000123",
        (15, 31), "X", (32, 33)),
}


@lru_cache(maxsize=1)
def classified_by_reader():
    """``read(text)``: the parts of a Classified By element as the "classified_by" rule
    parses it, in the form of :func:`_classified_by_parts`, read from the tokens of
    :func:`_element_automaton`; or None where the parser fails on it. Used only where
    sample lines read as the parser reads them (_CLASSIFIED_SAMPLES); else ``read``
    always answers None."""
    run = _element_automaton("classified_by")

    def read(text: str):
        flat = text.replace("\n", " ")  # as parse_element reads it
        tokens = run(flat)
        if tokens is None:
            return None
        classifier = section = first = last = None
        letters = ()
        tail = ""
        for ty, start, end in tokens:
            if ty == "CLASSIFIER":
                classifier = (flat[start:end], start)
                continue
            if ty == "REASON_SECTION":
                section = flat[start:end]
            elif ty == "REASON_LETTERS":
                letters = tuple(_REASON_LETTER.findall(flat[start:end]))
            elif ty == "REASON_TAIL":
                tail = flat[start:end]
                continue
            else:  # the keywords
                continue
            if first is None:  # the reason's span: its section and letters
                first = start
            last = end
        if section is None:
            return classifier, None
        return classifier, (section, letters, (first, last), tail)

    if any(read(sample) != want for sample, want in _CLASSIFIED_SAMPLES.items()):
        return lambda text: None
    return read


#: lines for classified_by_reader's check, each with its reading as the parser reads it
_CLASSIFIED_SAMPLES = {
    "Classified By: Ambassador X. Y for Reasons 1.4 (b) and (d).": (
        (" Ambassador X. Y", 14), ("1.4", ("b", "d"), (43, 58), ".")),
    "CLASSIFIED BY: A, REASON 1.5 B": ((" A", 14), ("1.5", ("B",), (25, 30), "")),
    "Classified by 1.4\nx": (None, ("1.4", (), (14, 17), "x")),
    "(C) Classified By: DCM": ((" DCM", 18), None),
}


def _classified_by_parts(parts, base: int) -> tuple:
    """The parts of a "classified_by" element parsed at offset ``base``, in
    classified_by_reader's form: the classifier's (text, start) or None, and the
    reason's (section, letters, (start, end) of its section and letters, tail) or None
    (the last CLASSIFIER and reason, as classified_by_from always read them)."""
    classifier = reason = None
    for p in parts:
        if isinstance(p, Token) and p.type == "CLASSIFIER":
            classifier = (str(p), p.start_pos)
        elif isinstance(p, tuple) and p[0] == "reason":
            r = p[1]
            rspan = r["span"]  # (a reason always has its section)
            reason = (r["section"], r["letters"], (rspan.start - base, rspan.end - base), r["tail"])
    return classifier, reason


@lru_cache(maxsize=1)
def ref_reader():
    """``read(text, base)``: the keyword, the :class:`Reference` items and the free text of
    a REF element as the "ref" rule parses it (``parse_element(text, "ref", base)``, as
    :meth:`_CableBuilder.h_ref` reads it), read from the tokens of
    :func:`_element_automaton`; or None where the parser fails on it. Used only where
    sample lines read as the parser reads them (_REF_SAMPLES); else ``read`` always
    answers None."""
    run = _element_automaton("ref")

    def read(text: str, base: int):
        flat = text.replace("\n", " ")  # as parse_element reads it
        tokens = run(flat)
        if tokens is None:
            return None
        items = []
        free = ""
        letter = year = post = None
        first = -1
        for ty, start, end in tokens[1:]:  # after REF_KW
            if first < 0:
                first = start
            if ty == "REF_SERIAL":  # the last token of an item
                items.append(_reference(_span(base + first, base + end), text[first:end], letter, year, post,
                                        " ".join(flat[start:end].split())))
                letter = year = post = None
                first = -1
            elif ty == "REF_POST":
                post = " ".join(flat[start:end].split())
            elif ty == "REF_YEAR":
                year = " ".join(flat[start:end].split())
            elif ty == "REF_LETTER":
                value = " ".join(flat[start:end].split())
                letter = value.strip("().") if value else value
            elif ty == "REF_TEXT":  # the rest of the element
                free = flat[start:end]
            else:  # pragma: no cover - a terminal not read here: left to the parser
                return None
        return flat[tokens[0][1]:tokens[0][2]], tuple(items), free

    for sample, want in _REF_SAMPLES.items():
        got = read(sample, 0)
        if got is None or (got[0], tuple([(r.span.start, r.span.end, r.text, r.letter, r.year, r.post, r.serial)
                                          for r in got[1]]), got[2]) != want:
            return lambda text, base: None
    return read


#: lines for ref_reader's check, each with its reading (keyword; span, text, letter,
#: year, post and serial of each Reference; free text) as the parser reads it
_REF_SAMPLES = {
    "REF: (A) 05 SAN JOSE  1234\nB. STATE 5678 AND X": (
        "REF:", ((5, 26, "(A) 05 SAN JOSE  1234", "A", "05", "SAN JOSE", "1234"),
                 (27, 40, "B. STATE 5678", "B", None, "STATE", "5678")), "AND X"),
    "REFTEL": ("REFTEL", (), ""),
}


def classified_by_from(text: str, span: Span, in_paragraph: bool = False) -> ClassifiedBy:
    parts = classified_by_reader()(text)  # read without the parser, where it can
    if parts is None:
        parsed, error = _element(text, span.start, "classified_by")
        if parsed is None:
            return ClassifiedBy(span, text, in_paragraph=in_paragraph, valid=False)
        parts = _classified_by_parts(parsed, span.start)
    # the classifier's (text, start) and the reason's (section, letters, (start, end)
    # of its section and letters, tail), each or None
    found, reason = parts
    base = span.start
    classifier = classifier_span = None
    if found is not None:
        raw, at = found
        stripped = raw.strip(" ,;:.-")
        lead = raw.index(stripped[:1]) if stripped else 0
        classifier = " ".join(stripped.split())
        classifier_span = _span(base + at + lead, base + at + lead + len(stripped))
    if reason is None:
        return _classified_by(span, text, classifier or "", classifier_span, None, (), None, "", "",
                              in_paragraph, True)
    section, letters, at, tail = reason
    return _classified_by(  # ClassifiedBy(...), every field in order
        span, text, classifier or "", classifier_span,
        section, tuple([l.lower() for l in letters]),
        _span(base + at[0], base + at[1]), text[at[0]:at[1]], tail.strip(), in_paragraph, True,
    )


def _row_facts(line: str) -> list[tuple[str, str]]:
    """Facts from a metadata row: ``2005-11-14 10:58:00<TAB>05MANAMA1672<TAB>...``."""
    cells = [c.strip().strip('"') for c in kept.compile(r"\t|,(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").split(line)]
    facts: list[tuple[str, str]] = []
    for cell in cells:
        if not cell:
            continue
        if "date" not in dict(facts) and date_from_text(cell) and kept.compile(r"[\d/-]+[ T]").match(cell + " "):
            facts.append(("date", cell))
        elif "refid" not in dict(facts) and _REFID.match(cell) and cell.isalnum():
            facts.append(("refid", cell))
        elif "classification" not in dict(facts) and level_from_word(cell.split("//")[0]) is not None \
                and cell.upper() == cell and len(cell) < 50:
            facts.append(("classification", cell))
    return facts


def _date_of(fields: dict, source: Source) -> CableDate | None:
    pre: Preamble | None = fields.get("preamble")
    if pre and pre.routing and pre.routing.dtg:
        d = dtg_date(pre.routing.dtg)
        if d:
            return CableDate(d, "routing header DTG")
    for key in ("date", "created"):
        if key in source.facts:
            d = date_from_text(source.facts[key])
            if d:
                return CableDate(d, "document metadata")
    if pre:
        for key, val in pre.metadata:
            if key in ("date", "created", "cable dated"):
                d = date_from_text(val)
                if d:
                    return CableDate(d, "document metadata")
    if "cable_dated" in fields:
        d = date_from_text(fields["cable_dated"])
        if d:
            return CableDate(d, "document metadata")
    name = os.path.basename(source.path)  # (on Windows a "\\" ends a folder too)
    m = _REFID.match(name)
    if m:
        return CableDate(_dt.date(_year(m[1]), 1, 1), "reference id in file name", precise=False)
    return None


def build(source: Source) -> Cable:
    """Parse a source into a :class:`Cable` (never raises on any text)."""
    try:
        tree = parse_document(source.text)
    except ParseFailure as exc:
        return Cable(source=source, parse_error=(str(exc), exc.offset))
    fields = _CableBuilder(source).run(tree)
    date = _date_of(fields, source)
    fields.pop("cable_dated", None)
    return Cable(source=source, date=date, **fields)
