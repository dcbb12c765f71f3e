"""``paraminit``: the command line, shaped like Ruff's (``check``, ``rule``, ``clean``, ``server``).

Exit codes: 0 nothing found, 1 findings, 2 a usage, settings or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ruff_like_rules.syntax.lines import patch_lines
from ruff_like_rules.workspace.cache import tool_version
from ruff_like_rules.workspace.config import ConfigError, Overrides, Resolver, split_selectors
from ruff_like_rules.workspace.selection import did_you_mean

if TYPE_CHECKING:
    from ruff_like_rules.engine.rule import Rule
    from ruff_like_rules.workspace.runner import FileResult, FixedFile, Runner

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be carried out (exit code 2)."""


# ---------------------------------------------------------------------------- arguments


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"--jobs expects a positive integer, got {value!r}")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    from ruff_like_rules.output import DEFAULT_FORMAT, FORMATS

    parser = argparse.ArgumentParser(
        prog="paraminit", description="Find PyTorch parameters built from uninitialized memory."
    )
    parser.add_argument("--version", action="version", version=f"paraminit {tool_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check files and directories (default: .)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - reads standard input")
    selection = check.add_argument_group("rule selection")
    selection.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="rules to enable, replacing the settings' `select` (comma-separated codes or prefixes, or ALL)",
    )
    selection.add_argument(
        "--extend-select", action="append", metavar="CODES", help="rules to enable on top of the selection"
    )
    selection.add_argument("--ignore", action="append", metavar="CODES", help="rules to disable")
    selection.add_argument("--ignore-noqa", action="store_true", help="report what `# noqa` comments would silence")
    selection.add_argument(
        "--preview", action=argparse.BooleanOptionalAction, default=None, help="let prefixes select preview rules"
    )
    files = check.add_argument_group("file selection")
    files.add_argument("--config", action="append", metavar="PATH|KEY=VALUE",
                       help="use this settings file for every checked file, or override one setting "
                            "(TOML: --config 'select = [\"PIN001\"]'); repeatable")
    files.add_argument("--stdin-filename", metavar="PATH", help="the name of the file read from standard input")
    files.add_argument(
        "--force-exclude", action="store_true", help="apply exclusions to paths named on the command line too"
    )
    files.add_argument("--show-files", action="store_true", help="list the files that would be checked, and stop")
    files.add_argument("--show-settings", action="store_true", help="print the settings that govern the first path, and stop")
    files.add_argument("--exclude", action="append", metavar="GLOBS", help="replace the settings' `exclude`")
    files.add_argument("--extend-exclude", action="append", metavar="GLOBS", help="exclude these on top")
    files.add_argument("--per-file-ignores", action="append", metavar="GLOB:CODES",
                       help="replace the settings' `per-file-ignores` (repeatable)")
    files.add_argument("--extend-per-file-ignores", action="append", metavar="GLOB:CODES",
                       help="add to the settings' `per-file-ignores` (repeatable)")
    files.add_argument("--respect-gitignore", action=argparse.BooleanOptionalAction, default=None,
                       help="skip what .gitignore files ignore (default: yes)")
    out = check.add_argument_group("output")
    out.add_argument("--output-format", choices=sorted(FORMATS), default=DEFAULT_FORMAT)
    out.add_argument(
        "--statistics", action="store_true", help="show how many findings each code has instead of the findings"
    )
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    out.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    out.add_argument("-s", "--silent", action="store_true", help="print nothing; the exit code tells")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    out.add_argument("-o", "--output-file", metavar="PATH", help="write the output to this file instead of stdout")
    fixing = check.add_argument_group("fixes")
    fixing.add_argument(
        "--fix",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="apply fixes (safe ones unless --unsafe-fixes)",
    )
    fixing.add_argument(
        "--unsafe-fixes",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also show and apply unsafe fixes (they change values on purpose)",
    )
    fixing.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff and write nothing (exit 1 if any)"
    )
    fixing.add_argument("--show-fixes", action="store_true", help="list the fixes applied, by file and code")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply fixes and report only what was fixed, never what remains (implies --fix)")
    fixing.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a fix was applied")
    fixing.add_argument("--fixable", action="append", metavar="CODES", help="only these rules' fixes (default: ALL)")
    fixing.add_argument("--unfixable", action="append", metavar="CODES", help="withhold these rules' fixes")
    fixing.add_argument("--add-noqa", action="store_true",
                        help="add `# noqa: CODE` to every line with a finding (nothing is fixed)")
    run = check.add_argument_group("run")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the results cache")
    run.add_argument("-w", "--watch", action="store_true", help="check again whenever a file changes")
    run.add_argument(
        "-j", "--jobs", type=_jobs, default=None, help="worker processes (default: all cores; 1: no workers)"
    )

    rule = commands.add_parser("rule", help="explain a rule, or list them all")
    which = rule.add_mutually_exclusive_group(required=True)
    which.add_argument("code", nargs="?", metavar="CODE")
    which.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    clean = commands.add_parser("clean", help="remove the results cache")
    clean.add_argument("--config", action="append", metavar="PATH|KEY=VALUE",
                       help="the settings file that names the cache directory, or a `cache-dir = ...` override")

    commands.add_parser("server", help="run the language server (needs the `lsp` extra)")
    version = commands.add_parser("version", help="print the version")
    version.add_argument("--output-format", choices=("text", "json"), default="text")
    return parser


