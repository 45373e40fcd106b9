"""Classification levels, control markings, and portion/banner markings.

The domain core: what a marking means once the grammar (``grammar/marking.lark``)
has parsed it. Levels are ordered U < C < S < TS; SBU and LOU rank as U.
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache

from .records import record

__all__ = ["Level", "Marking", "parse_portion", "level_from_word", "CANONICAL_BANNER_WORDS",
           "KNOWN_CAPTIONS", "DISTRIBUTION_CAPTIONS"]


class Level(IntEnum):
    U = 0
    C = 1
    S = 2
    TS = 3

    @property
    def word(self) -> str:
        return {Level.U: "UNCLASSIFIED", Level.C: "CONFIDENTIAL", Level.S: "SECRET",
                Level.TS: "TOP SECRET"}[self]

    def __str__(self) -> str:
        return self.name


#: the classification-line words as a handbook writes them (spaced or not)
CANONICAL_BANNER_WORDS = {
    "UNCLAS": Level.U,
    "UNCLASSIFIED": Level.U,
    "LIMITED OFFICIAL USE": Level.U,
    "CONFIDENTIAL": Level.C,
    "C O N F I D E N T I A L": Level.C,
    "SECRET": Level.S,
    "S E C R E T": Level.S,
    "TOP SECRET": Level.TS,
    "T O P S E C R E T": Level.TS,
}

#: captions and handling words that may stand alone in the caption zone
KNOWN_CAPTIONS = frozenset({
    "SIPDIS", "NOFORN", "NODIS", "EXDIS", "LIMDIS", "STADIS", "SENSITIVE", "CHEROKEE",
    "EFTO", "ROGER", "NOCONTRACT", "ORCON", "PROPIN", "FOUO", "DISSENT CHANNEL",
    "SPECIAL HANDLING", "OFFICIAL INFORMAL", "FOR OFFICIAL USE ONLY",
    "SENSITIVE BUT UNCLASSIFIED", "NOT FOR INTERNET DISTRIBUTION", "CORRECTED COPY", "TERREP",
})

#: distribution captions, most restrictive first
DISTRIBUTION_CAPTIONS = ("NODIS", "EXDIS", "LIMDIS", "STADIS")


@lru_cache(maxsize=512)
def level_from_word(text: str) -> Level | None:
    """The level of a classification word, spaced, unspaced or garbled (cached by text:
    a classification line's level is written one of a few ways)."""
    letters = "".join(text.split()).upper()
    if "TOP" in letters[:3] and letters.endswith("SECRET"):
        return Level.TS
    if letters.endswith("CRET"):
        return Level.S
    if letters.endswith("DENTIAL"):
        return Level.C
    if letters.startswith(("UNCLAS", "UUNCLAS")) or letters.endswith("OFFICIALUSE"):
        return Level.U
    return None


@record
class Marking:
    """A portion mark ``(S//NF)`` (or the marking words of a banner), parsed.

    ``valid`` is False when the grammar does not accept the text; ``error`` then says
    why and the other fields hold what could be read.
    """

    text: str
    level: Level | None
    level_word: str = ""          # "C", "SBU", "LOU", ... as written
    noforn: bool = False
    rel_to: tuple[str, ...] = ()
    rel_text: str = ""
    fouo: bool = False
    sbu: bool = False
    lou: bool = False
    controls: tuple[str, ...] = ()
    separators: tuple[str, ...] = ()
    valid: bool = True
    error: str = ""

    @property
    def classified(self) -> bool:
        return self.level is not None and self.level > Level.U

    def short(self) -> str:
        return self.text


_PORTION_LEVELS = {"TS": Level.TS, "S": Level.S, "C": Level.C, "U": Level.U,
                   "SBU": Level.U, "SBU-NF": Level.U, "LOU": Level.U}


@lru_cache(maxsize=4096)
def parse_portion(text: str) -> Marking:
    """Parse a portion mark such as ``(C)`` or ``(S//REL TO USA, GBR)``.

    Results are cached by text: a cable repeats a handful of marks many times.
    """
    from .grammar import ParseFailure, parse_element

    try:
        tree = parse_element(text, "portion")
    except ParseFailure as exc:
        return _lenient(text, exc.args[0] if exc.args else "malformed")
    level_word = ""
    noforn = fouo = sbu = lou = False
    rel: tuple[str, ...] = ()
    rel_text = ""
    controls: list[str] = []
    seps: list[str] = []
    for child in tree.children:
        if getattr(child, "type", None) == "SLASHES":
            seps.append(str(child))
            continue
        if child.data == "portion_level":
            level_word = str(child.children[0])
            if level_word == "SBU-NF":
                sbu = noforn = True
            elif level_word == "SBU":
                sbu = True
            elif level_word == "LOU":
                lou = True
        elif child.data == "portion_control":
            inner = child.children[0]
            if isinstance(inner, tuple):  # ("rel", countries, span): rel_to, built by the parser
                rel = inner[1]
                rel_text = text[inner[2].start:inner[2].end]
                controls.append("REL TO")
            else:
                word = str(inner)
                controls.append(word)
                if word in ("NF", "NOFORN"):
                    noforn = True
                elif word == "FOUO":
                    fouo = True
                elif word == "SBU":
                    sbu = True
    return Marking(text=text, level=_PORTION_LEVELS[level_word], level_word=level_word,
                   noforn=noforn, rel_to=rel, rel_text=rel_text, fouo=fouo, sbu=sbu, lou=lou,
                   controls=tuple(controls), separators=tuple(seps))


def _lenient(text: str, error: str) -> Marking:
    """What can be read of a mark the grammar rejects, for the message and roll-ups."""
    inner = text.strip("()").strip()
    head = inner.replace("//", "/").replace("-", "/").split("/")[0].strip().upper()
    level = _PORTION_LEVELS.get(head)
    upper = inner.upper()
    return Marking(text=text, level=level, level_word=head if level is not None else "",
                   noforn="NF" in upper.replace("/", " ").replace("-", " ").split(),
                   valid=False, error=error)
