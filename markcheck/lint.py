"""The engine: source -> model -> rules -> diagnostics, and file discovery."""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from sys import intern

from . import kept
from .config import glob_regex, path_matches
from .diagnostics import Diagnostic, Severity
from .model import Cable, CableDate, build
from .rules import REGISTRY, Context, Rule, all_rules, forget_cables
from .rules import _load as load_rules
from .source import InputError, Source, line_starts, read_source, source_from_text

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: some 3 ms)
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

__all__ = ["Settings", "LintResult", "FileResult", "lint_source", "lint_text", "lint_file",
           "lint_files", "lint_paths", "discover", "select_rules", "check_cable", "GitIgnore",
           "split_lines", "DEFAULT_EXTENSIONS"]

DEFAULT_EXTENSIONS = (".txt", ".md", ".html", ".htm")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Settings:
    """What to check and how. ``select``/``ignore`` hold codes or prefixes (``C2``, ``D``).

    ``per_file_ignores`` (glob, codes) pairs and ``exclude`` globs are taken relative to
    ``root`` (default: the current folder); :meth:`for_path` applies the per-file
    ignores for one file, :meth:`excludes` tells whether ``exclude`` leaves a path out.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    date: _dt.date | None = None
    dialect: str | None = None
    severity: Mapping[str, Severity] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    root: str | None = None

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """The codes ``per_file_ignores`` skips for ``path``."""
        out: list[str] = []
        for glob, codes in self.per_file_ignores:
            if path_matches(glob, path, self.root):
                out.extend(c for c in codes if c not in out)
        return tuple(out)

    def for_path(self, path: str) -> "Settings":
        """These settings with the per-file ignores of ``path`` applied."""
        if not self.per_file_ignores:
            return self
        extra = tuple(c for c in self.ignored_for(path) if c not in self.ignore)
        return replace(self, ignore=self.ignore + extra, per_file_ignores=())

    def excludes(self, path: str) -> bool:
        """Whether an ``exclude`` glob matches the file or folder ``path``."""
        if not self.exclude:
            return False
        return any(path_matches(g, path, self.root) for g in self.exclude)


@dataclass
class LintResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # one line each: files not read
    files: int = 0
    paths: list[str] = field(default_factory=list)    # the files linted, in order
    #: the lines of each file with diagnostics, as the user has them (see Lines); from
    #: a ``--jobs`` worker, only the lines under its diagnostics (see HeldLines)
    sources: dict[str, Sequence[str]] = field(default_factory=dict)

    def add(self, fr: "FileResult") -> None:
        if fr.error is not None:
            self.errors.append(fr.error)
            return
        self.files += 1
        self.paths.append(fr.path)
        self.diagnostics.extend(fr.diagnostics)
        if fr.lines is not None:
            self.sources[fr.path] = fr.lines
        elif fr.raw is not None:
            self.sources[fr.path] = Lines(fr.raw)


@dataclass
class FileResult:
    """What linting one file gave: its diagnostics, or a one-line error."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    raw: str | None = None   # the file's text, kept when it has diagnostics
    #: instead of ``raw``, from a ``--jobs`` worker: the lines under the diagnostics only
    lines: "HeldLines | None" = None


