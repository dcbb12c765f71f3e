"""Precision and recall of the stable rules on pinned public code bases, against a judgement.

    python bench/realworld.py                   # every library: findings against bench/realworld-judged.tsv
    python bench/realworld.py --only timm       # one library (repeatable)
    python bench/realworld.py --list-unjudged   # also print unjudged findings as TSV rows to judge
    python bench/realworld.py --preview-rules   # also PIN101-PIN105, reported separately

Each library is a pinned release from the package index: ``pip download --no-deps NAME==VER``
(the wheel; the sdist where there is none), unpacked once into ``bench/_work/realworld/NAME/``
so that its package directories sit at the top of that root. ``python -m ruff_like_rules
check`` runs over them as a user runs it: the command line, JSON output, no cache, the
default selection (every stable rule) from an empty settings file.

``bench/realworld-judged.tsv`` holds one row per judged location: ``library path line code
verdict class reason``. ``path`` is relative to the library's root (``timm/layers/x.py``);
``line`` is the line a finding starts on, or ``A-B`` for a statement spanning lines; a row
judges every finding of its code that starts there (two calls on one line share a row).
``verdict`` is TP (the finding is right: a real bug; for PIN004 a deprecated call with data),
FP (a false alarm) or FN (a real bug the rule should report and does not; found again once a
finding with that code lands on it).
``class`` names the kind of mistake in kebab-case, so a rule change can be steered by class.

Printed per library: findings, TP, FP, unjudged (listed with location), real bugs missed
(TP or FN rows no finding matches); then totals with precision = TP / (TP + FP) over the
judged findings and recall = real bugs found / real bugs judged, for the bug rules (all but
PIN004), for every rule, per code, and the counts per class. Exit 1 when any stable-rule
finding is unjudged, so a rule change that moves a finding forces a judgement; 2 when a
library's analysis runs past ``--timeout`` (a hang is reported, never waited out: the
analysis and its workers are stopped); 0 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from lint import WORK

ROOT = Path(__file__).resolve().parent.parent
JUDGED = Path(__file__).resolve().parent / "realworld-judged.tsv"
TREES = WORK / "realworld"
DIST = TREES / "_dist"
COLUMNS = ("library", "path", "line", "code", "verdict", "class", "reason")
VERDICTS = ("TP", "FP", "FN")
STABLE = ("PIN001", "PIN002", "PIN003", "PIN004", "PIN005", "PIN006", "PIN100")  # the default selection
PREVIEW = ("PIN007", "PIN101", "PIN102", "PIN103", "PIN105")
# PIN004 flags deprecated spellings, PIN100 unused or invalid noqa directives; the others flag parameters
# that are garbage or unregistered
BUG_RULES = ("PIN001", "PIN002", "PIN003", "PIN005", "PIN006", "PIN007", "PIN101", "PIN102", "PIN103", "PIN105")


@dataclasses.dataclass(frozen=True)
class Library:
    """A pinned release and the top-level package directories in it that are checked."""

    name: str
    version: str
    packages: tuple[str, ...]

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def root(self) -> Path:
        return TREES / self.name


def _lib(requirement: str, *packages: str) -> Library:
    name, version = requirement.split("==")
    return Library(name, version, packages or (name.replace("-", "_"),))


# Libraries with custom layers; the first eighteen are those the issue was found on.
LIBRARIES = (
    _lib("timm==1.0.31"),
    _lib("torchvision==0.29.1"),
    _lib("diffusers==0.42.1"),
    _lib("peft==0.21.2"),
    _lib("torch-geometric==2.8.1"),
    _lib("x-transformers==2.31.10"),
    _lib("open-clip-torch==3.3.0", "open_clip"),
    _lib("segmentation-models-pytorch==0.6.0"),
    _lib("transformers==5.23.0"),
    _lib("fairseq==0.12.2", "fairseq"),
    _lib("torchtune==0.6.1"),
    _lib("torchtitan==0.3.0"),
    _lib("ultralytics==8.4.190"),
    _lib("speechbrain==1.1.2"),
    _lib("mup==1.0.0"),
    _lib("lightning==2.6.6"),
    _lib("vit-pytorch==1.26.11"),
    _lib("denoising-diffusion-pytorch==2.3.4"),
    _lib("kornia==0.9.0"),
    _lib("monai==1.6.1"),
    _lib("torchaudio==2.11.0"),
    _lib("e3nn==0.6.0"),
    _lib("gpytorch==1.15.2"),
    _lib("pyro-ppl==1.9.2", "pyro"),
    _lib("torchrec==1.9.2"),
    _lib("stable-baselines3==2.9.2"),
    _lib("torchrl==0.14.1"),
    _lib("pytorch-forecasting==1.8.0"),
    _lib("flair==0.15.1"),
    _lib("sentence-transformers==6.2.0"),
    _lib("vector-quantize-pytorch==1.32.0"),
    _lib("allennlp==2.10.1"),
    _lib("dgl==2.1.0"),
    _lib("torchmetrics==1.9.0"),
    _lib("stanza==1.15.0"),
    _lib("botorch==0.18.1"),
    _lib("pytorch-tabnet==4.1.0", "pytorch_tabnet"),
    # Trainers that build on the meta device and initialize after to_empty() (PIN007, issue 14);
    # torchtitan, transformers, x-transformers, open_clip and torchtune above are measured too.
    _lib("litgpt==0.5.13"),
    _lib("ai2-olmo-core==3.0.0", "olmo_core"),
    _lib("nanotron==0.4"),
)


# ---------------------------------------------------------------------------- inputs


def _archive(library: Library) -> Path:
    """The release's wheel (or sdist) in ``bench/_work/realworld/_dist/``, downloaded once."""
    target = DIST / library.requirement
    found = [p for p in target.glob("*") if p.suffix in (".whl", ".zip", ".gz")] if target.is_dir() else []
    if not found:
        print(f"downloading {library.requirement} ...", flush=True)
        target.mkdir(parents=True, exist_ok=True)
        base = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(target)]
        # a wheel for any Python and platform first: the source is all we read; the sdist only
        # when the release has no wheel (pip then runs its metadata step, never a build)
        attempts = (
            ["--only-binary", ":all:"],
            ["--only-binary", ":all:", "--python-version", "3.8", "--platform", "manylinux1_x86_64"],
            ["--no-binary", ":all:", "--no-build-isolation"],
        )
        for extra in attempts:
            if subprocess.run([*base, *extra, library.requirement], capture_output=True).returncode == 0:
                break
        else:
            raise SystemExit(f"cannot download {library.requirement}")
        found = [p for p in target.glob("*") if p.suffix in (".whl", ".zip", ".gz")]
    return found[0]


