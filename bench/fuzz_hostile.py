"""Fuzz the static half with hostile programs: no crash, no signal, no corrupted fix.

    python bench/fuzz_hostile.py                  # 10,000 programs, 2 worker processes
    python bench/fuzz_hostile.py --count 500 -j1  # fewer, one worker

Programs come from five seeded generators (``GENERATORS``): mutations of real model files
(lines deleted or duplicated, trigger lines inserted, imports moved; mutants that no longer
parse are kept: a file that does not parse must get PIN000 and no fix), programs drawn by
hypothesmith from Python's grammar with trigger lines inserted, deep nesting (brackets,
calls, attribute, operator, keyword and string chains, indentation), huge literals (tables,
strings, call arguments), and odd bytes (every line-break style, form feeds and the other
characters ``str.splitlines`` splits at, BOMs, coding cookies, NUL and undecodable bytes,
no final newline). Every program is examined by ``examine``, which
``tests/static/test_fuzz_hostile.py`` also runs on Hypothesis' draws:

- the check as the CLI runs it, and the analysis ``--fix`` runs: an exception is an
  ``internal error``; a signal (the native parser's stack) kills the worker: ``crash``;
- a file Python does not parse gets no finding but PIN000 and is never changed by a fix;
- every finding starts where a node of Python's own tree starts (``line table``), and the
  tool's line table cuts every line where Python's tokenizer does;
- ``--fix --unsafe-fixes`` gives text that parses when the original did, can be written
  back in the file's encoding, and a second fix changes nothing (``idempotent``).

Each worker is a child process fed one program at a time, limited to ``MEMORY_BYTES`` of
address space and ``TIMEOUT`` seconds per program; a worker that dies or hangs is counted
and replaced. Failing programs are written to ``bench/_work/fuzz_hostile/``; exit code 1
when there is any.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ruff_like_rules.engine.analyze import analyze_source, decode  # noqa: E402
from ruff_like_rules.engine.diagnostics import PARSE_ERROR_CODE  # noqa: E402
from ruff_like_rules.engine.settings import AnalysisSettings  # noqa: E402
from ruff_like_rules.fix.apply import SourceFile, fix_source  # noqa: E402
from ruff_like_rules.rules import ALL_RULES  # noqa: E402
from ruff_like_rules.syntax.lines import line_starts, split_lines  # noqa: E402

WORK = ROOT / "bench" / "_work" / "fuzz_hostile"
SETTINGS = AnalysisSettings(rules=ALL_RULES)
MEMORY_BYTES = 6 * 1024**3
TIMEOUT = 300.0
SLOW_SECONDS = 60.0
"""A program taking more CPU seconds than this is reported (and counted as a failure)."""


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(f"paraminit_bench_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fast_path_fuzz = _sibling("fuzz")  # the real model files and the mutation of bench/fuzz.py

MODULE = """\
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, n=4):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, n))
        self.legacy = torch.FloatTensor(n)
        {}

    def forward(self, x):
        return x @ self.weight