class Lines(Sequence[str]):
    """The lines of a file as :func:`split_lines` gives them, cut out when asked for:
    a file's text is not held a second time as a list of lines, and where no line is
    asked for (``--quiet``, a count), its line table is never made."""

    __slots__ = ("_raw", "_starts")

    def __init__(self, raw: str) -> None:
        self._raw = raw
        self._starts: Sequence[int] | None = None  # worked out when first asked for

    @property
    def starts(self) -> Sequence[int]:
        starts = self._starts
        if starts is None:
            starts = line_starts(self._raw)
            if len(starts) > 1 and starts[-1] == len(self._raw):
                starts.pop()  # a final line break does not open a line
            self._starts = starts
        return starts

    def __len__(self) -> int:
        return len(self.starts) if self._raw else 0

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        starts = self.starts
        start = starts[index]
        end = starts[index + 1] if index + 1 < n else len(self._raw)
        return self._raw[start:end].rstrip("\r\n")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Lines, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class HeldLines(Sequence[str]):
    """Some lines of a file: those under its diagnostics, with the file's line count.

    What :func:`lint_files` keeps of a file linted in a ``--jobs`` worker. The
    reporters and the baseline read a diagnostic's own lines only (its span, from
    ``line`` to ``end_line``), so the rest of the file need not cross the pipe. Asking
    for any other line is a mistake in the caller and raises LookupError (not
    IndexError, which would end an iteration early and silently)."""

    __slots__ = ("_count", "_held")

    def __init__(self, count: int, held: dict[int, str]) -> None:
        self._count = count
        self._held = held   # 0-based line index -> the line

    @classmethod
    def of(cls, lines: Sequence[str], diagnostics: Iterable[Diagnostic]) -> "HeldLines":
        count = len(lines)
        held: dict[int, str] = {}
        for d in diagnostics:
            for n in range(max(d.line, 1), min(max(d.line, d.end_line), count) + 1):
                if n - 1 not in held:
                    held[n - 1] = lines[n - 1]
        return cls(count, held)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        try:
            return self._held[index]
        except KeyError:
            raise LookupError(f"line {index + 1} was not kept: a worker sends back only "
                              "the lines under diagnostics") from None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HeldLines):
            return self._count == other._count and self._held == other._held
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def split_lines(raw: str) -> list[str]:
    """The lines of a file as diagnostics count them (LF, CRLF or CR ends only, like
    :class:`~markcheck.source.Source`; ``str.splitlines`` also breaks at form feeds,
    U+2028 and others, which would shift line numbers)."""
    lines = _LINE_BREAK.split(raw)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p.upper()) for p in patterns)


def select_rules(settings: Settings) -> list[Rule]:
    return list(_selected(settings.select, settings.ignore))


def _selected(select: tuple[str, ...], ignore: tuple[str, ...]) -> Sequence[Rule]:
    """The rules ``select`` and ``ignore`` leave, in code order: worked out once for each
    pair (every file of a run asks), and again if the registry has changed since."""
    load_rules()
    registered = tuple(REGISTRY.values())
    key = (tuple(select), tuple(ignore))  # (a caller may give lists)
    known = _SELECTIONS.get(key)
    if known is not None and known[0] == registered:
        return known[1]
    rules = all_rules()
    if select:
        rules = [r for r in rules if _matches(r.code, select)]
    if ignore:
        rules = [r for r in rules if not _matches(r.code, ignore)]
    if len(_SELECTIONS) >= 64:
        _SELECTIONS.clear()
    _SELECTIONS[key] = (registered, tuple(rules))
    return _SELECTIONS[key][1]


#: (select, ignore) -> (the registry's rules then, the rules selected)
_SELECTIONS: dict = {}


def check_cable(cable: Cable, settings: Settings, rules: Sequence[Rule] | None = None) -> list[Diagnostic]:
    """Run the rules on a model and return its diagnostics, sorted."""
    if rules is None:
        rules = select_rules(settings)
    date = CableDate(settings.date, "--date") if settings.date else cable.date
    ctx = Context(date=date, options=settings.options)
    source = cable.source
    span_of = source.span
    path = source.path
    severity = settings.severity
    out: list[Diagnostic] = []
    secrets: set[str] = set()  # clear text of protected terms found (R606)
    if cable.parse_error is not None:
        rules = [r for r in rules if r.code == "S100"]
    family = ""
    for r in rules:
        code = r.code
        if code[0] != family:  # a family's shared facts are not needed by the next one
            family = code[0]
            forget_cables(family_only=True)
        for issue in r.func(cable, ctx):
            span = issue.span
            line, col, end_line, end_col = span_of(span.start, span.end)
            sev = severity.get(code) or issue.severity or r.severity
            message = issue.message
            if "\n" in message:  # a message is one line, even where it quotes wrapped text
                message = message.replace("\n", " ")
            # identical messages share one string (a long file may repeat one thousands of times)
            out.append(Diagnostic(path, line, col, end_line, end_col, code, sev,
                                  intern(message), r.name))
            if code == "R606":
                secrets.add(source.text[span.start:span.end])
    forget_cables()
    if secrets:  # no message of any rule may quote a protected term (a TAGS message would)
        out = [_mask_message(d, secrets) for d in out]
    out.sort(key=_SORT_KEY)
    return out


_SORT_KEY = Diagnostic.sort_key.fget


