"""Regular expressions compiled once per installation, not once per run.

``re.compile`` parses a pattern and writes its code for the regex engine each time a
process first meets it: for the rules' hundred and forty patterns, about a tenth of
a one-file run and of the part of a ``--jobs`` run that the workers cannot share.
:func:`compile` is ``re.compile`` whose engine code (what ``re`` hands
``_sre.compile``) is kept in a file beside the parser's cache, so a later process
only hands it over: the same :class:`re.Pattern` (equal to ``re.compile``'s), at a
fraction of the cost. The file is for one Python and one regex engine (its key);
``_sre.compile`` validates the code it is given, and anything the file cannot give
(no file, another engine, a damaged entry, a location that cannot be written) is
compiled by ``re`` as usual. :func:`keep` writes what this process added.

:func:`code` does the same for Python source that markcheck writes at import (the
quick ``__init__`` of each record, see :mod:`markcheck.records`): ``compile``'s code
object, kept with ``marshal`` in the same file, which a checksum guards (a code
object is not validated as it is loaded).
"""

from __future__ import annotations

import builtins
import os
import re
import sys

__all__ = ["compile", "keep", "sre_args"]

#: (pattern, flags) -> its compiled pattern, in this process
_compiled: dict = {}
#: (pattern, flags) -> its engine code: read from the file, then added to here
_code: dict | None = None
#: the patterns this process asked for, and whether the file lacks any of them
_used: set = set()
_added = False
_hits = 0  # patterns made from kept code (for the tests)
#: (source, filename) -> its code object: read from the file, then added to here
_codes: dict | None = None
_codes_used: set = set()
_code_hits = 0  # code objects from the file (for the tests)

#: the flags :func:`compile` hands to ``re`` untouched (DEBUG prints as it compiles)
_PLAIN_FLAGS = int(re.ASCII | re.IGNORECASE | re.LOCALE | re.MULTILINE | re.DOTALL
                   | re.UNICODE | re.VERBOSE)

#: what reading or using the engine's internals can raise where they differ from
#: what this module expects (another Python): the pattern is then ``re``'s to compile
_INTERNALS = (AttributeError, ImportError, TypeError, ValueError, OverflowError,
              RecursionError, RuntimeError, KeyError, IndexError)


def compile(pattern, flags=0) -> re.Pattern:  # noqa: A001  (as re.compile)
    """``re.compile(pattern, flags)``, from the kept code where there is some."""
    key = (pattern, flags)
    try:
        return _compiled[key]
    except KeyError:
        pass
    except TypeError:  # not hashable: re says what is wrong with it
        return re.compile(pattern, flags)
    if (not isinstance(pattern, (str, bytes)) or not isinstance(flags, int)
            or flags & ~_PLAIN_FLAGS):
        return re.compile(pattern, flags)
    compiled = _compiled[key] = _compile(pattern, int(flags))
    return compiled


def _compile(pattern, flags: int) -> re.Pattern:
    global _added, _hits

    import _sre

    code = _read()
    key = (pattern, flags)
    _used.add(key)
    args = code.get(key)
    if args is not None:
        try:
            compiled = _sre.compile(pattern, *args)
        except _INTERNALS:  # RuntimeError: "invalid SRE code"
            del code[key]
        else:
            _hits += 1
            return compiled
    try:
        from re import _parser

        args = sre_args(_parser.parse(pattern, flags), flags)
        compiled = _sre.compile(pattern, *args)
    except re.error:
        raise
    except _INTERNALS:
        return re.compile(pattern, flags)
    code[key] = args
    _added = True
    return compiled


def code(source: str, filename: str):
    """``compile(source, filename, "exec")``, from the kept code object where there is
    one."""
    global _added, _code_hits

    if _codes is None:
        _read()
    key = (source, filename)
    _codes_used.add(key)
    compiled = _codes.get(key)
    if compiled is None:
        compiled = _codes[key] = builtins.compile(source, filename, "exec")
        _added = True
    else:
        _code_hits += 1
    return compiled


def sre_args(tree, flags: int) -> tuple:
    """What ``re`` hands ``_sre.compile`` (after the pattern text) for ``re``'s parse
    ``tree`` of a pattern compiled with ``flags``, as ``re._compiler.compile`` makes
    it, in plain ints, strings and tuples (to be kept with ``marshal``)."""
    from re import _compiler

    code = _compiler._code(tree, flags)
    groupindex = dict(tree.state.groupdict)
    indexgroup = [None] * tree.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | tree.state.flags), [int(op) for op in code], tree.state.groups - 1,
            groupindex, tuple(indexgroup))


def cache_folder() -> str | None:
    """markcheck's folder in the user's cache (made if need be), or None where there is
    none that can be written."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "markcheck")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def _path() -> str | None:
    folder = cache_folder()
    return os.path.join(folder, f"kept-{sys.implementation.cache_tag}.cache") if folder else None


def _key() -> tuple:
    import _sre

    return (sys.version, _sre.MAGIC)


def _read() -> dict:
    """The kept code, read from the file on first use (empty where there is none):
    ``(key, checksum, payload)``, the payload the patterns' engine code and the code
    objects, marshalled."""
    global _code, _codes

    if _code is not None:
        return _code
    _code, _codes = {}, {}
    path = _path()
    if path is None:
        return _code
    import marshal
    import zlib

    try:
        with open(path, "rb") as file:
            kept, checksum, payload = marshal.loads(file.read())
        if kept != _key() or type(payload) is not bytes or checksum != zlib.crc32(payload):
            raise ValueError("kept for another Python, or damaged")
        patterns, codes = marshal.loads(payload)
        for key, args in patterns.items():
            if (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], (str, bytes))
                    and type(key[1]) is int and isinstance(args, tuple) and len(args) == 5):
                _code[key] = args
        for key, compiled in codes.items():
            if (isinstance(key, tuple) and len(key) == 2 and type(key[0]) is str
                    and type(key[1]) is str and type(compiled) is _CodeType):
                _codes[key] = compiled
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return _code


_CodeType = type(builtins.compile("", "", "exec"))


def keep() -> None:
    """Write the kept code where this process compiled a pattern or source the file
    lacks: those of this process, and those of others unless they outnumber these
    four to one (left by an older markcheck). Whole or not at all (another process
    may read or write the file meanwhile)."""
    global _added

    if not _added or _code is None:
        return
    _added = False
    path = _path()
    if path is None:
        return
    import marshal
    import zlib

    patterns, codes = _code, _codes or {}
    if len(patterns) > 4 * len(_used):
        patterns = {key: args for key, args in patterns.items() if key in _used}
    if len(codes) > 4 * len(_codes_used):
        codes = {key: c for key, c in codes.items() if key in _codes_used}
    payload = marshal.dumps((patterns, codes))
    write_whole(path, (_key(), zlib.crc32(payload), payload))


def write_whole(path: str, data) -> None:
    """Write ``data`` with ``marshal`` to ``path`` whole or not at all (another process
    may read the file meanwhile, or write it too); nothing where it cannot."""
    import marshal
    import tempfile

    try:
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".kept-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(marshal.dumps(data))
        os.replace(temporary, path)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass
