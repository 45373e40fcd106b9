"""The command line: argument parsing, exit codes, wiring of the stages.

Exit codes: 0 nothing at or above ``--fail-on``; 1 something is; 2 usage, input
or internal error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from typing import Sequence

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A bad argument or setting; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise UsageError(message)


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}; use YYYY-MM-DD") from None


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    from .dialects import DIALECTS

    p = _Parser(prog="markcheck", description="Lint the classification markings of diplomatic cables.")
    p.add_argument("--version", action="version", version=f"markcheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("check", help="lint files and folders (default: current folder)")
    c.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; - for stdin")
    c.add_argument("--format", default="text", help="output format: text, json (default text)")
    c.add_argument("--fail-on", default="error", choices=["error", "warning", "info"],
                   help="lowest severity that makes the exit code 1 (default error)")
    c.add_argument("--select", type=_codes, default=[], metavar="CODES",
                   help="only these codes or prefixes, comma separated (C2,D)")
    c.add_argument("--ignore", type=_codes, default=[], metavar="CODES",
                   help="skip these codes or prefixes, comma separated")
    c.add_argument("--date", type=_date, help="the cable date (YYYY-MM-DD) for date-gated rules")
    c.add_argument("--dialect", choices=sorted(DIALECTS), help="input dialect (default: by content)")
    c.add_argument("--statistics", action="store_true", help="print a count per code instead")
    c.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    c.add_argument("--stdin-filename", metavar="NAME", help="the path to report for stdin input")

    ps = sub.add_parser("parse", help="print the model of one cable")
    ps.add_argument("path", metavar="FILE", help="a cable file; - for stdin")
    ps.add_argument("--format", default="json", choices=["json", "text"], help="(default json)")
    ps.add_argument("--dialect", choices=sorted(DIALECTS), help="input dialect (default: by content)")

    r = sub.add_parser("rule", help="explain a rule")
    r.add_argument("code", help="a rule code such as C203")
    rl = sub.add_parser("rules", help="list all rules")
    rl.add_argument("--format", default="text", choices=["text", "json", "markdown"],
                    help="text (default), json, or markdown (docs/rules.md)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
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


def _main(argv: list[str]) -> int:
    parser = build_parser()
    if not argv:
        parser.print_help()
        return EXIT_ERROR
    args = parser.parse_args(argv)
    if args.command == "check":
        return cmd_check(args)
    if args.command == "parse":
        return cmd_parse(args)
    if args.command == "rule":
        return cmd_rule(args)
    if args.command == "rules":
        return cmd_rules(args)
    parser.print_help()
    return EXIT_ERROR


def _read_stdin(name: str, dialect: str | None):
    from .source import decode, source_from_text

    data = sys.stdin.buffer.read()
    return source_from_text(decode(data, name), name, dialect)


def cmd_check(args: argparse.Namespace) -> int:
    from .diagnostics import Severity
    from .lint import LintResult, Settings, check_cable, lint_paths, select_rules
    from .model import build
    from .report import Report, get_reporter
    from .rules import all_rules
    from .source import InputError

    try:
        reporter = get_reporter(args.format)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    known = {r.code for r in all_rules()}
    for code in [*args.select, *args.ignore]:
        if not any(k.startswith(code) for k in known):
            raise UsageError(f"unknown rule code or prefix {code!r} (see 'markcheck rules')")
    settings = Settings(select=tuple(args.select), ignore=tuple(args.ignore), date=args.date,
                        dialect=args.dialect)
    paths = args.paths or ["."]
    files = [p for p in paths if p != "-"]
    result = lint_paths(files, settings) if files else LintResult()
    if "-" in paths:
        name = args.stdin_filename or "-"
        try:
            source = _read_stdin(name, args.dialect)
            result.files += 1
            result.diagnostics.extend(check_cable(build(source), settings, select_rules(settings)))
        except InputError as exc:
            result.errors.append(str(exc))
    report = Report(result.diagnostics, result.files, result.errors, args.statistics, args.quiet)
    sys.stdout.write(reporter(report))
    sys.stdout.flush()
    for err in result.errors:
        print(f"markcheck: error: {err}", file=sys.stderr)
    if result.errors:
        return EXIT_ERROR
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(d.severity >= threshold for d in result.diagnostics) else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
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