def _mask_message(d: Diagnostic, secrets: set[str]) -> Diagnostic:
    import dataclasses
    import re

    message = d.message
    for secret in sorted(secrets, key=len, reverse=True):
        for word in secret.split():
            if len(word) > 1:
                # a fixed-length mask, as the R messages use: the length is not leaked
                message = re.sub(re.escape(word), lambda m: m.group()[0] + "****", message, flags=re.I)
    return d if message == d.message else dataclasses.replace(d, message=message)


def lint_source(source: Source, settings: Settings = Settings()) -> list[Diagnostic]:
    return check_cable(build(source), settings.for_path(source.path))


def lint_text(text: str, path: str = "<string>", settings: Settings = Settings()) -> list[Diagnostic]:
    """Lint a cable given as text."""
    return lint_source(source_from_text(text, path, settings.dialect), settings)


# -- file discovery ------------------------------------------------------------


def _on_path(name: str) -> bool:
    """Is ``name`` a program on the PATH? ``shutil.which(name) is not None``; on POSIX
    without importing shutil (about 2 ms)."""
    if os.name != "posix":
        import shutil

        return shutil.which(name) is not None
    search = os.environ.get("PATH")
    if search is None:
        search = os.defpath
    if not search:
        return False
    for folder in search.split(os.pathsep):
        path = os.path.join(folder or os.curdir, name)
        if os.access(path, os.F_OK | os.X_OK) and not os.path.isdir(path):
            return True
    return False


class GitIgnore:
    """Which files ``.gitignore`` leaves out.

    Inside a git work tree (the folder holding ``.git``, as git finds it; where
    ``GIT_DIR`` or ``GIT_WORK_TREE`` is set, the one ``git rev-parse`` names) it asks
    git (``git check-ignore --stdin``: every ignore file, ``.git/info/exclude``, the
    global excludes; tracked files are never ignored). Without git it reads the ``.gitignore`` files of the work tree (the
    folder holding ``.git`` and below) with simple glob semantics: ``#`` comments,
    ``!`` negation, a trailing ``/`` for folders only, a pattern with a ``/`` anchored
    at its ``.gitignore``'s folder, one without matching a name at any depth.
    Outside a work tree nothing is ignored.
    """

    def __init__(self, use_git: bool | None = None) -> None:
        self._use_git = use_git  # None: asked of the PATH when first needed
        self._tops: dict[str, str | None] = {}
        self._patterns: dict[str, list[tuple[bool, bool, bool, re.Pattern[str]]]] = {}

    @property
    def use_git(self) -> bool:
        """Is there a git to ask? (shutil and subprocess are imported only where there is a
        work tree to ask about: a run outside one saves their imports.)"""
        if self._use_git is None:
            self._use_git = _on_path("git")
        return self._use_git

    @use_git.setter
    def use_git(self, value: bool) -> None:
        self._use_git = value

    def toplevel(self, folder: str) -> str | None:
        """The root of the work tree holding ``folder`` (real path), or None."""
        folder = os.path.realpath(folder)
        if folder in self._tops:
            return self._tops[folder]
        top: str | None = None
        # a folder below a known one with no .git in between is in the same work tree
        d = folder
        found = True   # d holds .git
        while not os.path.exists(os.path.join(d, ".git")):
            parent = os.path.dirname(d)
            if parent == d:
                found = False
                break
            d = parent
            if d in self._tops:
                self._tops[folder] = self._tops[d]
                return self._tops[d]
        git_env = bool(os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"))
        if not git_env:
            # the folder holding .git, as git finds it; none: no work tree, no git to ask
            top = d if found else None
        elif self.use_git:
            import subprocess

            try:
                r = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                                   capture_output=True, text=True, timeout=30)
                if r.returncode == 0 and r.stdout.strip():
                    top = os.path.realpath(r.stdout.strip())
            except (OSError, subprocess.SubprocessError):
                top = None
        elif found:
            top = d
        self._tops[folder] = top
        return top

    def ignored(self, paths: Sequence[str]) -> set[str]:
        """The subset of ``paths`` (files) that is ignored."""
        groups: dict[str, list[tuple[str, str]]] = {}
        # each folder's work tree and path in it, found once (a folder may hold thousands)
        # (keyed by the folder as the path writes it: the files of one folder share it)
        folders: dict[str, tuple[str | None, str]] = {}
        for p in paths:
            written = folder_key(p)
            known = folders.get(written)
            if known is None:
                folder = os.path.dirname(os.path.abspath(p)) or "."
                top = self.toplevel(folder)
                rel_folder = ""
                if top is not None:
                    rel_folder = os.path.relpath(os.path.realpath(folder), top)
                known = folders[written] = (top, rel_folder)
            top, rel_folder = known
            if top is None or rel_folder.startswith(".."):
                continue
            base = os.path.basename(p)
            rel = base if rel_folder == os.curdir else os.path.join(rel_folder, base)
            groups.setdefault(top, []).append((p, rel))
        out: set[str] = set()
        for top, items in groups.items():
            ignored_rel = self._git_ignored(top, [rel for _, rel in items]) if self.use_git else None
            if ignored_rel is None:
                out.update(p for p, rel in items if self._fallback_ignored(top, rel))
            else:
                out.update(p for p, rel in items if rel in ignored_rel)
        return out

    def _git_ignored(self, top: str, rels: list[str]) -> set[str] | None:
        import subprocess

        try:
            r = subprocess.run(["git", "check-ignore", "--stdin", "-z"], cwd=top,
                               input="\0".join(rels) + "\0", capture_output=True, text=True,
                               timeout=120)
        except (OSError, subprocess.SubprocessError):
            return None
        if r.returncode not in (0, 1):
            return None  # e.g. a path beyond a symbolic link: read the files ourselves
        return {p for p in r.stdout.split("\0") if p}

    def _read(self, folder: str) -> list[tuple[bool, bool, bool, re.Pattern[str]]]:
        if folder in self._patterns:
            return self._patterns[folder]
        rules: list[tuple[bool, bool, bool, re.Pattern[str]]] = []
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            lines = []
        for line in lines:
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            if line.startswith(("\\#", "\\!")):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            if line:
                rules.append((negate, dir_only, anchored, glob_regex(line)))
        self._patterns[folder] = rules
        return rules

    def _fallback_ignored(self, top: str, rel: str) -> bool:
        parts = rel.replace(os.sep, "/").split("/")
        for i in range(1, len(parts) + 1):
            prefix, is_dir = parts[:i], i < len(parts)
            state = False
            for j in range(i):
                rules = self._read(os.path.join(top, *parts[:j]))
                sub = "/".join(prefix[j:])
                for negate, dir_only, anchored, rx in rules:
                    if dir_only and not is_dir:
                        continue
                    if rx.fullmatch(sub if anchored else prefix[-1]):
                        state = not negate
            if state:
                return True   # an ignored folder's files cannot be re-included
        return False