def _members(names: Iterable[str], packages: Sequence[str], sdist: bool) -> dict[str, str]:
    """Archive member -> path under the root, for the files of ``packages``; an sdist's
    leading ``name-version/`` (and ``src/``) are dropped, so packages sit at the top."""
    chosen: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        if name.endswith("/") or ".." in parts or name.startswith("/"):
            continue
        if sdist:
            parts = parts[2:] if parts[1:2] == ["src"] else parts[1:]
        if len(parts) > 1 and parts[0] in packages:
            chosen[name] = "/".join(parts)
    return chosen


def prepare(library: Library) -> Path:
    """The library's root with its package directories unpacked (once)."""
    marker = library.root / ".unpacked"
    if marker.is_file() and marker.read_text(encoding="utf-8") == library.requirement:
        return library.root
    archive = _archive(library)
    staging = library.root.with_name(library.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as opened:
            for member, path in _members(opened.namelist(), library.packages, sdist=archive.suffix != ".whl").items():
                (staging / path).parent.mkdir(parents=True, exist_ok=True)
                (staging / path).write_bytes(opened.read(member))
    else:
        with tarfile.open(archive) as opened:
            files = {m.name: m for m in opened.getmembers() if m.isfile()}
            for member, path in _members(files, library.packages, sdist=True).items():
                extracted = opened.extractfile(files[member])
                assert extracted is not None
                (staging / path).parent.mkdir(parents=True, exist_ok=True)
                (staging / path).write_bytes(extracted.read())
    missing = [p for p in library.packages if not (staging / p).is_dir()]
    if missing:
        raise SystemExit(f"{archive.name}: no package directory {missing}")
    (staging / ".unpacked").write_text(library.requirement, encoding="utf-8")
    shutil.rmtree(library.root, ignore_errors=True)
    staging.rename(library.root)
    return library.root


# ---------------------------------------------------------------------------- findings


@dataclasses.dataclass(frozen=True)
class Finding:
    library: str
    path: str
    line: int
    code: str
    message: str

    def location(self) -> str:
        return f"{self.path}:{self.line}"


class CheckTimeout(Exception):
    """The analysis of one library ran past ``--timeout``: a hang is a finding of its own."""


def check(library: Library, settings: Path, select: Sequence[str] = (), timeout: float | None = None) -> list[Finding]:
    """Findings of ``python -m ruff_like_rules check`` over the library's packages."""
    root = prepare(library)
    command = [sys.executable, "-m", "ruff_like_rules", "check", "--output-format", "json", "--no-cache",
               "--exit-zero", "--config", str(settings)]
    if select:
        command += ["--select", ",".join(select)]
    # a session of its own, so a timeout ends the worker processes too, not only the parent
    process = subprocess.Popen([*command, *library.packages], cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise CheckTimeout(f"{library.requirement}: no result after {timeout:g} s") from expired
    if process.returncode != 0:
        raise SystemExit(f"paraminit check failed on {library.name} (exit {process.returncode}):\n{stderr}")
    found = []
    for item in json.loads(stdout):
        path = Path(item["filename"])
        # the trees may sit behind a symlink: the CLI reports paths under the resolved root
        relative = (path if not path.is_absolute() else path.relative_to(root.resolve())).as_posix()
        message = " ".join(item["message"].split())  # an argument spanning lines: one line of text
        found.append(Finding(library.name, relative, item["location"]["row"], item["code"], message))
    return sorted(found, key=lambda f: (f.path, f.line, f.code))


# ---------------------------------------------------------------------------- judgement


@dataclasses.dataclass(frozen=True)
class Judgement:
    library: str
    path: str
    first: int
    last: int
    code: str
    verdict: str
    kind: str
    reason: str

    @property
    def real(self) -> bool:
        return self.verdict in ("TP", "FN")

    def covers(self, finding: Finding) -> bool:
        return (finding.library, finding.path, finding.code) == (self.library, self.path, self.code) and (
            self.first <= finding.line <= self.last
        )

    def location(self) -> str:
        lines = str(self.first) if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.path}:{lines}"


def load_judgements(path: Path = JUDGED) -> list[Judgement]:
    """The rows of the TSV; a malformed row is an error naming its line."""
    rows: list[Judgement] = []
    if not path.is_file():
        return rows
    with path.open(encoding="utf-8", newline="") as opened:
        reader = csv.reader(opened, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if tuple(header or ()) != COLUMNS:
            raise SystemExit(f"{path}:1: the header must be {' '.join(COLUMNS)} (tab-separated)")
        known = {library.name for library in LIBRARIES}
        for number, row in enumerate(reader, start=2):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != len(COLUMNS):
                raise SystemExit(f"{path}:{number}: {len(row)} columns, expected {len(COLUMNS)}")
            library, where, lines, code, verdict, kind, reason = row
            first, _, last = lines.partition("-")
            if library not in known or verdict not in VERDICTS or not first.isdigit() or not (last or first).isdigit():
                raise SystemExit(f"{path}:{number}: unknown library, verdict or line: {row[:5]}")
            judgement = Judgement(library, where, int(first), int(last or first), code, verdict, kind, reason)
            clash = next((r for r in rows if (r.library, r.path, r.code) == (library, where, code)
                          and r.first <= judgement.last and judgement.first <= r.last), None)
            if clash is not None:
                raise SystemExit(f"{path}:{number}: overlaps the row for {clash.location()} {code}")
            rows.append(judgement)
    return rows


@dataclasses.dataclass
class Tally:
    """Findings of one library (or all) sorted by their judgement."""

    findings: int = 0
    true: list[tuple[Finding, Judgement]] = dataclasses.field(default_factory=list)
    false: list[tuple[Finding, Judgement]] = dataclasses.field(default_factory=list)
    unjudged: list[Finding] = dataclasses.field(default_factory=list)
    missed: list[Judgement] = dataclasses.field(default_factory=list)
    found_real: list[Judgement] = dataclasses.field(default_factory=list)

    def add(self, other: Tally) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def tally(findings: Sequence[Finding], judgements: Sequence[Judgement]) -> Tally:
    result = Tally(findings=len(findings))
    matched: set[int] = set()
    for finding in findings:
        row = next((j for j in judgements if j.covers(finding)), None)
        if row is None:
            result.unjudged.append(finding)
            continue
        matched.add(id(row))
        (result.true if row.real else result.false).append((finding, row))
    for row in judgements:
        if row.real:
            (result.found_real if id(row) in matched else result.missed).append(row)
    return result


WIDTHS = (8, 8, 4, 4, 8, 6, 9, 7)  # the per-code table's columns


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "  -  "


def print_library(library: Library, result: Tally, list_unjudged: bool) -> None:
    print(
        f"{library.requirement:<38} findings {result.findings:4}  TP {len(result.true):3}  FP {len(result.false):3}"
        f"  unjudged {len(result.unjudged):3}  missed {len(result.missed):3}"
    )
    for finding in result.unjudged:
        if list_unjudged:
            cells = [finding.library, finding.path, str(finding.line), finding.code, "?", "?", finding.message]
            print("\t".join(cells))
        else:
            print(f"    unjudged  {finding.location()}: {finding.code} {finding.message}")
    for row in result.missed:
        print(f"    missed    {row.location()}: {row.code} [{row.kind}] {row.reason}")


def _summary(label: str, result: Tally, codes: Sequence[str]) -> None:
    true = sum(1 for f, _ in result.true if f.code in codes)
    false = sum(1 for f, _ in result.false if f.code in codes)
    unjudged = sum(1 for f in result.unjudged if f.code in codes)
    found = sum(1 for r in result.found_real if r.code in codes)
    missed = sum(1 for r in result.missed if r.code in codes)
    print(
        f"{label}: {true + false + unjudged} findings ({true} TP, {false} FP, {unjudged} unjudged), "
        f"precision {ratio(true, true + false)}; {found + missed} real bugs judged, {found} found, "
        f"recall {ratio(found, found + missed)}"
    )


def print_totals(result: Tally, codes: Sequence[str]) -> None:
    print()
    bugs = [code for code in codes if code in BUG_RULES]
    if bugs:
        _summary(f"bug rules ({', '.join(bugs)})", result, bugs)
    _summary(f"all of {', '.join(codes)}", result, codes)
    header = ("code", "findings", "TP", "FP", "unjudged", "missed", "precision", "recall")
    print("\n" + " ".join(f"{name:<8}" if i == 0 else f"{name:>{WIDTHS[i]}}" for i, name in enumerate(header)))
    for code in codes:
        true = sum(1 for f, _ in result.true if f.code == code)
        false = sum(1 for f, _ in result.false if f.code == code)
        unjudged = sum(1 for f in result.unjudged if f.code == code)
        found = sum(1 for r in result.found_real if r.code == code)
        missed = sum(1 for r in result.missed if r.code == code)
        print(
            f"{code:<8} {true + false + unjudged:>8} {true:>4} {false:>4} {unjudged:>8} {missed:>6} "
            f"{ratio(true, true + false):>9} {ratio(found, found + missed):>7}"
        )
    classes: Counter[tuple[str, str]] = Counter()
    for finding, row in result.false:
        classes[("FP", f"{finding.code} {row.kind}")] += 1
    for row in result.missed:
        classes[("FN", f"{row.code} {row.kind}")] += 1
    if classes:
        print("\nmistake classes (false alarms counted by finding, missed bugs by row):")
        for (verdict, kind), count in sorted(classes.items(), key=lambda item: (item[0][0], -item[1], item[0][1])):
            print(f"  {verdict} {count:4}  {kind}")


def evaluate(
    libraries: Sequence[Library], judgements: Sequence[Judgement], codes: Sequence[str], settings: Path,
    list_unjudged: bool, select: Sequence[str] = (), timeout: float | None = None,
) -> tuple[Tally, list[str]]:
    """Every library's findings against its judgements, printed; the totals and the timeouts."""
    by_library: dict[str, list[Judgement]] = defaultdict(list)
    for row in judgements:
        if row.code in codes:
            by_library[row.library].append(row)
    total = Tally()
    timeouts = []
    for library in libraries:
        try:
            found = check(library, settings, select, timeout)
        except CheckTimeout as timed_out:
            print(f"{library.requirement:<38} TIMEOUT: {timed_out}")
            timeouts.append(str(timed_out))
            continue
        result = tally(found, by_library[library.name])
        print_library(library, result, list_unjudged)
        total.add(result)
    print_totals(total, codes)
    for timed_out in timeouts:
        print(f"TIMEOUT {timed_out}")
    return total, timeouts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="LIB", help="this library only (repeatable)")
    parser.add_argument("--list-unjudged", action="store_true", help="print unjudged findings as TSV rows")
    parser.add_argument("--preview-rules", action="store_true", help="also run PIN101-PIN105, reported separately")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judgement file (default: %(default)s)")
    parser.add_argument(
        "--timeout", type=float, default=600, metavar="S", help="seconds one library may take (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    names = {library.name for library in LIBRARIES}
    unknown = sorted(set(args.only or ()) - names)
    if unknown:
        parser.error(f"unknown library {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    libraries = [library for library in LIBRARIES if not args.only or library.name in args.only]
    judgements = load_judgements(args.judged)
    with tempfile.TemporaryDirectory() as scratch:
        settings = Path(scratch) / "paraminit.toml"
        settings.write_text("", encoding="utf-8")  # the defaults, wherever the trees sit
        print(f"stable rules (the default selection), {len(libraries)} libraries; judgement: {args.judged}\n")
        stable, timeouts = evaluate(libraries, judgements, STABLE, settings, args.list_unjudged, timeout=args.timeout)
        if args.preview_rules:
            print(f"\npreview rules ({', '.join(PREVIEW)}), reported apart; their unjudged findings keep exit 0\n")
            timeouts += evaluate(libraries, judgements, PREVIEW, settings, args.list_unjudged, PREVIEW, args.timeout)[1]
    if timeouts:
        return 2
    return 1 if stable.unjudged else 0


if __name__ == "__main__":
    raise SystemExit(main())
