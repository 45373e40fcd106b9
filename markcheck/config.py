"""Configuration: ``[tool.markcheck]`` in ``pyproject.toml`` or a ``.markcheck.toml``.

The configuration for a file is the closest one found from the file's folder
upwards (in one folder ``.markcheck.toml`` wins over ``pyproject.toml``; a
``pyproject.toml`` without ``[tool.markcheck]`` is passed over). Closest wins: files
are not merged. Command-line flags override the file (:class:`Overrides`).

Keys (``.markcheck.toml`` at the top level, ``pyproject.toml`` under ``[tool.markcheck]``)::

    select = ["S", "C2"]            # codes or prefixes; all rules when absent
    extend-select = ["T502"]        # added to select
    ignore = ["D305"]
    per-file-ignores = { "drafts/**" = ["S1"], "*.html" = ["T"] }
    severity = { D301 = "warning" } # code or prefix -> error | warning | info
    fail-on = "warning"             # lowest severity that makes the exit code 1
    date = 2005-10-21               # the cable date for date-gated rules
    exclude = ["archive/**", "*.bak.txt"]
    baseline = "markcheck-baseline.json"
    [options.T502]                  # rule options (pyproject: [tool.markcheck.options.T502])
    name = value

Globs and paths are relative to the folder of the configuration file. A glob
without ``/`` matches the name of the file or of any folder above it (below that
folder); a glob with ``/`` matches the path from that folder (``*`` within one
segment, ``**`` across segments) or a folder above the file.

Every value is validated: an unknown key, a wrong type, an unknown rule code or a
bad date raises :class:`ConfigError`, one line naming the file, the key and what is
allowed.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .diagnostics import Severity

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from .lint import Settings

__all__ = ["Config", "ConfigError", "ConfigResolver", "Overrides", "CONFIG_FILES", "KEYS",
           "find_config", "load_config", "path_matches", "glob_regex"]

#: the files looked for in each folder, in order of precedence
CONFIG_FILES = (".markcheck.toml", "pyproject.toml")

#: allowed keys and what each takes (for error messages and ``markcheck config``)
KEYS: dict[str, str] = {
    "baseline": "a path to a baseline file (JSON), relative to this file",
    "date": "a date YYYY-MM-DD",
    "exclude": "a list of globs",
    "extend-select": "a list of rule codes or prefixes",
    "fail-on": "one of error, warning, info",
    "ignore": "a list of rule codes or prefixes",
    "options": "a table of rule code -> table of option -> value",
    "per-file-ignores": "a table of glob -> list of rule codes or prefixes",
    "select": "a list of rule codes or prefixes",
    "severity": "a table of rule code or prefix -> error, warning or info",
}

_SEVERITIES = "error, warning, info"


class ConfigError(Exception):
    """A configuration file cannot be used; the message is one line."""


# -- globs ---------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression for a glob: ``*`` and ``?`` stay within one path
    segment, ``**`` crosses segments, ``[...]`` is a character class."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern.startswith(("[!", "[^"), i) else i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                if body.startswith(("!", "^")):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
                continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _norm(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def path_matches(pattern: str, path: str, root: str | None = None) -> bool:
    """Whether ``path`` (a file or folder) matches ``pattern`` taken relative to ``root``
    (default: the current folder). See the module docstring for the semantics."""
    pat = pattern.strip()
    if not pat:
        return False
    pat = _norm(pat).rstrip("/") or "/"
    absolute = os.path.abspath(path)
    if pat.startswith("/") and os.path.isabs(pattern.strip()):
        parts = _norm(absolute).strip("/").split("/")
        pat = pat.lstrip("/")
    else:
        while pat.startswith("./"):
            pat = pat[2:]
        rel = os.path.relpath(absolute, os.path.abspath(root or os.getcwd()))
        parts = [p for p in _norm(rel).split("/") if p not in ("", ".")]
        pat = pat.lstrip("/")
    if not pat or not parts:
        return False
    rx = glob_regex(pat)
    if "/" not in pat:
        return any(rx.fullmatch(part) for part in parts)
    return any(rx.fullmatch("/".join(parts[:i])) for i in range(1, len(parts) + 1))


# -- the configuration ---------------------------------------------------------


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line; they win over the file."""

    select: tuple[str, ...] | None = None       # replaces select and extend-select
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()                # added to the file's ignore
    exclude: tuple[str, ...] | None = None      # replaces the file's exclude
    extend_exclude: tuple[str, ...] = ()
    fail_on: Severity | None = None
    date: _dt.date | None = None
    dialect: str | None = None
    baseline: str | None = None