def _slash_folder(path: str) -> str:
    return path[:path.rfind("/") + 1]


#: a key for the folder of a file path as written: paths of one key share a folder
#: (the files a walk finds in one folder share it; used to do per-folder work once
#: per folder). On POSIX the path up to its last slash, a quarter of the cost of
#: ``os.path.dirname``, which it is elsewhere.
folder_key: Callable[[str], str] = (_slash_folder if os.sep == "/" and os.altsep is None
                                    else os.path.dirname)


def discover(paths: Sequence[str], extensions: Sequence[str] = DEFAULT_EXTENSIONS,
             errors: list[str] | None = None, *,
             excluded: Callable[[str, bool], bool] | None = None,
             gitignore: bool | GitIgnore = True, force_exclude: bool = False) -> Iterator[str]:
    """Files to lint, each once, in order.

    Explicit files as given (any extension); directories searched recursively (hidden
    folders and files skipped) for files with the given extensions, in sorted order.
    Inside directories, ``excluded(path, is_dir)`` and ``.gitignore`` (``gitignore``)
    leave files and folders out; explicit paths are always kept unless
    ``force_exclude``. A missing path becomes a one-line error in ``errors``.
    """
    ext = tuple(e.lower() for e in extensions)
    gi = (gitignore if isinstance(gitignore, GitIgnore) else GitIgnore()) if gitignore else None
    candidates: list[tuple[str, bool]] = []   # (path, subject to filters)
    for path in paths:
        if path == "-":
            candidates.append((path, False))
        elif os.path.isdir(path):
            if force_exclude and excluded is not None and excluded(path, True):
                continue
            found = []
            for root, dirs, files in os.walk(path, onerror=None, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and not (excluded and excluded(os.path.join(root, d), True)))
                prefix = os.path.join(root, "")  # the folder and a separator, joined once
                for name in files:
                    if name.startswith(".") or not name.lower().endswith(ext):
                        continue
                    full = prefix + name
                    if excluded is None or not excluded(full, False):
                        found.append(full)
            candidates.extend((f, True) for f in sorted(found))
        elif os.path.lexists(path):
            if force_exclude and excluded is not None and excluded(path, False):
                continue
            candidates.append((path, force_exclude))
        elif errors is not None:
            errors.append(f"{path}: no such file or directory")
    ignored: set[str] = set()
    if gi is not None:
        ignored = gi.ignored([p for p, filtered in candidates if filtered])
    if len(paths) == 1:  # one file, or one folder walked once: no path comes twice
        for path, _ in candidates:
            if path not in ignored:
                yield path
        return
    seen: set[str] = set()
    for path, _ in candidates:
        key = path if path == "-" else os.path.normcase(os.path.abspath(path))
        if path in ignored or key in seen:
            continue
        seen.add(key)
        yield path