"""
"""Where pathological code goes: a method with findings and fixes around it ({} is the spot)."""

# ---------------------------------------------------------------------------- the examination


def examine(data: bytes) -> list[str]:
    """What is wrong with how the tool handles ``data`` (a file's bytes); empty if nothing."""
    try:
        text = decode(data)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        text = None
    tree = _python_tree(text)
    problems: list[str] = []
    try:
        checked = analyze_source(data, SETTINGS)
        fixing = analyze_source(text if text is not None else data, SETTINGS, for_fixing=True)
    except Exception as error:  # noqa: BLE001 - what the CLI would call an internal error
        return [f"internal error: {type(error).__name__} in analysis: {_where(error)}"]
    for name, findings in (("check", checked), ("fix analysis", fixing)):
        if tree is None and any(f.code != PARSE_ERROR_CODE for f in findings):
            problems.append(f"findings on a file Python does not parse ({name})")
    if tree is not None and text is not None:
        problems += _line_table(text, tree, checked)
    if text is None:
        return problems
    try:
        once = fix_source(text, SETTINGS, unsafe=True)
        if once.text != text:
            SourceFile(once.text, SourceFile.decode(data).encoding).encode(once.text)
        twice = fix_source(once.text, SETTINGS, unsafe=True) if once.text != text else once
    except Exception as error:  # noqa: BLE001
        return problems + [f"internal error: {type(error).__name__} in fix: {_where(error)}"]
    if once.text != text and tree is None:
        problems.append("fix applied to a file Python does not parse")
    elif once.text != text and _python_tree(once.text) is None:
        problems.append("fixed file does not parse")
    if twice.text != once.text:
        problems.append("fix is not idempotent")
    return problems


def _python_tree(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _line_table(text: str, tree: ast.Module, findings) -> list[str]:
    """The tool's lines against Python's node positions (byte columns on UTF-8 lines)."""
    lines = split_lines(text)
    starts = line_starts(text)
    node_starts: set[tuple[int, int]] = set()
    problems = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if line is None or line > len(lines):
            continue
        column = len(lines[line - 1].encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
        node_starts.add((line, column))
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):  # findings on the name
            keyword = _DEFINITION.match(lines[line - 1], column)
            node_starts.add((line, keyword.end() if keyword else column))
        if isinstance(node, ast.Name) and (
            lines[line - 1][column : column + len(node.id)] != node.id
            or text[starts[line - 1] + column : starts[line - 1] + column + len(node.id)] != node.id
        ):
            problems.append(f"line table: name {node.id!r} is not at {line}:{column}")
            break
    for finding in findings:
        if finding.code != PARSE_ERROR_CODE and (finding.start.line, finding.start.column) not in node_starts:
            problems.append(f"line table: {finding.code} at {finding.start.line}:{finding.start.column} starts no node")
    return problems


_DEFINITION = re.compile(r"(?:async\s+)?(?:def|class)\s+")


def _where(error: BaseException) -> str:
    """The last frame of the tool's own code the error passed, and its message."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "ruff_like_rules" in f.filename] or frames
    try:
        message = str(error)[:120]
    except Exception:  # noqa: BLE001 - libcst nodes in a message can fail to print
        message = "<no message>"
    return f"{Path(ours[-1].filename).name}:{ours[-1].lineno} {message}" if ours else message


# ---------------------------------------------------------------------------- the generators


def _sources() -> list[Path]:
    """bench/fuzz.py's model files; without its real-world trees, the installed transformers'."""
    if not fast_path_fuzz.REALWORLD.is_dir():
        spec = importlib.util.find_spec("transformers")  # located, not imported
        if spec is not None and spec.submodule_search_locations:
            fast_path_fuzz.REALWORLD = Path(next(iter(spec.submodule_search_locations)))
    return fast_path_fuzz.sources(realworld=True)


def mutant(rng: random.Random, files: list[Path]) -> bytes:
    """A real model file with one to four random edits; kept whether it parses or not."""
    text = rng.choice(files).read_text(encoding="utf-8")
    return fast_path_fuzz.mutate(text, rng).encode("utf-8")


def generated(seed: int, files: list[Path]) -> bytes:
    """A program hypothesmith draws from Python's grammar, with trigger lines inserted."""
    return with_triggers(draw_program(seed), random.Random(seed))


def with_triggers(program: str, rng: random.Random) -> bytes:
    """``program`` with torch imported, trigger lines inserted and ``MODULE`` after it."""
    header = "import torch\nfrom torch import nn\n"
    return (header + fast_path_fuzz.mutate(program, rng) + "\n" + MODULE.format("pass")).encode("utf-8")


BATCH = 50
"""Programs hypothesmith draws per seeded run (starting a run costs as much as 5 draws)."""
_batches: dict[int, list[str]] = {}


def draw_program(seed: int) -> str:
    """Program ``seed % BATCH`` of the seeded batch ``seed // BATCH`` from Python's grammar."""
    batch = seed // BATCH
    if batch not in _batches:
        import hypothesmith
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import seed as with_seed

        drawn: list[str] = []

        @with_seed(batch)
        @settings(
            max_examples=BATCH,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(hypothesmith.from_grammar())
        def keep(program: str) -> None:
            drawn.append(program)

        keep()
        _batches.clear()
        _batches[batch] = drawn
    drawn = _batches[batch]
    return drawn[seed % BATCH % len(drawn)]


QUOTES = ["'''", '"""', "'", '"']
"""Nested f-strings take a new quote per level before Python 3.12 (what the oracle runs on)."""
CHAINS = {
    "parentheses": lambda n: "(" * n + "x" + ")" * n,
    "lists": lambda n: "[" * n + "]" * n,
    "dicts": lambda n: "{1: " * n + "2" + "}" * n,
    "calls": lambda n: "f(" * n + "x" + ")" * n,
    "params": lambda n: "nn.Parameter(" * n + "torch.empty(3)" + ")" * n,
    "attributes": lambda n: "a" + ".b" * n,
    "subscripts": lambda n: "a" + "[0]" * n,
    "calls on calls": lambda n: "f" + "()" * n,
    "sum": lambda n: " + ".join(["x"] * n),
    "mixed operators": lambda n: "".join(f"x{'+-*/%@&|^'[i % 9]}" for i in range(n)) + "x",
    "power": lambda n: " ** ".join(["2"] * n),
    "unary": lambda n: "-" * n + "x",
    "not": lambda n: "not " * n + "x",
    "and": lambda n: " and ".join(["x"] * n),
    "comparisons": lambda n: " < ".join(["x"] * n),
    "conditionals": lambda n: "x if y else " * n + "z",
    "lambdas": lambda n: "lambda: " * n + "x",
    "strings": lambda n: " ".join(["'s'"] * n),
    "f-strings": lambda n: "".join(f"f{q}{{" for q in QUOTES[: min(n, 4)])
    + "x"
    + "".join(f"}}{q}" for q in reversed(QUOTES[: min(n, 4)])),
    "generators": lambda n: "".join(f"(x{i} for x{i} in " for i in range(n)) + "y" + ")" * n,
    "tuples": lambda n: "(" * n + "1," + ")" * n,
    "awaits": lambda n: "await " * n + "x",
    "stars": lambda n: "[*" * n + "x" + "]" * n,
    "torch": lambda n: "torch.empty(" * n + "3" + ")" * n,
}


def deep(rng: random.Random, files: list[Path]) -> bytes:
    """Nesting or a chain of a drawn depth, in the method, at module level or as an argument."""
    depth = int(10 ** rng.uniform(0.5, 4.3))  # 3 .. 20,000
    kind = rng.random()
    if kind < 0.15:
        return _indented(rng, min(depth, 120)).encode("utf-8")
    name = rng.choice(sorted(CHAINS))
    expression = CHAINS[name](depth)
    where = rng.random()
    if where < 0.4:
        text = MODULE.format(f"self.deep = {expression}")
    elif where < 0.7:
        text = MODULE.format("pass") + f"\nDEEP = {expression}\n"
    else:
        text = MODULE.format(f"self.p = nn.Parameter(torch.empty({expression}))")
    if rng.random() < 0.2:
        text = text.replace("\n", "\\\n", rng.randrange(1, 12)) if "\\" not in expression else text
    return text.encode("utf-8")


def _indented(rng: random.Random, depth: int) -> str:
    """Blocks nested ``depth`` deep (Python stops at 100), a trigger at the bottom."""
    header = rng.choice(["if x:", "for i in y:", "while x:", "with a:", "def f(self):", "class C(nn.Module):"])
    lines = ["import torch", "from torch import nn"]
    lines += [" " * level + header for level in range(depth)]
    lines.append(" " * depth + "self.w = nn.Parameter(torch.Tensor(3, 4))")
    return "\n".join(lines) + "\n"


def literal(rng: random.Random, files: list[Path]) -> bytes:
    """A large literal (up to about a megabyte) beside the findings of ``MODULE``."""
    size = int(10 ** rng.uniform(2, 4.8))
    element = rng.choice(["{i}", "{i}.5", "-{i}e-3", "'s{i}'", "None", "({i}, 'x,]')", "[{i}, [{i}]]", "{{'k{i}': {i}}}"])
    separator = rng.choice([", ", ",", ",\n    ", ", # c\n"])
    body = separator.join(element.format(i=i) for i in range(size))
    shape = rng.choice(
        [
            "TABLE = [{}]",
            "TABLE = ({},)",
            "TABLE = {{{}}}",
            "VALUES = torch.tensor([{}])",
            "W = nn.Parameter(torch.FloatTensor([{}]))",
            "print([{}])",
            "TABLE = [[{}]]",
            "X = f(a=[{}], b=torch.Tensor(3))",
        ]
    )
    if rng.random() < 0.15:
        code = "TEXT = " + repr("x" * size * 8)
    else:
        code = shape.format(body)
    where = rng.random()
    if where < 0.5:
        text = MODULE.format("pass") + "\n" + code + "\n"
    else:
        text = MODULE.format(code.replace("\n", "\n        "))
    return text.encode("utf-8")


ODD = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x00", "\t", "\\"]


def odd_bytes(rng: random.Random, files: list[Path]) -> bytes:
    """A real or template file with line breaks, odd characters, encodings and ends changed."""
    text = rng.choice(files).read_text(encoding="utf-8") if rng.random() < 0.6 else MODULE.format("pass")
    lines = split_lines(text, keepends=True)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(lines))
        line, odd = lines[at], rng.choice(ODD)
        place = rng.random()
        if place < 0.3 and odd in "\f\t":
            lines[at] = odd + line  # whitespace Python allows at a line's start
        elif place < 0.6 and "#" in line:
            lines[at] = line.replace("#", "#" + odd, 1)
        elif place < 0.8:
            quote = line.find("'")
            lines[at] = line[: quote + 1] + odd + line[quote + 1 :] if quote >= 0 else line
        else:
            position = rng.randrange(len(line) + 1)
            lines[at] = line[:position] + odd + line[position:]
    text = "".join(lines)
    newline = rng.choice(["\n", "\r\n", "\r", "mixed"])
    if newline == "mixed":
        text = "".join(line.rstrip("\r\n") + rng.choice(["\n", "\r\n", "\r"]) for line in split_lines(text, keepends=True))
    elif newline != "\n":
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)
    if rng.random() < 0.3:
        text = text.rstrip("\r\n")
    encoding = rng.random()
    if encoding < 0.1:
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if encoding < 0.15:
        return text.encode("utf-16")  # with a UTF-16 BOM, which Python refuses
    if encoding < 0.25:
        latin = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + text
        return latin.encode("latin-1", errors="replace")
    if encoding < 0.3:
        data = bytearray(text.encode("utf-8"))
        data.insert(rng.randrange(len(data) + 1), rng.choice([0xFF, 0xC3, 0x80]))
        return bytes(data)
    return text.encode("utf-8")


GENERATORS = {"mutant": mutant, "generated": generated, "deep": deep, "literal": literal, "odd bytes": odd_bytes}
SHARES = {"mutant": 0.4, "generated": 0.1, "deep": 0.2, "literal": 0.1, "odd bytes": 0.2}


def program(kind: str, seed: int, files: list[Path]) -> bytes:
    if kind == "generated":
        return generated(seed, files)
    return GENERATORS[kind](random.Random(seed), files)


# ---------------------------------------------------------------------------- workers


def worker() -> None:
    """Examine programs named on standard input (``kind<TAB>seed``), one JSON line each."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    files = _sources()
    current = WORK / f"current-{os.getpid()}.py"
    for line in sys.stdin:
        kind, seed = line.rstrip("\n").split("\t")
        data = program(kind, int(seed), files)
        current.write_bytes(data)  # kept if this process dies on it
        started, cpu = time.perf_counter(), time.process_time()
        try:
            problems = examine(data)
        except MemoryError:
            problems = ["internal error: MemoryError"]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if cpu > SLOW_SECONDS:  # CPU time: on a shared machine wall time counts the others' load
            problems.append(f"slow: {cpu:.0f} CPU-s ({seconds:.0f} s) for {len(data)} bytes")
        print(json.dumps({"problems": problems, "seconds": seconds, "cpu": cpu, "size": len(data)}), flush=True)


class Pool:
    """``workers`` child processes, each fed one program at a time by a thread of this one."""

    def __init__(self, jobs: list[tuple[str, int]], workers: int) -> None:
        self.jobs = list(reversed(jobs))
        self.lock = threading.Lock()
        self.results: list[tuple[str, int, dict]] = []
        self.threads = [threading.Thread(target=self._feed, daemon=True) for _ in range(workers)]
        self.processes: set[subprocess.Popen] = set()
        self.stopped = False

    def stop(self) -> None:
        """Feed no more programs and end the workers (their current programs are not counted)."""
        with self.lock:
            self.stopped = True
            self.jobs.clear()
            for process in self.processes:
                process.kill()

    def run(self, progress: int) -> list[tuple[str, int, dict]]:
        for thread in self.threads:
            thread.start()
        shown = 0
        while any(thread.is_alive() for thread in self.threads):
            time.sleep(1)
            with self.lock:
                done = len(self.results)
                failing = sum(1 for *_, result in self.results if result["problems"])
            if done >= shown + progress:
                shown = done - done % progress
                print(f"  {done} programs, {failing} failing so far", flush=True)
        return self.results

    def _start(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        with self.lock:
            self.processes.add(process)
        return process

    def _feed(self) -> None:
        process = self._start()
        while True:
            with self.lock:
                if not self.jobs:
                    break
                kind, seed = self.jobs.pop()
            process.stdin.write(f"{kind}\t{seed}\n")
            process.stdin.flush()
            answer = _read_line(process, TIMEOUT)
            if answer:
                result = json.loads(answer)
            else:
                hung = process.poll() is None
                process.kill()
                code = process.wait()
                with self.lock:
                    self.processes.discard(process)
                    if self.stopped:  # the kill was ours
                        return
                result = {"problems": [f"hang: over {TIMEOUT:.0f} s" if hung else f"crash: worker died ({code})"]}
                current = WORK / f"current-{process.pid}.py"
                if current.exists():
                    current.replace(WORK / f"{kind.replace(' ', '_')}-{seed}.py")
                process = self._start()
            if result["problems"] and not (WORK / f"{kind.replace(' ', '_')}-{seed}.py").exists():
                (WORK / f"{kind.replace(' ', '_')}-{seed}.py").write_bytes(program(kind, seed, FILES))
            if result["problems"]:
                print(f"  {kind} {seed}: {'; '.join(result['problems'])}", flush=True)
            with self.lock:
                self.results.append((kind, seed, result))
        process.stdin.close()
        process.wait()


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    answer: list[str] = []
    reader = threading.Thread(target=lambda: answer.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return answer[0] if answer else ""


FILES: list[Path] = []


def plan(count: int, seed: int) -> list[tuple[str, int]]:
    """``count`` (generator, seed) pairs in the generators' shares, interleaved."""
    rng = random.Random(seed)
    kinds = [kind for kind, share in SHARES.items() for _ in range(round(share * count))][:count]
    kinds += ["mutant"] * (count - len(kinds))
    rng.shuffle(kinds)
    first_batch = rng.randrange(2**20) * BATCH
    generated = iter(range(first_batch, first_batch + count))  # consecutive: whole batches
    return [(kind, next(generated) if kind == "generated" else rng.randrange(2**32)) for kind in kinds]


def report(results: list[tuple[str, int, dict]], elapsed: float) -> int:
    by_kind = Counter(kind for kind, _, _ in results)
    failing = [(kind, seed, result) for kind, seed, result in results if result["problems"]]
    print(f"{len(results)} programs ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))}), {elapsed:.0f} s")
    classes = Counter(problem.split(":")[0] for *_, result in failing for problem in result["problems"])
    for name in ("crash", "hang", "internal error", "slow", "line table"):
        print(f"{name}: {classes.pop(name, 0)}")
    for name in (
        "findings on a file Python does not parse (check)",
        "findings on a file Python does not parse (fix analysis)",
        "fix applied to a file Python does not parse",
        "fixed file does not parse",
        "fix is not idempotent",
    ):
        print(f"{name}: {classes.pop(name, 0)}")
    for name, times in classes.items():
        print(f"{name}: {times}")
    timed = sorted((result.get("seconds", TIMEOUT), result.get("size", 0), kind, seed) for kind, seed, result in results)
    for seconds, size, kind, seed in timed[-3:]:
        print(f"  slowest: {seconds:.1f} s, {size} bytes ({kind} {seed})")
    if failing:
        print(f"failing programs written to {WORK}")
    return 1 if failing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("-j", "--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if arguments.worker:
        worker()
        return 0
    FILES.extend(_sources())
    if not FILES:
        raise SystemExit("no model files to mutate: install torch==2.13.0")
    started = time.perf_counter()
    pool = Pool(plan(arguments.count, arguments.seed), arguments.workers)
    for stop in (signal.SIGINT, signal.SIGTERM):  # also when started in the background (SIGINT ignored)
        signal.signal(stop, signal.default_int_handler)
    try:
        results = pool.run(progress=100)
    except KeyboardInterrupt:  # Ctrl-C, kill -INT or kill -TERM: the figures of the programs done so far
        pool.stop()
        with pool.lock:
            results = list(pool.results)
        print(f"stopped after {len(results)} of {arguments.count} programs")
    return report(results, time.perf_counter() - started)


if __name__ == "__main__":
    sys.exit(main())
