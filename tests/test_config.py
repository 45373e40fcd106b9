"""Configuration files, their validation, `markcheck config`, stdin names and file discovery."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from markcheck import cli
from markcheck.config import ConfigError, ConfigResolver, Overrides, load_config, path_matches
from markcheck.diagnostics import Severity
from markcheck.lint import GitIgnore, discover

# S101 (no classification line) at 1:1; other rules may add more findings
BAD = "SIPDIS\n\nE.O. 12958: DECL: 12/15/2027\nTAGS: PREL\nSUBJECT: X\n\n1. (S) Text.\n"


def run(args, capsys, stdin=None, monkeypatch=None):
    """markcheck in this process (fast); returns (exit code, stdout, stderr)."""
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def codes(out: str) -> list[tuple[str, str]]:
    return [(d["path"], d["code"]) for d in json.loads(out)]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- globs -----------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,path,expected", [
    ("*.html", "a/b/c.html", True),          # no slash: the name, at any depth
    ("drafts", "drafts/x.txt", True),        # a folder name excludes what is below it
    ("drafts", "a/drafts/x.txt", True),
    ("drafts", "a/drafts2/x.txt", False),
    ("a/*.txt", "a/x.txt", True),            # a slash: anchored at the root
    ("a/*.txt", "b/a/x.txt", False),
    ("a/*.txt", "a/b/x.txt", False),         # * stays within one segment
    ("a/**/*.txt", "a/b/c/x.txt", True),
    ("a/**/*.txt", "a/x.txt", True),
    ("**/old/*", "x/y/old/z.txt", True),
    ("archive/", "archive/2006/x.txt", True),
    ("./archive", "archive/x.txt", True),
    ("cable?.txt", "cable1.txt", True),
    ("cable[0-9].txt", "cableA.txt", False),
    ("cable[!0-9].txt", "cableA.txt", True),
])
def test_glob_semantics(tmp_path, pattern, path, expected):
    assert path_matches(pattern, str(tmp_path / path), str(tmp_path)) is expected


def test_glob_outside_root_matches_names_only(tmp_path):
    assert path_matches("*.txt", str(tmp_path / "x.txt"), str(tmp_path / "sub"))
    assert not path_matches("sub/*.txt", str(tmp_path / "x.txt"), str(tmp_path / "sub"))


# -- finding the configuration ---------------------------------------------------------

def test_closest_config_wins(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.markcheck]\nselect = ["S"]\n')
    write(tmp_path / "a" / ".markcheck.toml", 'ignore = ["S101"]\n')
    write(tmp_path / "b" / "pyproject.toml", '[project]\nname = "x"\n')    # not ours: passed over
    write(tmp_path / "c" / "pyproject.toml", '[tool.markcheck]\nignore = ["D"]\n')
    write(tmp_path / "c" / ".markcheck.toml", 'ignore = ["T"]\n')          # wins in its folder
    r = ConfigResolver()
    assert r.for_path(str(tmp_path / "x.txt")).select == ("S",)
    deep = r.for_path(str(tmp_path / "a" / "d" / "e" / "x.txt"))
    assert deep.path == str(tmp_path / "a" / ".markcheck.toml")
    assert deep.select is None and deep.ignore == ("S101",)          # closest wins: no merging
    assert r.for_path(str(tmp_path / "b" / "x.txt")).path == str(tmp_path / "pyproject.toml")
    assert r.for_path(str(tmp_path / "c" / "x.txt")).ignore == ("T",)
    assert r.for_path(str(tmp_path / "a"), is_dir=True).ignore == ("S101",)


def test_no_config_is_defaults(tmp_path):
    cfg = ConfigResolver().for_path(str(tmp_path / "x.txt"))
    assert cfg.path is None and cfg.fail_on_level() is Severity.ERROR
    assert ConfigResolver(isolated=True).for_path(".").path is None


def test_broken_pyproject_of_another_tool_is_passed_over(tmp_path):
    write(tmp_path / "pyproject.toml", "[project\nname = \n")
    assert load_config(str(tmp_path / "pyproject.toml")) is None


def test_overrides():
    from markcheck.config import Config

    cfg = Config(path="p", root="/r", select=("S",), extend_select=("C2",), ignore=("S101",),
                 fail_on=Severity.WARNING)
    s = cfg.settings()
    assert s.select == ("S", "C2") and s.ignore == ("S101",)
    s = cfg.settings(Overrides(ignore=("S102",)))                    # --ignore adds
    assert s.select == ("S", "C2") and s.ignore == ("S101", "S102")
    s = cfg.settings(Overrides(select=("D",), extend_select=("T5",)))  # --select replaces
    assert s.select == ("D", "T5") and s.ignore == ()
    assert cfg.fail_on_level(Overrides(fail_on=Severity.INFO)) is Severity.INFO
    assert cfg.fail_on_level() is Severity.WARNING


def test_severity_prefixes_expand_longest_wins(tmp_path):
    path = write(tmp_path / ".markcheck.toml", 'severity = { S = "info", S101 = "warning" }\n')
    by_code = load_config(str(path)).severity_by_code()
    assert by_code["S101"] is Severity.WARNING and by_code["S102"] is Severity.INFO
    assert not any(c.startswith("C") for c in by_code)


# -- validation: one line, the file, the key, what is allowed; exit 2 --------------------

@pytest.mark.parametrize("text,needles", [
    ('selec = ["S"]\n', ["selec", "unknown key", "did you mean 'select'", "allowed:"]),
    ('select = "S"\n', ["select", "must be a list", 'write ["S"]']),
    ('select = ["Q9"]\n', ["select", "unknown rule code or prefix 'Q9'"]),
    ('ignore = [1]\n', ["ignore", "must be a list of rule codes"]),
    ('extend-select = ["ZZ"]\n', ["extend-select", "unknown rule code"]),
    ('per-file-ignores = ["x"]\n', ["per-file-ignores", "must be a table of glob"]),
    ('per-file-ignores = { "a/*" = "S101" }\n', ['per-file-ignores."a/*"', "must be a list"]),
    ('severity = { S101 = "fatal" }\n', ["severity.S101", "allowed: error, warning, info"]),
    ('severity = { Q1 = "info" }\n', ["severity.Q1", "unknown rule code"]),
    ('fail-on = "sometimes"\n', ["fail-on", "allowed: error, warning, info"]),
    ('fail_on = "error"\n', ["fail_on", "did you mean 'fail-on'"]),
    ('date = "2005-02-30"\n', ["date", "invalid date", "YYYY-MM-DD"]),
    ("date = 2005-02-03T10:00:00\n", ["date", "must be a date"]),
    ("date = 20050203\n", ["date", "must be a date"]),
    ('exclude = "archive"\n', ["exclude", "must be a list of globs"]),
    ("baseline = 3\n", ["baseline", "must be a path"]),
    ("[options.Q999]\nx = 1\n", ["options.Q999", "unknown rule code"]),
    ("[options.S101]\nx = 1\n", ["options.S101.x", "unknown option", "has no options"]),
    ('select = ["S"\n', ["invalid TOML"]),
])
def test_bad_config_is_one_line_exit_2(tmp_path, capsys, monkeypatch, text, needles):
    write(tmp_path / ".markcheck.toml", text)
    write(tmp_path / "c.txt", BAD)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "c.txt"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("markcheck: error: .markcheck.toml: ")
    for needle in needles:
        assert needle in err
    assert "Traceback" not in err and out == ""


def test_bad_pyproject_names_the_table(tmp_path, capsys, monkeypatch):
    write(tmp_path / "pyproject.toml", '[tool.markcheck]\nselec = ["S"]\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "."], capsys)
    assert code == 2
    assert "pyproject.toml: tool.markcheck.selec: unknown key" in err
    write(tmp_path / "pyproject.toml", '[tool]\nmarkcheck = 3\n')
    code, _, err = run(["check", "."], capsys)
    assert code == 2 and "must be a table" in err


def test_bad_config_through_the_installed_command(markcheck_exe, tmp_path):
    write(tmp_path / ".markcheck.toml", 'date = "yesterday"\n')
    write(tmp_path / "c.txt", BAD)
    r = subprocess.run([markcheck_exe, "check", str(tmp_path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert ".markcheck.toml: date: invalid date 'yesterday'; use YYYY-MM-DD" in r.stderr


# -- rule options ----------------------------------------------------------------------

@pytest.fixture
def optioned_rule(monkeypatch):
    """A rule with options, registered for one test: Z990 reports the option values."""
    from markcheck.model import Span
    from markcheck.rules import REGISTRY, Issue, Rule, all_rules

    all_rules()  # load the real ones first

    def func(cable, ctx):
        yield Issue(Span(0, 1), f"limit={ctx.option('Z990', 'limit', 3)} "
                                f"words={list(ctx.option('Z990', 'words', ()))}")

    monkeypatch.setitem(REGISTRY, "Z990", Rule("Z990", "test-rule", Severity.INFO, func,
                                               {"limit": 3, "words": (), "strict": False}))


def test_rule_options_reach_the_rule(tmp_path, capsys, monkeypatch, optioned_rule):
    write(tmp_path / "pyproject.toml",
          '[tool.markcheck]\nselect = ["Z990"]\n[tool.markcheck.options.Z990]\n'
          'limit = 7\nwords = ["A", "B"]\n')
    write(tmp_path / "c.txt", BAD)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--format", "json", "c.txt"], capsys)
    assert code == 0
    assert [d["message"] for d in json.loads(out)] == ["limit=7 words=['A', 'B']"]


@pytest.mark.parametrize("text,needle", [
    ("limit = true\n", "options.Z990.limit: must be an integer (default 3)"),
    ('limit = "7"\n', "options.Z990.limit: must be an integer"),
    ("words = 3\n", "options.Z990.words: must be a list"),
    ("strict = 1\n", "options.Z990.strict: must be true or false"),
    ("colour = 1\n", "options.Z990.colour: unknown option; Z990 allows: limit (default 3), strict"),
])
def test_rule_option_types(tmp_path, capsys, monkeypatch, optioned_rule, text, needle):
    write(tmp_path / ".markcheck.toml", "[options.Z990]\n" + text)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["check", "."], capsys)
    assert code == 2 and needle in err, err


# -- the keys at work ------------------------------------------------------------------

def test_select_ignore_severity_fail_on_from_config(tmp_path, capsys, monkeypatch):
    write(tmp_path / "c.txt", BAD)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".markcheck.toml", 'select = ["S101"]\n')
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert code == 1 and {c for _, c in codes(out)} == {"S101"}
    write(tmp_path / ".markcheck.toml", 'select = ["S101"]\nseverity = { S101 = "warning" }\n')
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert code == 0 and json.loads(out)[0]["severity"] == "warning"
    write(tmp_path / ".markcheck.toml",
          'select = ["S101"]\nseverity = { S101 = "warning" }\nfail-on = "warning"\n')
    assert run(["check", "."], capsys)[0] == 1
    assert run(["check", "--fail-on", "error", "."], capsys)[0] == 0       # the flag wins
    write(tmp_path / ".markcheck.toml", 'select = ["S1"]\nignore = ["S101"]\n')
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert "S101" not in {c for _, c in codes(out)}
    code, out, _ = run(["check", "--format", "json", "--select", "S101", "."], capsys)
    assert {c for _, c in codes(out)} == {"S101"}                          # --select replaces
    code, out, _ = run(["check", "--format", "json", "--isolated", "."], capsys)
    assert len(codes(out)) > 1                                            # no config at all


def test_date_from_config(tmp_path, capsys, monkeypatch):
    write(tmp_path / ".markcheck.toml", "date = 2005-10-21\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["config", "--format", "json", "."], capsys)
    assert json.loads(out)["date"] == "2005-10-21"
    code, out, _ = run(["config", "--format", "json", "--isolated", "."], capsys)
    assert json.loads(out)["date"] is None


def test_per_file_ignores(tmp_path, capsys, monkeypatch):
    write(tmp_path / "pyproject.toml",
          '[tool.markcheck]\nselect = ["S101"]\nper-file-ignores = { "drafts/**" = ["S1"] }\n')
    write(tmp_path / "drafts" / "deep" / "a.txt", BAD)
    write(tmp_path / "final" / "b.txt", BAD)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert codes(out) == [(os.path.join(".", "final", "b.txt"), "S101")]
    # the globs are relative to the config file, wherever markcheck runs from
    monkeypatch.chdir(tmp_path / "drafts")
    code, out, _ = run(["check", "--format", "json", "deep/a.txt", "../final/b.txt"], capsys)
    assert codes(out) == [("../final/b.txt", "S101")]


def test_stdin_filename_applies_config(tmp_path, capsys, monkeypatch):
    write(tmp_path / ".markcheck.toml",
          'select = ["S101"]\nper-file-ignores = { "drafts/*" = ["S101"] }\nexclude = ["old"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "-", "--stdin-filename", "drafts/x.txt"], capsys, BAD, monkeypatch)
    assert code == 0 and "S101" not in out
    code, out, _ = run(["check", "-", "--stdin-filename", "final/x.txt"], capsys, BAD, monkeypatch)
    assert code == 1 and out.startswith("final/x.txt:1:1: S101")
    # excluded names: linted when given, skipped with --force-exclude (as pre-commit runs it)
    code, out, _ = run(["check", "-", "--stdin-filename", "old/x.txt"], capsys, BAD, monkeypatch)
    assert code == 1
    code, out, _ = run(["check", "--force-exclude", "-", "--stdin-filename", "old/x.txt"],
                       capsys, BAD, monkeypatch)
    assert code == 0 and out == ""


def test_config_flag(tmp_path, capsys, monkeypatch):
    write(tmp_path / "cfg" / "strict.toml", 'select = ["S101"]\n')
    write(tmp_path / "c.txt", BAD)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--format", "json", "--config", "cfg/strict.toml", "."], capsys)
    assert {c for _, c in codes(out)} == {"S101"}
    code, _, err = run(["check", "--config", "nope.toml", "."], capsys)
    assert code == 2 and "nope.toml: configuration file not found" in err


# -- markcheck config ------------------------------------------------------------------

def test_config_command(tmp_path, capsys, monkeypatch):
    write(tmp_path / "pyproject.toml",
          '[tool.markcheck]\nignore = ["D305"]\nper-file-ignores = { "drafts/*" = ["S1"] }\n'
          'severity = { D301 = "warning" }\nfail-on = "warning"\nexclude = ["old"]\n'
          'baseline = "meta/baseline.json"\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["config", "drafts/a.txt"], capsys)
    assert code == 0
    assert f"# from {tmp_path / 'pyproject.toml'} [tool.markcheck]" in out
    assert 'ignore = ["D305"]' in out and 'fail-on = "warning"' in out
    assert 'per-file-ignores = { "drafts/*" = ["S1"] }' in out
    assert "per-file-ignores here: S1" in out
    code, out, _ = run(["config", "--format", "json", "drafts/a.txt"], capsys)
    data = json.loads(out)
    assert data["config"] == str(tmp_path / "pyproject.toml")
    assert data["baseline"] == str(tmp_path / "meta" / "baseline.json")
    assert data["path"]["per-file-ignores"] == ["S1"]
    assert "S101" not in data["path"]["rules"] and "D305" not in data["path"]["rules"]
    code, out, _ = run(["config", "--format", "json", "old/x.txt"], capsys)
    assert json.loads(out)["path"]["excluded"] is True
    code, out, _ = run(["config", "--isolated"], capsys)
    assert "# from defaults (no configuration file)" in out


# -- file discovery --------------------------------------------------------------------

def _tree(root):
    for rel in ("cables/a.txt", "cables/b.md", "cables/c.html", "cables/skip.pdf", "cables/.hidden.txt",
                ".git-like/x.txt", "cables/old/d.txt", "cables/drafts/e.txt", "build/f.txt"):
        write(root / rel, BAD)


def _rel(paths, root):
    return sorted(os.path.relpath(p, root) for p in paths)


def test_discovery_excludes_and_explicit_files(tmp_path):
    _tree(tmp_path)
    excl = lambda p, is_dir: path_matches("old", p, str(tmp_path))  # noqa: E731
    found = list(discover([str(tmp_path)], excluded=excl, gitignore=False))
    assert _rel(found, tmp_path) == ["build/f.txt", "cables/a.txt", "cables/b.md", "cables/c.html",
                                     "cables/drafts/e.txt"]
    explicit = str(tmp_path / "cables" / "old" / "d.txt")
    assert list(discover([explicit], excluded=excl, gitignore=False)) == [explicit]
    assert list(discover([explicit], excluded=excl, gitignore=False, force_exclude=True)) == []
    # each file once, in the order given
    a = str(tmp_path / "cables" / "a.txt")
    assert list(discover([a, str(tmp_path / "cables" / "drafts"), a], gitignore=False)) == [
        a, str(tmp_path / "cables" / "drafts" / "e.txt")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_with_git(tmp_path):
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "build/\n*.html\n")
    write(tmp_path / "cables" / ".gitignore", "drafts/\n")
    found = list(discover([str(tmp_path)]))
    assert _rel(found, tmp_path) == ["cables/a.txt", "cables/b.md", "cables/old/d.txt"]
    explicit = str(tmp_path / "build" / "f.txt")
    assert list(discover([explicit])) == [explicit]
    assert list(discover([explicit], force_exclude=True)) == []
    assert len(list(discover([str(tmp_path)], gitignore=False))) == 6


def test_gitignore_without_git(tmp_path):
    _tree(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".gitignore", "# comment\nbuild/\n*.html\n/cables/old\n!keep.html\n")
    write(tmp_path / "cables" / ".gitignore", "drafts/\n")
    write(tmp_path / "cables" / "keep.html", BAD)
    found = list(discover([str(tmp_path)], gitignore=GitIgnore(use_git=False)))
    assert _rel(found, tmp_path) == ["cables/a.txt", "cables/b.md", "cables/keep.html"]
    # outside a work tree nothing is ignored
    shutil.rmtree(tmp_path / ".git")
    found = list(discover([str(tmp_path)], gitignore=GitIgnore(use_git=False)))
    assert len(found) == 7


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_outside_a_work_tree_asks_git_only_under_git_dir(tmp_path, monkeypatch):
    """With no .git above a folder, git could find no work tree: no git process is
    started (unless GIT_DIR or GIT_WORK_TREE point it at one)."""
    if any((p / ".git").exists() for p in [tmp_path, *tmp_path.parents]):
        pytest.skip("the temporary folder is inside a git work tree")
    _tree(tmp_path)
    write(tmp_path / ".gitignore", "build/\n")
    calls = []
    real_run = subprocess.run

    def run(cmd, *args, **kwargs):
        calls.append(cmd)
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)  # (lint imports subprocess where it asks git)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    assert len(list(discover([str(tmp_path)], gitignore=GitIgnore(use_git=True)))) == 6
    assert calls == []
    # GIT_DIR and GIT_WORK_TREE make a work tree of any folder: git is asked
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "repo.git")], check=True)
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "repo.git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    found = list(discover([str(tmp_path)], gitignore=GitIgnore(use_git=True)))
    assert calls and "build/f.txt" not in _rel(found, tmp_path)


def test_gitignore_in_a_work_tree_starts_one_git_process(tmp_path, monkeypatch):
    """The folder holding .git is the work tree's top, as git finds it: git is asked
    only which files it ignores (check-ignore), once for all of them."""
    if any((p / ".git").exists() for p in tmp_path.parents):
        pytest.skip("the temporary folder is inside a git work tree")
    _tree(tmp_path)
    write(tmp_path / ".gitignore", "build/\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    calls = []
    real_run = subprocess.run

    def run(cmd, *args, **kwargs):
        calls.append(cmd[:2])
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    found = _rel(list(discover([str(tmp_path / "cables"), str(tmp_path)], gitignore=GitIgnore(use_git=True))),
                 tmp_path)
    assert "build/f.txt" not in found and found
    assert calls == [["git", "check-ignore"]]


@pytest.mark.parametrize("path", ["a/b.txt", "a//b.txt", "/x/y/z.md", "b.txt", "./b.txt",
                                  "a/b/../c.txt", "//host/share/f.txt", "/f.txt"])
def test_folder_key_groups_paths_of_one_folder(path):
    """Paths with one folder key have one folder (the key may differ where the folder
    is the same: then the per-folder work is done twice, never wrongly shared)."""
    import os

    from markcheck.lint import folder_key

    for other in ("a/b.txt", "a//c.txt", "/x/y/w.md", "c.txt", "./d.txt", "a/b/../e.txt",
                  "//host/share/g.txt", "/g.txt", "a/b/c.txt"):
        if folder_key(other) == folder_key(path):
            assert os.path.dirname(other) == os.path.dirname(path) or \
                os.path.normpath(os.path.dirname(other)) == os.path.normpath(os.path.dirname(path))


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_exclude_and_gitignore_through_the_cli(tmp_path, capsys, monkeypatch):
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "build/\n")
    write(tmp_path / ".markcheck.toml", 'select = ["S101"]\nexclude = ["cables/old", "*.html"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["check", "--format", "json", "."], capsys)
    assert sorted(p for p, _ in codes(out)) == ["./cables/a.txt", "./cables/b.md", "./cables/drafts/e.txt"]
    code, out, _ = run(["check", "--format", "json", "--extend-exclude", "drafts", "."], capsys)
    assert sorted(p for p, _ in codes(out)) == ["./cables/a.txt", "./cables/b.md"]
    code, out, _ = run(["check", "--format", "json", "--exclude", "a.txt", "."], capsys)  # replaces
    assert "./cables/old/d.txt" in {p for p, _ in codes(out)}
    code, out, _ = run(["check", "--format", "json", "--no-gitignore", "."], capsys)
    assert "./build/f.txt" in {p for p, _ in codes(out)}
    code, out, _ = run(["check", "--format", "json", "build/f.txt", "cables/c.html"], capsys)
    assert len(codes(out)) == 2                                            # explicit: linted
    code, out, _ = run(["check", "--force-exclude", "build/f.txt", "cables/c.html"], capsys)
    assert code == 0 and out == ""


def test_config_error_class_is_one_line(tmp_path):
    path = write(tmp_path / ".markcheck.toml", "select = [\n  \"S\",\n  3,\n]\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert "\n" not in str(info.value)


_TOML_LINES = [
    "[project]", "[tool]", "[tool.markcheck]", "[ tool . 'markcheck' ]", "[tool.markcheck.options.T502]",
    "[tool.ruff]", "[project.optional-dependencies]", "[[tool.other]]", "[tool.setuptools.package-dir]",
    'name = "markcheck"', 'markcheck = "markcheck.cli:run"', 'markcheck = { select = ["C"] }',
    'markcheck.select = ["C"]', '"markcheck".fail-on = "error"', 'tool.markcheck.select = ["C"]',
    'tool = { markcheck = { select = ["C"] } }', 'dev = ["markcheck>=0.1", "ruff"]', 'x = 1',
    'select = ["C"]', '"markcheck.lark_grammar" = "grammar"', 'd = """', '[tool.markcheck]', '"""',
    "# markcheck", "",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOML_LINES), max_size=12))
def test_pyproject_passed_over_only_where_it_holds_no_markcheck_table(lines):
    """Where the quick look says a pyproject.toml cannot configure markcheck, tomllib
    agrees (on every file of these lines that is valid TOML)."""
    import tomllib

    from markcheck.config import _may_configure

    text = "\n".join(lines) + "\n"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    tool = data.get("tool", {})
    if isinstance(tool, dict) and "markcheck" in tool:
        assert _may_configure(text.encode()), text


def test_pyproject_of_a_project_that_depends_on_markcheck_is_not_parsed(tmp_path, monkeypatch):
    import sys

    from markcheck import config

    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\ndependencies = ["markcheck>=0.1"]\n'
                                       '[project.scripts]\nmarkcheck = "x:y"\n')
    monkeypatch.delitem(sys.modules, "tomllib", raising=False)
    assert config.load_config(str(tmp_path / "pyproject.toml")) is None
    assert "tomllib" not in sys.modules