# ---------------------------------------------------------------------------- check


def use_color(choice: str, stream: TextIO) -> bool:
    """``auto`` colours a terminal unless ``NO_COLOR`` is set (``FORCE_COLOR`` forces it)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def make_resolver(args: argparse.Namespace) -> Resolver:
    files, inline = settings_arguments(getattr(args, "config", None) or ())
    config = files[0] if files else None
    def globs(name: str) -> tuple[str, ...] | None:
        values = getattr(args, name, None)
        return None if values is None else tuple(g.strip() for v in values for g in v.split(",") if g.strip())

    overrides = Overrides(
        select=split_selectors(getattr(args, "select", None), "--select"),
        extend_select=split_selectors(getattr(args, "extend_select", None), "--extend-select") or (),
        ignore=split_selectors(getattr(args, "ignore", None), "--ignore") or (),
        preview=getattr(args, "preview", None),
        exclude=globs("exclude"),
        extend_exclude=globs("extend_exclude") or (),
        per_file_ignores=per_file_arguments(getattr(args, "per_file_ignores", None), "--per-file-ignores"),
        extend_per_file_ignores=per_file_arguments(
            getattr(args, "extend_per_file_ignores", None), "--extend-per-file-ignores") or (),
        respect_gitignore=getattr(args, "respect_gitignore", None),
        ignore_noqa=getattr(args, "ignore_noqa", False),
        fixable=split_selectors(getattr(args, "fixable", None), "--fixable"),
        unfixable=split_selectors(getattr(args, "unfixable", None), "--unfixable") or (),
    )
    return Resolver(overrides=overrides, explicit=config.resolve() if config is not None else None, inline=inline)


def per_file_arguments(values: list[str] | None, flag: str) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    """``--per-file-ignores 'tests/*:PIN001,PIN004'`` (repeatable) as settings pairs."""
    if values is None:
        return None
    pairs = []
    for value in values:
        glob, colon, codes = value.rpartition(":")
        if not colon or not glob:
            raise UsageError(f"{flag} {value!r}: expected GLOB:CODES, such as 'tests/*:PIN001'")
        pairs.append((glob, split_selectors([codes], flag) or ()))
    return tuple(pairs)


def settings_arguments(values: list[str]) -> tuple[list[Path], tuple[str, ...]]:
    """``--config`` values as Ruff reads them: an existing file, else a TOML ``key = value`` (else not found)."""
    files, inline = [], []
    for value in values:
        if Path(value).is_file():
            files.append(Path(value))
        elif "=" in value:
            inline.append(value)
        else:
            raise UsageError(f"settings file not found: {value}")
    if len(files) > 1:
        raise UsageError(f"--config names {len(files)} settings files ({', '.join(map(str, files))}); give one")
    return files, tuple(inline)


def command_check(args: argparse.Namespace, stdout: TextIO) -> int:
    """``check``, its output to ``--output-file`` when given (then never coloured)."""
    if args.fix_only:
        args.fix = True
    if args.watch:
        from ruff_like_rules.workspace.watch import watch

        if args.fix or args.diff or args.add_noqa or "-" in args.paths:
            raise UsageError("--watch checks files again on change; it cannot be combined with fixes or `-`")
        return watch(args.paths or ["."], lambda: check_once(args, stdout), stdout)
    if args.output_file is None:
        return check_once(args, stdout)
    args.color = "never"
    try:
        with open(args.output_file, "w", encoding="utf-8") as out:
            return check_once(args, out)
    except OSError as error:
        raise UsageError(f"--output-file {args.output_file}: {error.strerror or error}") from None


def check_once(args: argparse.Namespace, stdout: TextIO) -> int:
    from ruff_like_rules.fix.apply import allowed
    from ruff_like_rules.output import FORMATS, statistics, summary_line
    from ruff_like_rules.workspace.discovery import Discovery
    from ruff_like_rules.workspace.runner import STDIN, Runner, RunOptions, available_cores

    paths = tuple(args.paths) or ((STDIN,) if args.stdin_filename else (".",))
    if STDIN in paths and len(paths) > 1:
        raise UsageError("`-` (standard input) cannot be combined with other paths")
    resolver = make_resolver(args)
    options = RunOptions(
        paths=paths,
        jobs=args.jobs or available_cores(),
        use_cache=not args.no_cache,
        force_exclude=args.force_exclude,
        stdin_filename=args.stdin_filename,
    )
    if args.show_files:
        files = [] if paths == (STDIN,) else Discovery(resolver, args.force_exclude).files(paths)
        stdout.write("".join(f"{path}\n" for path in sorted(candidate.path for candidate in files)))
        return EXIT_CLEAN
    if args.show_settings:
        from ruff_like_rules.workspace.show_settings import describe

        stdout.write(describe(resolver, paths[0] if paths != (STDIN,) else args.stdin_filename or "-"))
        return EXIT_CLEAN
    runner = Runner(resolver, options)
    if args.add_noqa:
        from ruff_like_rules.workspace.add_noqa import add_noqa

        added = add_noqa(runner.check_paths())
        if not args.silent:
            sys.stderr.write(f"Added {added} noqa directive{'' if added == 1 else 's'}.\n")
        return EXIT_CLEAN
    if paths == (STDIN,) and (args.fix or args.diff):
        return fix_stdin(args, runner, stdout)
    results: list[FileResult] = (
        runner.check_stdin(sys.stdin.buffer.read()) if paths == (STDIN,) else runner.check_paths()
    )
    fixed: list[FixedFile] = []
    failed = False
    if args.fix or args.diff:
        results, fixed, failed = apply_fixes(runner, results, args.unsafe_fixes, write=not args.diff)
    if args.diff:
        return write_diff(fixed, stdout, args.silent) or (EXIT_ERROR if failed else EXIT_CLEAN)
    applied = sum(len(f.fix.outcome.applied) for f in fixed)
    on_fix = EXIT_FINDINGS if applied and args.exit_non_zero_on_fix else EXIT_CLEAN
    if args.fix_only:
        if not args.silent:
            if args.show_fixes:
                write_fixed(fixed, stdout)
            stdout.write(f"Fixed {_errors(applied)}.\n" if applied else "No errors fixed.\n")
        return EXIT_ERROR if failed else on_fix
    hidden = sum(1 for r in results for f in r.findings if f.fix is not None and not allowed(f.fix, args.unsafe_fixes))
    output = FORMATS[args.output_format]
    if output.textual or args.statistics:  # machine formats carry every fix with its applicability
        results = [hide_unsafe_fixes(result, args.unsafe_fixes) for result in results]
    count = sum(len(result.findings) for result in results)
    if not args.silent:
        if args.statistics:
            statistics.write(results, stdout, as_json=args.output_format == "json")
        else:
            output.write(results, stdout, output.textual and use_color(args.color, stdout))
        if args.show_fixes and output.textual:
            write_fixed(fixed, stdout)
        if output.textual and not args.quiet and not args.statistics:
            stdout.write(fix_summary(count, applied) if args.fix else summary_line(count) + "\n")
            stdout.write(fixable_hint(results, hidden, use_color(args.color, stdout)))
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if count and not args.exit_zero else on_fix


# ---------------------------------------------------------------------------- fixes


def hide_unsafe_fixes(result: FileResult, unsafe: bool) -> FileResult:
    """Without ``--unsafe-fixes`` an unsafe fix is neither applied nor marked ``[*]`` (as in
    Ruff); machine formats still carry it, with ``"applicability": "unsafe"``."""
    import dataclasses

    from ruff_like_rules.fix.apply import allowed

    if all(f.fix is None or allowed(f.fix, unsafe) for f in result.findings):
        return result
    findings = [
        f if f.fix is None or allowed(f.fix, unsafe) else dataclasses.replace(f, fix=None) for f in result.findings
    ]
    return dataclasses.replace(result, findings=findings)


def apply_fixes(
    runner: Runner, results: list[FileResult], unsafe: bool, *, write: bool
) -> tuple[list[FileResult], list[FixedFile], bool]:
    """Fix the files that have something to fix: (results after fixing, what each fix did,
    whether some file could not be fixed — it is then left as it was, and said why)."""
    from ruff_like_rules.engine.notebook import NotebookError
    from ruff_like_rules.workspace.runner import fix_result, needs_fixing

    after: list[FileResult] = []
    fixed: list[FixedFile] = []
    failed = False
    for result in results:
        if not needs_fixing(result, unsafe):
            after.append(result)
            continue
        try:
            done = fix_result(result, runner.resolver.settings_for(result.path), unsafe=unsafe, write=write)
        except (OSError, UnicodeError, NotebookError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            sys.stderr.write(f"paraminit: error: cannot fix {result.display}: {reason} (file left unchanged)\n")
            failed = True
            after.append(result)
            continue
        for finding, why in done.fix.outcome.dropped:
            sys.stderr.write(
                f"paraminit: warning: {result.display}:{finding.start.line}:{finding.start.column + 1}: "
                f"{finding.code} fix not applied: {why}\n"
            )
        fixed.append(done)
        after.append(done.result)
    return after, fixed, failed


def fix_stdin(args: argparse.Namespace, runner: Runner, stdout: TextIO) -> int:
    """``--fix -``: the fixed source goes to standard output, what remains to standard
    error; ``--diff -``: the diff instead. Input that is excluded or cannot be decoded
    comes back unchanged."""
    from ruff_like_rules.fix.apply import FileFix, SourceFile, fix_source
    from ruff_like_rules.output import FORMATS
    from ruff_like_rules.workspace.discovery import Discovery
    from ruff_like_rules.workspace.runner import STDIN, FileResult, FixedFile

    data = sys.stdin.buffer.read()
    name = args.stdin_filename
    path = Path(os.path.normpath(runner.resolver.cwd / name)) if name else runner.resolver.cwd / STDIN
    try:
        source = SourceFile.decode(data)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        sys.stderr.write(f"paraminit: error: cannot decode standard input: {error}\n")
        source = None
    excluded = bool(name) and args.force_exclude and Discovery(runner.resolver).excluded_with_parents(path)
    if source is None or excluded:
        if not args.diff:
            stdout.flush()
            sys.stdout.buffer.write(data)
        return EXIT_ERROR if source is None else EXIT_CLEAN
    outcome = fix_source(source.text, runner.resolver.settings_for(path), unsafe=args.unsafe_fixes)
    result = FileResult(path, name or STDIN, list(outcome.remaining), source.encode(outcome.text))
    if args.diff:
        return write_diff([FixedFile(result, FileFix(source.text, outcome, None))], stdout, args.silent)
    stdout.write(outcome.text)
    if not args.silent:
        FORMATS[args.output_format].write([hide_unsafe_fixes(result, args.unsafe_fixes)], sys.stderr, False)
    return EXIT_FINDINGS if outcome.remaining and not args.exit_zero else EXIT_CLEAN


def _errors(count: int) -> str:
    return f"{count} error{'' if count == 1 else 's'}"


def fix_summary(remaining: int, applied: int) -> str:
    """Ruff's line after ``--fix``: ``Found 3 errors (2 fixed, 1 remaining).``"""
    if remaining + applied == 0:
        return "All checks passed!\n"
    if applied == 0:
        return f"Found {_errors(remaining)}.\n"
    return f"Found {_errors(remaining + applied)} ({applied} fixed, {remaining} remaining).\n"


