"""The command line: argument parsing, exit codes, wiring of the stages.

Exit codes: 0 nothing at or above ``--fail-on``; 1 something is; 2 usage, input
or internal error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from collections.abc import Sequence

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A bad argument or setting; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(message)

    def _get_formatter(self):
        # argparse makes a formatter for every argument it adds (to check its metavar),
        # and each asks shutil (imported for it) for the terminal's size: the width is
        # read here once, as shutil.get_terminal_size reads it
        return self.formatter_class(prog=self.prog, width=_help_width())


def _help_width() -> int:
    """The width argparse formats help to: the terminal's columns less 2, as
    ``shutil.get_terminal_size`` reads them (``COLUMNS``, else the size of the terminal
    on stdout, else 80), read once."""
    if not _WIDTH:
        try:
            columns = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
            except (AttributeError, ValueError, OSError):
                columns = 0
        _WIDTH.append((columns if columns > 0 else 80) - 2)
    return _WIDTH[0]


_WIDTH: list = []


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}; use YYYY-MM-DD") from None


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _globs(text: str) -> list[str]:
    return [g.strip() for g in text.split(",") if g.strip()]


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"invalid job count {text!r}; use 0 (all cores) or more")
    return n


def _extend(*lists: list[str] | None) -> list[str]:
    return [x for lst in lists if lst for x in lst]


def _check_arguments(c: argparse.ArgumentParser) -> None:
    from .dialects import DIALECTS

    c.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; - for stdin")
    c.add_argument("--format", default="text", metavar="NAME",
                   help="output format by name: text (default), full, json, sarif, github, gitlab, junit")
    c.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE (atomically)")
    c.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="colour (full format): auto (default: on a terminal unless NO_COLOR is set), "
                        "always, never")
    c.add_argument("--fail-on", choices=["error", "warning", "info"],
                   help="lowest severity that makes the exit code 1 (default: the config's fail-on, else error)")
    c.add_argument("--select", type=_codes, action="append", metavar="CODES",
                   help="only these codes or prefixes, comma separated (C2,D); replaces select")
    c.add_argument("--extend-select", type=_codes, action="append", metavar="CODES",
                   help="add these codes or prefixes to the selection")
    c.add_argument("--ignore", type=_codes, action="append", metavar="CODES",
                   help="skip these codes or prefixes, comma separated (added to ignore)")
    c.add_argument("--exclude", type=_globs, action="append", metavar="GLOBS",
                   help="leave out files and folders matching these globs (replaces exclude)")
    c.add_argument("--extend-exclude", type=_globs, action="append", metavar="GLOBS",
                   help="leave out these globs as well")
    c.add_argument("--force-exclude", action="store_true",
                   help="apply exclude and .gitignore to files named explicitly too (pre-commit)")
    c.add_argument("--no-gitignore", action="store_true", help="do not skip files .gitignore ignores")
    c.add_argument("--date", type=_date, help="the cable date (YYYY-MM-DD) for date-gated rules")
    c.add_argument("--dialect", choices=sorted(DIALECTS), help="input dialect (default: by content)")
    c.add_argument("--statistics", action="store_true", help="print a count per code instead")
    c.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    c.add_argument("--stdin-filename", metavar="NAME",
                   help="the path of stdin input: reported, and used for config, excludes and per-file-ignores")
    c.add_argument("--config", metavar="FILE", help="use this configuration file for every path")
    c.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    c.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline")
    c.add_argument("--no-baseline", action="store_true", help="ignore the configured baseline")
    c.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit")
    c.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                   help="lint in N processes (default 0: all cores; 1: sequential)")
    c.add_argument("--release-level", choices=["U", "C", "S"], type=str.upper, metavar="U|C|S",
                   help="gate a release at this level: enables R604, R609, R610")
    c.add_argument("--protected", metavar="FILE",
                   help="the protected-terms store for R606 (default: .markcheck-protected.json "
                        "found from each file's folder upwards)")


def _protect_arguments(pr: argparse.ArgumentParser) -> None:
    pr.add_argument("action", choices=["add", "list", "remove"], help="add TERM..., list, remove ID...")
    pr.add_argument("terms", nargs="*", metavar="TERM",
                    help="terms to add (none or -: one per line from stdin), or ids to remove")
    pr.add_argument("--file", metavar="FILE",
                    help="the store (default: the closest .markcheck-protected.json upwards, "
                         "else one in the current folder)")


def _redact_arguments(rd: argparse.ArgumentParser) -> None:
    from .dialects import DIALECTS

    rd.add_argument("path", metavar="FILE", help="a cable file")
    rd.add_argument("--release-level", required=True, choices=["U", "C", "S"], type=str.upper,
                    metavar="U|C|S", help="withhold every portion above this level")
    rd.add_argument("--output", "-o", metavar="OUT",
                    help="where to write the copy (default FILE.release.txt; - for stdout)")
    rd.add_argument("--in-place", action="store_true", help="replace FILE itself (atomically)")
    rd.add_argument("--protected", metavar="FILE", help="the protected-terms store (default: found upwards)")
    rd.add_argument("--dialect", choices=sorted(DIALECTS), help="input dialect (default: by content)")


def _config_arguments(cf: argparse.ArgumentParser) -> None:
    cf.add_argument("path", nargs="?", default=".", metavar="PATH", help="a file or folder (default .)")
    cf.add_argument("--format", default="text", choices=["text", "json"], help="(default text)")
    cf.add_argument("--config", metavar="FILE", help="use this configuration file")
    cf.add_argument("--isolated", action="store_true", help="ignore all configuration files")


def _parse_arguments(ps: argparse.ArgumentParser) -> None:
    from .dialects import DIALECTS

    ps.add_argument("path", metavar="FILE", help="a cable file; - for stdin")
    ps.add_argument("--format", default="json", choices=["json", "text"], help="(default json)")
    ps.add_argument("--dialect", choices=sorted(DIALECTS), help="input dialect (default: by content)")


def _rule_arguments(r: argparse.ArgumentParser) -> None:
    r.add_argument("code", help="a rule code such as C203")


def _rules_arguments(rl: argparse.ArgumentParser) -> None:
    rl.add_argument("--format", default="text", choices=["text", "json", "markdown"],
                    help="text (default), json, or markdown (docs/rules.md)")


#: the subcommands: name -> (help, the function that adds its arguments)
_SUBCOMMANDS = {
    "check": ("lint files and folders (default: current folder)", _check_arguments),
    "protect": ("manage the protected-terms store (salted hashes only)", _protect_arguments),
    "redact": ("write a release copy of a cable", _redact_arguments),
    "config": ("show the settings in effect for a path", _config_arguments),
    "parse": ("print the model of one cable", _parse_arguments),
    "rule": ("explain a rule", _rule_arguments),
    "rules": ("list all rules", _rules_arguments),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only`` (a subcommand's name), that subcommand's
    arguments alone (the others are listed by name and help, with none of theirs):
    argparse's work per argument is a tenth of a one-file run's own."""
    p = _Parser(prog="markcheck", description="Lint the classification markings of diplomatic cables.")
    p.add_argument("--version", action="version", version=f"markcheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (help_text, add_arguments) in _SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if only is None or only == name:
            add_arguments(command)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .baseline import BaselineError
    from .config import ConfigError

    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except (UsageError, ConfigError, BaselineError) as exc:
        print(f"markcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("markcheck: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_ERROR
    except Exception as exc:  # never a traceback for the user
        if os.environ.get("MARKCHECK_DEBUG"):
            raise
        print(f"markcheck: internal error: {type(exc).__name__}: {exc} "
              "(set MARKCHECK_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_ERROR


def run() -> None:
    """The console script (and ``python -m markcheck``): :func:`main`, then a quick exit.

    Once the output is flushed and the exit handlers have run, nothing is left to do
    but free every object one by one, which Python's own shutdown does: about 50
    million instructions, 8% of a one-file run. ``os._exit`` skips that, as mypy
    does. (:func:`main` itself returns, for callers in the same process.)"""
    import atexit

    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a reader gone (as main() says it)
            code = code or EXIT_ERROR
    atexit._run_exitfuncs()  # handlers a library registered (multiprocessing, logging)
    os._exit(code)


COMMANDS = {}


def _main(argv: list[str]) -> int:
    parser = build_parser(argv[0] if argv and argv[0] in _SUBCOMMANDS else None)
    if not argv:
        parser.print_help()
        return EXIT_ERROR
    args = parser.parse_args(argv)
    command = COMMANDS.get(args.command)
    if command is None:
        parser.print_help()
        return EXIT_ERROR
    return command(args)


def _read_stdin(name: str, dialect: str | None):
    from .source import decode, source_from_text

    data = sys.stdin.buffer.read()
    return source_from_text(decode(data, name), name, dialect)


def _check_codes(codes: list[str]) -> None:
    from .rules import all_rules

    known = {r.code for r in all_rules()}
    for code in codes:
        if not any(k.startswith(code) for k in known):
            raise UsageError(f"unknown rule code or prefix {code!r} (see 'markcheck rules')")


def _overrides(args: argparse.Namespace):
    from .config import Overrides
    from .diagnostics import Severity

    _check_codes(_extend(*(args.select or []), *(args.extend_select or []), *(args.ignore or [])))
    return Overrides(
        select=tuple(_extend(*args.select)) if args.select else None,
        extend_select=tuple(_extend(*(args.extend_select or []))),
        ignore=tuple(_extend(*(args.ignore or []))),
        exclude=tuple(_extend(*args.exclude)) if args.exclude else None,
        extend_exclude=tuple(_extend(*(args.extend_exclude or []))),
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        date=args.date, dialect=args.dialect,
        baseline=args.baseline)


class _Settings:
    """The settings for each path: its closest configuration plus the overrides."""

    def __init__(self, resolver, overrides) -> None:
        self.resolver, self.overrides = resolver, overrides
        self._cache: dict = {}
        self._by_folder: dict = {}  # a file's folder as written -> its configuration
        self._file_settings: dict = {}  # a file's folder as written -> its Settings
        from .lint import folder_key

        self._folder_key = folder_key

    def config(self, path: str, is_dir: bool | None = None):
        if is_dir is not False:
            return self.resolver.for_path(path, is_dir)
        # a file's configuration is its folder's: looked up once per folder as the path
        # names it (a run asks twice for each of thousands of files in a few folders)
        folder = self._folder_key(path)
        cfg = self._by_folder.get(folder)
        if cfg is None:
            cfg = self._by_folder[folder] = self.resolver.for_path(path, False)
        return cfg

    def __call__(self, path: str, is_dir: bool | None = None):
        if is_dir is False:  # a file's settings are its folder's (see config)
            folder = self._folder_key(path)
            settings = self._file_settings.get(folder)
            if settings is None:
                settings = self._file_settings[folder] = self._settings(self.config(path, False))
            return settings
        return self._settings(self.config(path, is_dir))

    def _settings(self, cfg):
        key = id(cfg)
        if key not in self._cache:
            self._cache[key] = (cfg, cfg.settings(self.overrides))
        return self._cache[key][1]

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        # a folder is judged by the configuration of the folder holding it
        return self(path, False).excludes(path)


def _make_report(result, diagnostics, args) -> object:
    """The Report for the reporters, with every field this version of it has."""
    import dataclasses

    from .report import Report

    values = dict(diagnostics=diagnostics, files=result.files, errors=list(result.errors),
                  statistics=args.statistics, quiet=args.quiet,
                  sources=result.sources, files_linted=list(result.paths),
                  color=args.color, terminal=not args.output_file and _isatty())
    names = {f.name for f in dataclasses.fields(Report)}
    return Report(**{k: v for k, v in values.items() if k in names})


def _isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


#: the rules that run only with --release-level
RELEASE_RULES = ("R604", "R609", "R610")


def _release_options(args: argparse.Namespace):
    """A function adding ``--release-level`` and ``--protected`` to a file's settings
    (as options of the R rules, over those of the configuration)."""
    import dataclasses

    extra: dict[str, dict] = {}
    if getattr(args, "release_level", None):
        for code in RELEASE_RULES:
            extra[code] = {"release-level": args.release_level}
    if getattr(args, "protected", None):
        from .protect import Store, StoreError

        try:
            Store.load(args.protected)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        extra["R606"] = {"protected": os.path.abspath(args.protected)}
    if not extra:
        return lambda settings: settings

    done: dict = {}  # id(settings) -> (settings, with the options): most files share one

    def apply(settings):
        known = done.get(id(settings))
        if known is not None and known[0] is settings:
            return known[1]
        options = {k: dict(v) for k, v in settings.options.items()}
        for code, values in extra.items():
            options.setdefault(code, {}).update(values)
        out = dataclasses.replace(settings, options=options)
        done[id(settings)] = (settings, out)
        return out
    return apply


def cmd_check(args: argparse.Namespace) -> int:
    from .baseline import Baseline, write_text_atomic
    from .config import ConfigResolver
    from .lint import GitIgnore, Lines, check_cable, discover, lint_files, select_rules
    from .model import build
    from .report import get_reporter
    from .source import InputError

    try:
        reporter = get_reporter(args.format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.write_baseline and args.baseline:
        raise UsageError("--baseline and --write-baseline do not go together")
    overrides = _overrides(args)
    resolver = ConfigResolver(args.config, args.isolated)
    settings_of = _Settings(resolver, overrides)
    paths = args.paths or ["."]
    stdin_name = args.stdin_filename or "-"
    # run-level settings (fail-on, baseline) come from the configuration of the first path
    first = paths[0] if paths[0] != "-" else (args.stdin_filename or "stdin")
    run_config = settings_of.config(first)
    baseline_path = None
    if not args.write_baseline and not args.no_baseline:
        baseline_path = run_config.baseline_path(overrides)
    baseline = Baseline.load(_shown(baseline_path)) if baseline_path else None  # fail early

    gitignore = False if args.no_gitignore else GitIgnore()
    errors: list[str] = []
    files = [p for p in discover([p for p in paths if p != "-"], errors=errors,
                                 excluded=settings_of.excluded, gitignore=gitignore,
                                 force_exclude=args.force_exclude)]
    release = _release_options(args)
    result = lint_files([(p, release(settings_of(p, False).for_path(p))) for p in files],
                        args.jobs or None)
    result.errors[:0] = errors
    if "-" in paths:
        skip = args.force_exclude and args.stdin_filename and (
            settings_of.excluded(stdin_name)
            or (gitignore and gitignore.ignored([stdin_name])))
        if not skip:
            settings = release(settings_of(stdin_name).for_path(stdin_name))
            try:
                source = _read_stdin(stdin_name, args.dialect)
            except InputError as exc:
                result.errors.append(str(exc))
            else:
                diags = check_cable(build(source), settings, select_rules(settings))
                result.files += 1
                result.paths.append(stdin_name)
                result.diagnostics.extend(diags)
                if diags:
                    result.sources[stdin_name] = Lines(source.raw)

    for err in result.errors:
        print(f"markcheck: error: {err}", file=sys.stderr)
    if args.write_baseline:
        written = Baseline.from_diagnostics(args.write_baseline, result.diagnostics, result.sources)
        written.write(args.write_baseline)
        n = len(result.diagnostics)
        print(f"markcheck: wrote {args.write_baseline}: {n} finding{'s' if n != 1 else ''} "
              f"({len(written.counts)} entries) in {result.files} file{'s' if result.files != 1 else ''}",
              file=sys.stderr)
        return EXIT_ERROR if result.errors else EXIT_OK

    diagnostics = result.diagnostics
    if baseline is not None:
        match = baseline.apply(diagnostics, result.sources, result.paths)
        diagnostics = match.new
        _report_baseline(_shown(baseline_path), match, args.quiet)

    text = reporter(_make_report(result, diagnostics, args))
    if args.output_file:
        try:
            write_text_atomic(args.output_file, text)
        except OSError as exc:
            raise UsageError(f"{args.output_file}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if result.errors:
        return EXIT_ERROR
    threshold = run_config.fail_on_level(overrides)
    return EXIT_FINDINGS if any(d.severity >= threshold for d in diagnostics) else EXIT_OK


def _shown(path: str) -> str:
    """A path as short as it can be shown: relative to the current folder when below it."""
    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _report_baseline(shown: str, match, quiet: bool) -> None:
    stale = sum(n for _, n in match.stale)
    if match.stale:
        print(f"markcheck: baseline {shown}: {stale} stale entr{'ies' if stale != 1 else 'y'} "
              f"(fixed since it was written; refresh with --write-baseline {shown})", file=sys.stderr)
        if not quiet:
            for (p, code, digest), n in match.stale:
                print(f"markcheck: stale: {p}: {code} {digest[:12]}" + (f" (x{n})" if n > 1 else ""),
                      file=sys.stderr)


def cmd_config(args: argparse.Namespace) -> int:
    import json  # (here: not imported by a check)

    from .config import ConfigResolver, Overrides
    from .lint import select_rules
    from .rules import all_rules

    resolver = ConfigResolver(args.config, args.isolated)
    cfg = resolver.for_path(args.path)
    data = cfg.to_dict()
    settings = cfg.settings(Overrides())
    is_dir = os.path.isdir(args.path)
    here = settings.for_path(args.path)
    enabled = [r.code for r in select_rules(here)]
    data["path"] = {
        "path": args.path,
        "excluded": settings.excludes(args.path),
        "per-file-ignores": list(settings.ignored_for(args.path)),
        "rules": enabled,
    }
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    out = sys.stdout
    out.write(f"# settings in effect for {args.path}{'/' if is_dir and not args.path.endswith('/') else ''}\n")
    out.write(f"# from {cfg.label}\n")
    for key in ("select", "ignore", "per-file-ignores", "severity", "fail-on", "date", "exclude",
                "baseline", "options"):
        value = data[key]
        if key == "select" and not value:
            out.write("select = []  # all rules\n")
        elif value is None:
            out.write(f"# {key}: not set\n")
        else:
            out.write(f"{key} = {_toml_value(value)}\n")
    p = data["path"]
    out.write(f"# {args.path}: {'excluded' if p['excluded'] else 'linted'}; "
              f"{len(enabled)} of {len(all_rules())} rules"
              + (f"; per-file-ignores here: {', '.join(p['per-file-ignores'])}" if p["per-file-ignores"] else "")
              + "\n")
    return EXIT_OK


def _toml_value(value) -> str:
    import json  # (here: not imported by a check)

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }" \
            if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))


def _toml_key(key: str) -> str:
    import json  # (here: not imported by a check)
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def cmd_parse(args: argparse.Namespace) -> int:
    import json  # (here: not imported by a check)

    from .dump import cable_to_dict
    from .model import build
    from .source import InputError, read_source

    try:
        source = (_read_stdin("-", args.dialect) if args.path == "-"
                  else read_source(args.path, args.dialect))
    except InputError as exc:
        print(f"markcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    data = cable_to_dict(build(source))
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        for key, value in data.items():
            sys.stdout.write(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return EXIT_OK


def cmd_rule(args: argparse.Namespace) -> int:
    from .rules import get_rule

    r = get_rule(args.code)
    if r is None:
        raise UsageError(f"unknown rule {args.code!r} (see 'markcheck rules')")
    print(f"{r.code} {r.name} ({r.severity})\n")
    print(r.doc)
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    import json  # (here: not imported by a check)

    from .rules import all_rules

    if args.format == "markdown":
        from .docgen import rules_markdown

        sys.stdout.write(rules_markdown())
    elif args.format == "json":
        data = [{"code": r.code, "name": r.name, "severity": str(r.severity), "summary": r.summary,
                 "doc": r.doc, "options": dict(r.options)} for r in all_rules()]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for r in all_rules():
            print(f"{r.code}  {r.name:<34} {str(r.severity):<8} {r.summary}")
    return EXIT_OK


def _store_path(given: str | None) -> str:
    from .protect import STORE_NAME, find_store

    return given or find_store(os.getcwd()) or os.path.join(os.getcwd(), STORE_NAME)


def cmd_protect(args: argparse.Namespace) -> int:
    """Add, list or remove protected terms; never prints a term."""
    from .protect import Store, StoreError

    path = _store_path(args.file)
    try:
        store = Store.load(path) if os.path.exists(path) else Store(path=path)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if args.action == "list":
        if args.terms:
            raise UsageError("protect list takes no arguments")
        for e in store.entries:
            print(f"{e.id}  added {e.added}")
        n = len(store.entries)
        print(f"markcheck: {_shown(path)}: {n} protected term{'s' if n != 1 else ''}", file=sys.stderr)
        return EXIT_OK
    if args.action == "remove":
        if not args.terms:
            raise UsageError("protect remove needs entry ids (see 'markcheck protect list')")
        missing = [i for i in args.terms if not store.remove(i)]
        if missing:
            raise UsageError(f"no entry {missing[0]!r} in {_shown(path)}")
        store.save(path)
        print(f"markcheck: {_shown(path)}: removed {len(args.terms)}", file=sys.stderr)
        return EXIT_OK
    terms = [t for t in args.terms if t != "-"]
    if not args.terms or "-" in args.terms:
        terms.extend(line.strip() for line in sys.stdin.read().splitlines() if line.strip())
    if not terms:
        raise UsageError("protect add needs terms (arguments, or one per line on stdin)")
    added = [e for e in (store.add(t) for t in terms) if e is not None]
    try:
        store.save(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}") from None
    for e in added:
        print(f"{e.id}  added {e.added}")
    print(f"markcheck: {_shown(path)}: added {len(added)}, {len(terms) - len(added)} already "
          f"there or empty; {len(store.entries)} in all", file=sys.stderr)
    return EXIT_OK


def cmd_redact(args: argparse.Namespace) -> int:
    from .baseline import write_text_atomic
    from .markings import Level
    from .protect import Store, StoreError, find_store
    from .redact import default_output, redact_file
    from .source import InputError

    if args.in_place and args.output:
        raise UsageError("--in-place and --output do not go together")
    if args.in_place:
        out = args.path
    else:
        out = args.output or default_output(args.path)
        if out != "-" and os.path.exists(out) and os.path.samefile(out, args.path):
            raise UsageError(f"{out} is the input; use --in-place to replace it")
    store_path = args.protected or find_store(os.path.dirname(os.path.abspath(args.path)))
    store = None
    if store_path:
        try:
            store = Store.load(store_path)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    try:
        result = redact_file(args.path, Level[args.release_level], store, args.dialect)
    except InputError as exc:
        print(f"markcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if out == "-":
        sys.stdout.write(result.text)
    else:
        try:
            write_text_atomic(out, result.text)
        except OSError as exc:
            raise UsageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    print(f"markcheck: {args.path} -> {out}: withheld {result.portions} portion(s), "
          f"{result.terms} protected term(s), {result.personal} personal data item(s), "
          f"{result.tokens} earlier redaction(s) normalised", file=sys.stderr)
    return EXIT_OK


COMMANDS.update(check=cmd_check, config=cmd_config, parse=cmd_parse, rule=cmd_rule, rules=cmd_rules,
                protect=cmd_protect, redact=cmd_redact)
