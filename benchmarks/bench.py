"""Speed and memory of markcheck, printed as figures (never asserted).

    python benchmarks/bench.py [FOLDER] [--limit N] [--passes N] [--big-mb MB]

FOLDER defaults to ../shared/corpus/cables. Prints, for parse only, for a full check
of texts already read, and for a full check that reads each file as `markcheck
check` does: cables/s, MB/s and ms per cable on one core (the best of --passes passes,
default 3); the peak memory of this process; the wall time of `markcheck check
--jobs 1` against `--jobs 2` on the folder (the best of five runs each, in turn); the
wall time of `markcheck check` on the seed beside `python -c pass`; how time grows
with input size (one cable 10x longer, the best of nine runs each, in turn); and the
peak memory of `markcheck check` on one large file (--big-mb, default 50; 0 skips it).
Commands run the console script installed beside this Python (see console_script).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


#: commands run as an installed tool runs: with its bytecode cached (pip compiles it at
#: install; PYTHONDONTWRITEBYTECODE, set on some machines, would time the compiler)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def console_script() -> str | None:
    """The `markcheck` console script of the Python running this script (the one whose
    markcheck it imports): beside the interpreter, as a venv or an install puts it.
    The PATH's `markcheck` only where there is none there: on PATH it may be another
    install, or a version manager's shim (pyenv's runs a chain of shell scripts,
    about 0.1 s, before Python starts)."""
    here = Path(sys.executable).parent / ("markcheck.exe" if os.name == "nt" else "markcheck")
    return str(here) if here.is_file() else shutil.which("markcheck")


def wall(cmd: list[str], repeat: int = 5) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def alternating(a: list[str], b: list[str], rounds: int = 2) -> tuple[float, float]:
    """The best wall time of each of two commands, run in turn (a neighbour's load on a
    shared host then falls on both alike)."""
    best = [float("inf"), float("inf")]
    for _ in range(rounds):
        for i, cmd in enumerate((a, b)):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
            best[i] = min(best[i], time.perf_counter() - t)
    return best[0], best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "cables"))
    ap.add_argument("--limit", type=int, default=0, help="use only the first N files")
    ap.add_argument("--passes", type=int, default=3,
                    help="passes over the folder for the one-core figures; the best is shown")
    ap.add_argument("--big-mb", type=float, default=50, help="size of the large file (0: skip)")
    args = ap.parse_args()

    from markcheck.lint import Settings, check_cable, select_rules
    from markcheck.model import build
    from markcheck.source import read_source

    all_files = sorted(str(p) for p in Path(args.folder).glob("*") if p.is_file())
    files = all_files[:args.limit] if args.limit else all_files
    if not files:
        sys.exit(f"no files in {args.folder}")
    size = sum(os.path.getsize(f) for f in files)
    texts = [read_source(f) for f in files]  # read once for the figures without reading
    build(texts[0])  # build the parser once (as every run does at start-up)
    rules = select_rules(Settings())

    from markcheck.grammar import parse_document

    # the best of --passes passes over the corpus (the first also warms lazy set-up)
    passes = args.passes
    t_read = timed(lambda: [read_source(f) for f in files], passes)
    t_doc = timed(lambda: [parse_document(s.text) for s in texts], passes)
    t_parse = timed(lambda: [build(s) for s in texts], passes)
    t_check = timed(lambda: [check_cable(build(s), Settings(), rules) for s in texts], passes)
    # as `markcheck check` does each file: read, decode and normalise it, parse, check
    t_file = timed(lambda: [check_cable(build(read_source(f)), Settings(), rules) for f in files],
                   passes)
    n, mb = len(files), size / 1e6
    print(f"corpus: {n} cables, {mb:.1f} MB ({args.folder})")
    for label, t in (("parse only", t_parse), ("full check", t_check),
                     ("read + full check", t_file)):
        print(f"{label:>17}: {n / t:8.0f} cables/s  {mb / t:6.2f} MB/s  {1000 * t / n:6.2f} ms/cable")
    print(f"   per cable: reading {1000 * t_read / n:.2f} ms, document parse {1000 * t_doc / n:.2f} ms, "
          f"elements and model {1000 * (t_parse - t_doc) / n:.2f} ms, rules and diagnostics "
          f"{1000 * (t_check - t_parse) / n:.2f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process, all texts loaded): {peak:.0f} MB")

    exe = console_script()
    if exe:
        folder = args.folder
        print(f"console script: {exe}")
        j1, j2 = alternating([exe, "check", "--jobs", "1", "--quiet", folder],
                             [exe, "check", "--jobs", "2", "--quiet", folder], rounds=5)
        whole = len(all_files)  # the command checks the whole folder (--limit aside)
        print(f"markcheck check on the folder: --jobs 1 {j1:.2f} s ({whole / j1:.0f} cables/s), "
              f"--jobs 2 {j2:.2f} s ({whole / j2:.0f} cables/s; speed-up {j1 / j2:.2f}x)")
        seed = str(ROOT / "seeds")
        t_seed = wall([exe, "check", seed], repeat=11)
        t_pass = wall([sys.executable, "-c", "pass"], repeat=11)
        print(f"one-file start-up: markcheck check seeds/ {1000 * t_seed:.0f} ms, "
              f"python -c pass {1000 * t_pass:.0f} ms ({t_seed / t_pass:.1f}x)")
    else:
        print("markcheck console script not installed: start-up and --jobs figures skipped")

    growth()
    if exe and args.big_mb > 0:
        big_file(exe, args.big_mb)


HEAD = ("C O N F I D E N T I A L SECTION 01 OF 02 PARIS 007961\n\nSIPDIS\n\n"
        "E.O. 12958: DECL: 10/21/2015\nTAGS: PREL FR\nSUBJECT: TALKS\n\n"
        "Classified By: DCM John Smith for reasons 1.4 (b) and (d).\n\n")
PARA = ("{n}. (C) The minister said the talks would go on, and that XXXXXXXXXXXX\n"
        "had agreed to meet again in October; see REF A. End comment.\n\n")


def cable_of(paragraphs: int) -> str:
    return HEAD + "".join(PARA.format(n=i) for i in range(1, paragraphs + 1)) + "SMITH\n"


def growth() -> None:
    """Time of one cable against the same cable 10x longer (linear: about 10x)."""
    from markcheck.lint import lint_text

    small, large = cable_of(300), cable_of(3000)
    lint_text(small, "a.txt")  # warm: the lazily built scanner entries and patterns
    # the best of nine each, in turn (a neighbour's load then falls on both alike)
    t_small = t_large = float("inf")
    for _ in range(9):
        t_small = min(t_small, timed(lambda: lint_text(small, "a.txt")))
        t_large = min(t_large, timed(lambda: lint_text(large, "a.txt")))
    print(f"growth: {len(small) / 1e3:.0f} KB in {1000 * t_small:.0f} ms, "
          f"{len(large) / 1e3:.0f} KB in {1000 * t_large:.0f} ms ({t_large / t_small:.1f}x time "
          f"for {len(large) / len(small):.1f}x input)")


def big_file(exe: str, megabytes: float) -> None:
    """Peak memory of `markcheck check` on one file of about ``megabytes`` MB."""
    import tempfile

    one = len(PARA) + 2
    text = cable_of(int(megabytes * 1e6 / one))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.txt")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        size = os.path.getsize(path)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        subprocess.run([exe, "check", "--quiet", "--jobs", "1", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_bytes = max(peak, before) * 1024  # ru_maxrss is in KiB on Linux
    print(f"large file: {size / 1e6:.1f} MB checked in {elapsed:.1f} s, peak memory "
          f"{peak_bytes / 1e6:.0f} MB ({peak_bytes / size:.1f}x its size)")


if __name__ == "__main__":
    main()