def fixable_hint(results: Sequence[FileResult], hidden: int, color: bool) -> str:
    """``[*] N fixable with the `--fix` option (M hidden fixes can be enabled with the
    `--unsafe-fixes` option).`` — N counts the fixes shown, M the unsafe ones hidden."""
    from ruff_like_rules.output.style import CYAN, Painter

    fixable = sum(1 for r in results for f in r.findings if f.fix is not None)
    star = Painter(color)("[*]", CYAN)
    hidden_text = f"{hidden} hidden fix{'' if hidden == 1 else 'es'} can be enabled with the `--unsafe-fixes` option"
    if fixable and hidden:
        return f"{star} {fixable} fixable with the `--fix` option ({hidden_text}).\n"
    if fixable:
        return f"{star} {fixable} fixable with the `--fix` option.\n"
    if hidden:
        return f"No fixes available ({hidden_text}).\n"
    return ""


def write_fixed(fixed: Sequence[FixedFile], stdout: TextIO) -> None:
    """``--show-fixes``: what was fixed, by file and code, as Ruff lists it."""
    from collections import Counter

    files = [f for f in fixed if f.fix.outcome.applied]
    total = sum(len(f.fix.outcome.applied) for f in files)
    if not total:
        return
    stdout.write(f"Fixed {_errors(total)}:\n")
    for done in files:
        stdout.write(f"- {done.result.display}:\n")
        counts = sorted(Counter((f.code, f.name) for f in done.fix.outcome.applied).items())
        stdout.writelines(f"    {number} \u00d7 {code} ({name})\n" for (code, name), number in counts)
    stdout.write("\n")