# -- linting files -------------------------------------------------------------


def lint_file(path: str, settings: Settings) -> FileResult:
    """Lint one file (``settings`` already for this path: see :meth:`Settings.for_path`)."""
    try:
        source = read_source(path, settings.dialect)
    except InputError as exc:
        return FileResult(path, error=str(exc))
    diags = check_cable(build(source), settings, _selected(settings.select, settings.ignore))
    return FileResult(path, diags, raw=source.raw if diags else None)


#: a diagnostic as it crosses a pipe: its fields, in order, as a plain tuple (a
#: tuple pickles and unpickles in C; a record costs two Python calls each way)
_diagnostic_fields = attrgetter(*(f.name for f in fields(Diagnostic)))


def _lint_chunk(chunk: Sequence[tuple[str, Settings]]) -> list:
    """A worker's share, packed for the pipe (see :func:`_unpack`): for each file, its
    one-line error, or its diagnostics as tuples, its line count and the lines under
    its diagnostics (only those: every reporter and the baseline read nothing else,
    and sending every file's whole text cost ``--jobs 2`` about 5%)."""
    packed: list = []
    for path, settings in chunk:
        fr = lint_file(path, settings)
        if fr.error is not None:
            packed.append(fr.error)
        elif fr.raw is None:
            packed.append(None)
        else:
            lines = HeldLines.of(Lines(fr.raw), fr.diagnostics)
            packed.append(([_diagnostic_fields(d) for d in fr.diagnostics], lines._count, lines._held))
    return packed


def _unpack(chunk: Sequence[tuple[str, Settings]], packed: list) -> Iterator[FileResult]:
    """The results of :func:`_lint_chunk`, as :func:`lint_file` gave them (with
    :class:`HeldLines` for the text)."""
    for (path, _settings), item in zip(chunk, packed, strict=True):
        if item is None:
            yield FileResult(path)
        elif isinstance(item, str):
            yield FileResult(path, error=item)
        else:
            rows, count, held = item
            yield FileResult(path, [Diagnostic(*row) for row in rows], lines=HeldLines(count, held))


_MAX_TASKS = 12288