@dataclass(frozen=True)
class Config:
    """One validated configuration; ``path`` None means the defaults (no file)."""

    path: str | None
    root: str
    section: str = ""                          # "tool.markcheck" for pyproject.toml
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)    # as written
    fail_on: Severity | None = None
    date: _dt.date | None = None
    exclude: tuple[str, ...] = ()
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    baseline: str | None = None                # absolute

    @property
    def label(self) -> str:
        if self.path is None:
            return "defaults (no configuration file)"
        return f"{self.path} [{self.section}]" if self.section else self.path

    def severity_by_code(self) -> dict[str, Severity]:
        """``severity`` expanded to rule codes; the longest matching prefix wins."""
        from .rules import all_rules

        out: dict[str, Severity] = {}
        keys = sorted(self.severity, key=len)
        for r in all_rules():
            for k in keys:
                if r.code.startswith(k):
                    out[r.code] = self.severity[k]
        return out

    def settings(self, overrides: Overrides = Overrides()) -> "Settings":
        """The engine's :class:`~markcheck.lint.Settings` for files under this config."""
        from .lint import Settings

        if overrides.select is not None:
            select, extend, ignore = overrides.select, (), ()
        else:
            select, extend, ignore = self.select or (), self.extend_select, self.ignore
        extend = (*extend, *overrides.extend_select)
        ignore = (*ignore, *overrides.ignore)
        selected = (*select, *extend) if select else ()
        exclude = self.exclude if overrides.exclude is None else _cli_globs(overrides.exclude)
        exclude = (*exclude, *_cli_globs(overrides.extend_exclude))
        return Settings(
            select=tuple(selected), ignore=tuple(ignore),
            date=overrides.date or self.date, dialect=overrides.dialect,
            severity=self.severity_by_code(), options=self.options,
            per_file_ignores=self.per_file_ignores, exclude=tuple(exclude), root=self.root)

    def baseline_path(self, overrides: Overrides = Overrides()) -> str | None:
        return overrides.baseline or self.baseline

    def fail_on_level(self, overrides: Overrides = Overrides()) -> Severity:
        return overrides.fail_on or self.fail_on or Severity.ERROR

    def to_dict(self, overrides: Overrides = Overrides()) -> dict[str, Any]:
        """The settings in effect, as ``markcheck config`` shows them."""
        s = self.settings(overrides)
        return {
            "config": self.path,
            "section": self.section or None,
            "select": list(s.select),
            "ignore": list(s.ignore),
            "per-file-ignores": {g: list(c) for g, c in s.per_file_ignores},
            "severity": {k: str(v) for k, v in sorted(self.severity.items())},
            "fail-on": str(self.fail_on_level(overrides)),
            "date": s.date.isoformat() if s.date else None,
            "exclude": list(s.exclude),
            "options": {k: dict(v) for k, v in sorted(self.options.items())},
            "baseline": self.baseline_path(overrides),
        }


def _cli_globs(globs: Sequence[str]) -> tuple[str, ...]:
    """Command-line globs with a ``/`` are taken from the current folder."""
    out = []
    for g in globs:
        g = g.strip()
        if "/" in g.rstrip("/") and not os.path.isabs(g):
            g = os.path.join(os.getcwd(), g)
        out.append(g)
    return tuple(out)


# -- loading and validating ----------------------------------------------------