def write_diff(fixed: Sequence[FixedFile], stdout: TextIO, silent: bool) -> int:
    """``--diff``: a unified diff per changed file on stdout, a count on stderr; exit 1 if any."""
    import difflib

    count = 0
    for done in fixed:
        before, after = done.fix.before, done.fix.outcome.text
        if before == after:
            continue
        count += len(done.fix.outcome.applied)
        if not silent:
            diff = difflib.unified_diff(
                patch_lines(before),
                patch_lines(after),
                fromfile=f"a/{done.result.display}",
                tofile=f"b/{done.result.display}",
            )
            # a last line without its newline is marked, as diff(1) does, so patches apply
            stdout.writelines(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in diff)
            stdout.write("\n")
    if not silent:
        sys.stderr.write(f"Would fix {_errors(count)}.\n" if count else "No errors would be fixed.\n")
    return EXIT_FINDINGS if count else EXIT_CLEAN


# ---------------------------------------------------------------------------- rule


def _fix_sentence(rule: type[Rule]) -> str:
    from ruff_like_rules.engine.rule import FixAvailability

    return {
        FixAvailability.ALWAYS: "Fix is always available.",
        FixAvailability.SOMETIMES: "Fix is sometimes available.",
        FixAvailability.NONE: "Fix is not available.",
    }[rule.fix_availability]