def _chunks(items: Sequence, jobs: int) -> list[Sequence]:
    """``items`` cut into the tasks of ``jobs`` workers: up to 32 files each (fewer
    round trips), shrinking towards the end (a fourth of each worker's share of what
    is left), so that no worker is left with a long last task while the others wait.
    At most 12,288 tasks (their numbers wait in one pipe, see :func:`_forked`): past
    393,216 files, each task takes more than 32."""
    out = []
    i, n = 0, len(items)
    least = max(1, -(-n // _MAX_TASKS))
    while i < n:
        size = max(least, min(32, (n - i) // (jobs * 4)))
        out.append(items[i:i + size])
        i += size
    return out


def _can_fork() -> bool:
    """Whether workers are forked (Linux), not spawned.

    Forked workers inherit what the parent has built (the parser, the rules, the
    files' settings). They are forked with ``os.fork`` itself: the ``multiprocessing``
    machinery (about 18 ms of imports, before any file is linted) is not needed for
    that. Python 3.14 makes forkserver the default on Linux, whose workers would
    import and build everything again; macOS and Windows spawn (see
    :func:`lint_files`)."""
    import sys

    return sys.platform.startswith("linux") and hasattr(os, "fork")


class WorkerError(RuntimeError):
    """A ``--jobs`` worker failed: an exception in it (its traceback is the cause) or
    the process ended without finishing its tasks."""


class _RemoteTraceback(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _forked_worker(chunks, tasks: int, out: int) -> None:
    """A forked worker: reads the next task number from the ``tasks`` pipe until it is
    empty, writes each task's packed results to ``out``, then ``None`` to say it is
    done; an exception is sent as text (it need not pickle)."""
    try:
        try:
            while True:
                i = _next_task(tasks)
                if i is None:
                    break
                _send(out, (i, _lint_chunk(chunks[i])))
            kept.keep()  # patterns first compiled in this worker, for later runs
        except BaseException as exc:  # noqa: BLE001  (reported by the parent)
            import traceback

            _send(out, ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        else:
            _send(out, None)
    except OSError:
        pass  # the parent has gone or stopped listening (BrokenPipeError)


_TASK = 4  # bytes of a task number in the tasks pipe


def _next_task(fd: int) -> int | None:
    """The next task number from the tasks pipe, or None when none is left.

    Every number was written before the workers were forked, and the pipe's writing
    end is closed: a read of one number takes it whole (Linux reads a pipe under its
    lock) or finds the pipe empty and closed."""
    data = os.read(fd, _TASK)
    return int.from_bytes(data, "little") if data else None


def _send(fd: int, message) -> None:
    """Write ``message`` to the pipe ``fd``, pickled, after its length."""
    import pickle

    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """The next message from the pipe ``fd`` (see :func:`_send`); EOFError if the
    writer closed the pipe before a whole message."""
    import pickle

    head = _read_exactly(fd, 8)
    return pickle.loads(_read_exactly(fd, int.from_bytes(head, "little")))


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        data = os.read(fd, min(size, 1 << 20))
        if not data:
            raise EOFError
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def _task_pipe(count: int) -> int | None:
    """The reading end of a pipe holding the task numbers 0 .. ``count`` - 1, its
    writing end closed; None where they do not fit in a pipe here (:func:`_chunks`
    makes at most 12,288 tasks: 48 KiB, within the 64 KiB of a Linux pipe)."""
    data = b"".join(i.to_bytes(_TASK, "little") for i in range(count))
    r, w = os.pipe()
    try:
        os.set_blocking(w, False)  # a pipe too small says so (BlockingIOError)
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
    except OSError:
        os.close(r)
        return None
    finally:
        os.close(w)
    return r


def _forked(chunks: Sequence[Sequence], jobs: int) -> Iterator[FileResult]:
    """The results of ``chunks`` linted by this process and ``jobs - 1`` forked
    workers, in order.

    Workers inherit the task list (nothing is pickled on the way in). The task
    numbers wait in one pipe, written before the workers are forked: each process
    reads the next one as soon as it is free, with no round trip and no lock. This
    process takes tasks from the same pipe (its own results never cross a pipe) and
    reads the workers' results between its tasks, each worker's down its own pipe
    (made large enough that a worker seldom waits for the reader). Fewer processes
    than cores' worth of work: no parent idling beside the workers and waking to
    read, and half the results neither packed nor unpacked."""
    import select
    import signal
    import sys

    n = len(chunks)
    tasks = _task_pipe(n)
    if tasks is None:
        raise _NoProcesses
    workers: dict[int, int] = {}  # results pipe -> worker pid
    pids: list[int] = []
    done: list = [None] * n
    mine: dict[int, list[FileResult]] = {}

    def receive(timeout):
        ready, _, _ = select.select(list(workers), [], [], timeout)
        for fd in ready:
            while True:
                try:
                    message = _receive(fd)
                except EOFError:
                    pid = workers.pop(fd)
                    os.close(fd)
                    code = _reap(pid, pids)
                    if code == -signal.SIGINT:  # Ctrl-C reached the worker too
                        raise KeyboardInterrupt
                    raise WorkerError(f"a --jobs worker ended without finishing its files "
                                      f"(exit code {code}); try --jobs 1") from None
                if message is None:  # the worker is done
                    del workers[fd]
                    os.close(fd)
                    break
                if message[0] == "error":
                    raise WorkerError(f"in a --jobs worker: {message[1]}") from _RemoteTraceback(message[2])
                i, packed = message
                done[i] = packed
                if not select.select([fd], [], [], 0)[0]:
                    break

    try:
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        for _ in range(jobs - 1):
            reader, writer = os.pipe()
            _widen(writer)
            try:
                pid = _fork()
            except OSError:  # no more processes: go on with those started (or alone)
                os.close(reader)
                os.close(writer)
                break
            if pid == 0:  # the worker: it never returns from here
                code = 1
                try:
                    os.close(reader)
                    for fd in workers:
                        os.close(fd)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent reports it
                    _forked_worker(chunks, tasks, writer)
                    code = 0
                finally:
                    os._exit(code)
            os.close(writer)
            pids.append(pid)
            workers[reader] = pid
        nxt = 0
        while True:
            i = _next_task(tasks)
            if i is not None:
                mine[i] = [lint_file(path, settings) for path, settings in chunks[i]]
                if workers:
                    receive(0)
            elif workers:
                receive(None)
            else:
                break
            while nxt < n and (nxt in mine or done[nxt] is not None):
                if nxt in mine:
                    yield from mine.pop(nxt)
                else:
                    yield from _unpack(chunks[nxt], done[nxt])
                    done[nxt] = None
                nxt += 1
        kept.keep()  # patterns first compiled in this process, for later runs
    finally:
        os.close(tasks)
        for fd in workers:  # stopped early (an error, an interrupt)
            os.close(fd)
            try:
                os.kill(workers[fd], signal.SIGTERM)
            except OSError:
                pass
        for pid in list(pids):
            _reap(pid, pids)


def _fork() -> int:
    """``os.fork()`` (here so that a test can make it fail)."""
    return os.fork()


def _reap(pid: int, pids: list[int]) -> int | None:
    """Wait for the worker ``pid`` to end; its exit code (minus a signal's number)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    finally:
        if pid in pids:
            pids.remove(pid)
    return os.waitstatus_to_exitcode(status)


def _widen(fd: int) -> None:
    """Make a pipe's buffer 1 MiB where the platform lets it (Linux): a worker sends a
    task's results without waiting while this process is busy with a task of its own."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # the platform's size: a worker may wait a little longer


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def lint_files(items: Sequence[tuple[str, Settings]], jobs: int | None = 1) -> LintResult:
    """Lint files, each with its settings, in ``jobs`` processes (None: all cores).

    The result is the same for any ``jobs``: files in the order given, each file's
    diagnostics sorted.
    """
    result = LintResult()
    jobs = default_jobs() if jobs is None or jobs <= 0 else jobs
    jobs = min(jobs, len(items))
    if jobs <= 1 or len(items) < 4:
        for path, settings in items:
            result.add(lint_file(path, settings))
        kept.keep()  # patterns first compiled by these files, for later runs
        return result
    from .grammar import load

    load()          # the parser and its driver, built once here: forked workers inherit them
    all_rules()
    chunks = _chunks(items, jobs)
    try:
        if _can_fork():
            results: Iterable[FileResult] = _forked(chunks, jobs)
        else:
            results = _spawned(chunks, jobs)
        for fr in results:
            result.add(fr)
    except _NoProcesses:  # no process support here: one process
        for path, settings in items:
            result.add(lint_file(path, settings))
    return result


class _NoProcesses(Exception):
    pass


def _spawned(chunks: Sequence[Sequence], jobs: int) -> Iterator[FileResult]:
    """The results of ``chunks`` from a ProcessPoolExecutor of the platform's default
    start method (spawn on macOS and Windows: each worker imports markcheck again)."""
    from concurrent.futures import ProcessPoolExecutor

    try:
        pool = ProcessPoolExecutor(max_workers=jobs)
    except (OSError, NotImplementedError, ImportError) as exc:
        raise _NoProcesses from exc
    with pool:
        for chunk, packed in zip(chunks, pool.map(_lint_chunk, chunks)):
            yield from _unpack(chunk, packed)


def lint_paths(paths: Sequence[str], settings: Settings = Settings(), *, jobs: int | None = 1,
               gitignore: bool = True, force_exclude: bool = False) -> LintResult:
    """Lint files and directories with one ``settings`` (its ``exclude`` and
    ``per_file_ignores`` applied); unreadable files become one-line errors."""
    result = LintResult()
    files = list(discover(paths, errors=result.errors,
                          excluded=(lambda p, _d: settings.excludes(p)) if settings.exclude else None,
                          gitignore=gitignore, force_exclude=force_exclude))
    done = lint_files([(p, settings.for_path(p)) for p in files if p != "-"], jobs)
    done.errors[:0] = result.errors
    return done