def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class _Validator:
    def __init__(self, path: str, section: str) -> None:
        self.path = path
        self.section = section

    def fail(self, key: str, message: str) -> ConfigError:
        where = f"{self.section}.{key}" if self.section else key
        return ConfigError(f"{_display(self.path)}: {where}: {message}")

    @functools.cached_property
    def known_codes(self) -> list[str]:
        from .rules import all_rules

        return [r.code for r in all_rules()]

    def string_list(self, key: str, value: Any, what: str = "a list of strings") -> tuple[str, ...]:
        if isinstance(value, str):
            raise self.fail(key, f"must be {what}, not a string (write [{value!r}])".replace("'", '"'))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"must be {what}")
        return tuple(value)

    def codes(self, key: str, value: Any) -> tuple[str, ...]:
        items = self.string_list(key, value, 'a list of rule codes or prefixes, e.g. ["C2", "D305"]')
        out = []
        for item in items:
            code = item.strip().upper()
            if not code or not any(k.startswith(code) for k in self.known_codes):
                raise self.fail(key, f"unknown rule code or prefix {item!r} (see 'markcheck rules')")
            out.append(code)
        return tuple(out)

    def severity(self, key: str, value: Any) -> Severity:
        if not isinstance(value, str):
            raise self.fail(key, f"must be one of {_SEVERITIES}")
        try:
            return Severity.parse(value)
        except ValueError:
            raise self.fail(key, f"unknown severity {value!r}; allowed: {_SEVERITIES}") from None

    def table(self, key: str, value: Any, what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be {what}")
        return value

    def date(self, key: str, value: Any) -> _dt.date:
        if isinstance(value, _dt.datetime) or not isinstance(value, (_dt.date, str)):
            raise self.fail(key, "must be a date YYYY-MM-DD (a TOML date or a string)")
        if isinstance(value, _dt.date):
            return value
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(key, f"invalid date {value!r}; use YYYY-MM-DD") from None

    def option(self, key: str, default: Any, value: Any) -> Any:
        def kind(v: Any) -> str:
            if isinstance(v, bool):
                return "true or false"
            if isinstance(v, int):
                return "an integer"
            if isinstance(v, float):
                return "a number"
            if isinstance(v, str):
                return "a string"
            if isinstance(v, (list, tuple, frozenset, set)):
                return "a list"
            if isinstance(v, dict):
                return "a table"
            return ""

        want = kind(default)
        ok = {
            "": True,
            "true or false": isinstance(value, bool),
            "an integer": isinstance(value, int) and not isinstance(value, bool),
            "a number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "a string": isinstance(value, str),
            "a list": isinstance(value, list),
            "a table": isinstance(value, dict),
        }[want]
        if not ok:
            raise self.fail(key, f"must be {want} (default {default!r})")
        if want == "a list" and isinstance(default, tuple):
            return tuple(value)
        if want == "a list" and isinstance(default, (set, frozenset)):
            return frozenset(value)
        return value


def validate(data: Mapping[str, Any], path: str, section: str = "") -> Config:
    """Check a configuration table and build a :class:`Config` from it."""
    from .rules import get_rule

    v = _Validator(path, section)
    root = os.path.dirname(os.path.abspath(path))
    kw: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            import difflib  # (here: only where a key is unknown)

            close = difflib.get_close_matches(key.replace("_", "-"), list(KEYS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise v.fail(key, f"unknown key{hint}; allowed: {', '.join(KEYS)}")
        if key in ("select", "ignore", "extend-select"):
            kw[key.replace("-", "_")] = v.codes(key, value)
        elif key == "per-file-ignores":
            table = v.table(key, value, 'a table of glob -> list of rule codes, e.g. {"drafts/*" = ["S1"]}')
            kw["per_file_ignores"] = tuple(
                (glob, v.codes(f"{key}.{_quote(glob)}", codes)) for glob, codes in table.items())
        elif key == "severity":
            table = v.table(key, value, 'a table of rule code -> severity, e.g. {D301 = "warning"}')
            sev = {}
            for code, level in table.items():
                sub = f"{key}.{code}"
                sev[v.codes(sub, [code])[0]] = v.severity(sub, level)
            kw["severity"] = sev
        elif key == "fail-on":
            kw["fail_on"] = v.severity(key, value)
        elif key == "date":
            kw["date"] = v.date(key, value)
        elif key == "exclude":
            kw["exclude"] = v.string_list(key, value, 'a list of globs, e.g. ["archive/**"]')
        elif key == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise v.fail(key, "must be a path (a string) to a baseline file, relative to this file")
            kw["baseline"] = os.path.normpath(os.path.join(root, os.path.expanduser(value)))
        elif key == "options":
            table = v.table(key, value, "a table of rule code -> table of options, "
                                        "e.g. [options.T502]")
            options: dict[str, dict[str, Any]] = {}
            for code, opts in table.items():
                sub = f"{key}.{code}"
                r = get_rule(code)
                if r is None:
                    raise v.fail(sub, "unknown rule code (options are per rule, e.g. [options.T502]; "
                                      "see 'markcheck rules')")
                opts = v.table(sub, opts, f"a table of option -> value; {_allowed_options(r)}")
                checked = {}
                for name, val in opts.items():
                    if name not in r.options:
                        raise v.fail(f"{sub}.{name}", f"unknown option; {_allowed_options(r)}")
                    checked[name] = v.option(f"{sub}.{name}", r.options[name], val)
                options[r.code] = checked
            kw["options"] = options
    return Config(path=os.path.abspath(path), root=root, section=section, **kw)


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def _allowed_options(r: Any) -> str:
    if not r.options:
        return f"rule {r.code} has no options"
    return f"{r.code} allows: " + ", ".join(f"{k} (default {v!r})" for k, v in sorted(r.options.items()))


def _read_toml(path: str) -> dict[str, Any]:
    import tomllib  # here: most runs find no configuration file to read

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        msg = " ".join(str(exc).split())
        raise ConfigError(f"{_display(path)}: invalid TOML: {msg}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_display(path)}: invalid TOML: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None


_HEADER = re.compile(rb"[ \t]*\[\[?([^\]\n]*)\]")  # a TOML table header, [a.b] or [[a.b]]
_QUOTES_AND_BLANKS = bytes.maketrans(b"", b"")


def _may_configure(data: bytes) -> bool:
    """May this ``pyproject.toml`` hold a ``[tool.markcheck]`` table? False only where no
    line naming markcheck can be part of one: each is under a table header other than
    ``[tool]`` and ``[tool.markcheck...]`` (a project that only depends on markcheck, or
    markcheck's own). Where unsure, True: the file is parsed (tomllib and the typing
    module under it are some 8 ms of a one-file run). A header-like line inside a
    multi-line string is read as a header: that can only make a file parsed."""
    if b"markcheck" not in data:
        return False
    header = None  # the table the line is in (None: the root table)
    for line in data.splitlines():
        m = _HEADER.match(line)
        if m is not None:
            header = m.group(1).translate(_QUOTES_AND_BLANKS, b" \t\"'")
            if header.startswith(b"tool.markcheck"):
                return True
            continue
        if b"markcheck" not in line:
            continue
        if header is None or header == b"tool" or header.startswith(b"tool.markcheck"):
            return True
    return False


def load_config(path: str) -> Config | None:
    """Load and validate one file: a ``.markcheck.toml`` (or any TOML file with the keys
    at the top level) or a ``pyproject.toml`` (None when it has no ``[tool.markcheck]``)."""
    if os.path.basename(path) == "pyproject.toml":
        try:
            with open(path, "rb") as fh:
                if not _may_configure(fh.read()):
                    return None        # not ours: do not even parse it
        except OSError as exc:
            raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None
        data = _read_toml(path)
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "markcheck" not in tool:
            return None
        table = tool["markcheck"]
        if not isinstance(table, dict):
            raise _Validator(path, "tool").fail("markcheck", "must be a table ([tool.markcheck])")
        return validate(table, path, "tool.markcheck")
    return validate(_read_toml(path), path)


def find_config(start: str) -> Config | None:
    """The closest configuration from ``start`` (a folder) upwards, or None."""
    return ConfigResolver().config_in(os.path.abspath(start))


class ConfigResolver:
    """Finds (and caches) the configuration for each path.

    ``config_file`` forces one file for every path; ``isolated`` ignores all files.
    """

    def __init__(self, config_file: str | None = None, isolated: bool = False) -> None:
        self._dirs: dict[str, Config | None] = {}
        self._default = Config(path=None, root=os.getcwd())
        self._forced: Config | None = None
        self.isolated = isolated
        if config_file is not None:
            if not os.path.isfile(config_file):
                raise ConfigError(f"{config_file}: configuration file not found")
            forced = load_config(config_file)
            if forced is None:
                raise ConfigError(f"{_display(config_file)}: has no [tool.markcheck] table")
            self._forced = forced

    def config_in(self, folder: str) -> Config | None:
        """The closest configuration file from ``folder`` (absolute) upwards."""
        chain: list[str] = []
        found: Config | None = None
        d = folder
        while True:
            if d in self._dirs:
                found = self._dirs[d]
                break
            chain.append(d)
            here = None
            for name in CONFIG_FILES:
                candidate = os.path.join(d, name)
                if os.path.isfile(candidate):
                    here = load_config(candidate)
                    if here is not None:
                        break
            if here is not None:
                found = here
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for c in chain:
            self._dirs[c] = found
        return found

    def for_path(self, path: str, is_dir: bool | None = None) -> Config:
        """The configuration in effect for a file or folder (defaults when none)."""
        if self._forced is not None:
            return self._forced
        if self.isolated:
            return self._default
        absolute = os.path.abspath(path)
        if is_dir is None:
            is_dir = os.path.isdir(absolute)
        folder = absolute if is_dir else os.path.dirname(absolute)
        return self.config_in(folder) or self._default