def rule_object(rule: type[Rule]) -> dict[str, object]:
    return {
        "name": rule.name,
        "code": rule.code,
        "linter": "paraminit",
        "summary": rule.summary,
        "fix": _fix_sentence(rule),
        "fix_availability": rule.fix_availability.value,
        "explanation": rule.doc(),
        "preview": rule.preview,
        "url": rule.url(),
    }


def rule_markdown(rule: type[Rule]) -> str:
    parts = [f"# {rule.name} ({rule.code})", _fix_sentence(rule)]
    if rule.preview:
        parts.append(
            "This rule is in preview and is not stable. The `--preview` flag or its full code is required to use it."
        )
    parts.append(rule.doc())
    return "\n\n".join(parts) + "\n"


def command_rule(args: argparse.Namespace, stdout: TextIO) -> int:
    from ruff_like_rules.engine.rule import FixAvailability
    from ruff_like_rules.rules import ALL_RULES

    if args.all:
        chosen = list(ALL_RULES)
    else:
        code = args.code.strip().upper()
        chosen = [rule for rule in ALL_RULES if rule.code == code]
        if not chosen:
            raise UsageError(f"unknown rule `{args.code}`{did_you_mean(code, [r.code for r in ALL_RULES])} "
                             "(see `paraminit rule --all`)")
    if args.output_format == "json":
        payload = [rule_object(rule) for rule in chosen] if args.all else rule_object(chosen[0])
        stdout.write(json.dumps(payload, indent=2) + "\n")
    elif args.all:
        width = max((len(rule.name) for rule in chosen), default=0)
        for rule in chosen:
            fix = "[*]" if rule.fix_availability is not FixAvailability.NONE else ""
            preview = "[preview]" if rule.preview else ""
            stdout.write(f"{rule.code}  {rule.name:<{width}}  {fix:<3}  {preview:<9}  {rule.summary}\n")
    else:
        stdout.write(rule_markdown(chosen[0]))
    return EXIT_CLEAN


# ---------------------------------------------------------------------------- clean, server


def command_clean(args: argparse.Namespace, stdout: TextIO) -> int:
    from ruff_like_rules.workspace.cache import clean

    directory = make_resolver(args).project_config().cache_directory()
    if clean(directory):
        stdout.write(f"Removed cache at: {directory}\n")
    return EXIT_CLEAN


def command_server(args: argparse.Namespace, stdout: TextIO) -> int:
    import importlib.util

    if importlib.util.find_spec("pygls") is None:
        # the `lsp` extra's requirement, spelled so that it installs without a release or a checkout path
        raise UsageError("the language server needs pygls (the `lsp` extra): pip install 'pygls>=2.0,<3'")
    from ruff_like_rules.integrations.lsp import server

    server.main()
    return EXIT_CLEAN


def command_version(args: argparse.Namespace, stdout: TextIO) -> int:
    """``paraminit version``, as ``ruff version`` prints it (JSON with ``--output-format json``)."""
    if args.output_format == "json":
        stdout.write(json.dumps({"version": tool_version()}) + "\n")
    else:
        stdout.write(f"paraminit {tool_version()}\n")
    return EXIT_CLEAN


COMMANDS = {
    "check": command_check,
    "rule": command_rule,
    "clean": command_clean,
    "server": command_server,
    "version": command_version,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, sys.stdout)
    except (ConfigError, UsageError) as error:
        sys.stderr.write(f"paraminit: error: {error}\n")
        return EXIT_ERROR
    except BrokenPipeError:
        # the reader (`| head`) went away: stop quietly, and keep Python from complaining
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: say so briefly, exit 2 rather than 1 ("findings")
        if os.environ.get("PARAMINIT_TRACEBACK"):
            traceback.print_exc()
        sys.stderr.write(
            f"paraminit: internal error: {type(error).__name__}: {error}\n"
            "(set PARAMINIT_TRACEBACK=1 to see where; please report it)\n"
        )
        return EXIT_ERROR
