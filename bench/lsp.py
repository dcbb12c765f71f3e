"""Latency of ``paraminit server``: didChange → publishDiagnostics, as an editor sees it.

    python bench/lsp.py               # 30 timed edits per file
    python bench/lsp.py --runs 100    # more edits, steadier percentiles
    python bench/lsp.py --dense       # also the worst case: every class allocates with torch.empty

The real server runs as a subprocess over stdio; a minimal JSON-RPC client (below, no
pygls) opens each file, makes one warm-up edit, then times ``--runs`` edits: each appends
a comment to a line in the middle of the file, sends the whole text (the server's sync
mode) and waits for the diagnostics of that version. Files:

* generated model files of 1,000 and 2,000 lines, shaped like ``transformers`` modeling
  files (norms, rotary embeddings, attention, MLPs, decoder layers, ``_init_weights``), with
  one buggy adapter class per model family, so there are findings to report;
* the largest ``models/**/modeling_*.py`` of the installed ``transformers`` package, copied
  into the temporary project (``site-packages`` is excluded by the default settings).

``--dense`` adds 1,000- and 2,000-line files where every class creates a parameter with
``torch.empty``: the analysis then cannot skip any part of the file. Nothing here is
asserted in the test suite; timings on a shared machine are noisy, so read the medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "ruff_like_rules", "server"]
TIMEOUT = 120.0

# ---------------------------------------------------------------------------- model files

HEADER = '''"""A generated model file for the paraminit language-server benchmark."""

import math

import torch
import torch.nn.functional as F
from torch import nn

'''

FAMILY = '''
class {name}RMSNorm(nn.Module):
    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps{dense}

    def forward(self, hidden_states):
        dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(dtype)


class {name}RotaryEmbedding(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False){dense}

    def forward(self, x, position_ids):
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


class {name}Attention(nn.Module):
    def __init__(self, hidden_size, num_heads, dropout=0.0):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = hidden_size // num_heads
        self.q_proj = nn.Linear(hidden_size, hidden_size, bias=True)
        self.k_proj = nn.Linear(hidden_size, hidden_size, bias=True)
        self.v_proj = nn.Linear(hidden_size, hidden_size, bias=True)
        self.o_proj = nn.Linear(hidden_size, hidden_size, bias=False)
        self.dropout = dropout{dense}

    def forward(self, hidden_states, cos, sin, attention_mask=None):
        batch, length, _ = hidden_states.shape
        shape = (batch, length, self.num_heads, self.head_dim)
        query = self.q_proj(hidden_states).view(shape).transpose(1, 2)
        key = self.k_proj(hidden_states).view(shape).transpose(1, 2)
        value = self.v_proj(hidden_states).view(shape).transpose(1, 2)
        query = query * cos[:, None] + rotate_half(query) * sin[:, None]
        key = key * cos[:, None] + rotate_half(key) * sin[:, None]
        scores = query @ key.transpose(-1, -2) / math.sqrt(self.head_dim)
        if attention_mask is not None:
            scores = scores + attention_mask
        weights = F.dropout(F.softmax(scores, dim=-1), p=self.dropout, training=self.training)
        output = (weights @ value).transpose(1, 2).reshape(batch, length, -1)
        return self.o_proj(output)


class {name}MLP(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False){dense}

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class {name}DecoderLayer(nn.Module):
    def __init__(self, hidden_size, num_heads, intermediate_size):
        super().__init__()
        self.self_attn = {name}Attention(hidden_size, num_heads)
        self.mlp = {name}MLP(hidden_size, intermediate_size)
        self.input_layernorm = {name}RMSNorm(hidden_size)
        self.post_attention_layernorm = {name}RMSNorm(hidden_size){dense}

    def forward(self, hidden_states, cos, sin, attention_mask=None):
        residual = hidden_states
        hidden_states = self.self_attn(self.input_layernorm(hidden_states), cos, sin, attention_mask)
        hidden_states = residual + hidden_states
        residual = hidden_states
        hidden_states = self.mlp(self.post_attention_layernorm(hidden_states))
        return residual + hidden_states


class {name}Adapter(nn.Module):
    """Low-rank adapter whose scale is never initialized."""

    def __init__(self, hidden_size, rank=8):
        super().__init__()
        self.down = nn.Linear(hidden_size, rank, bias=False)
        self.up = nn.Linear(rank, hidden_size, bias=False)
        self.scale = nn.Parameter(torch.empty(hidden_size))
        self.register_buffer("mean", torch.FloatTensor([0.485, 0.456, 0.406]))

    def forward(self, hidden_states):
        return hidden_states + self.up(self.down(hidden_states)) * self.scale


class {name}PreTrainedModel(nn.Module):
    initializer_range = 0.02

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=self.initializer_range)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=self.initializer_range)
        elif isinstance(module, {name}RMSNorm):
            nn.init.ones_(module.weight)


class {name}Model({name}PreTrainedModel):
    def __init__(self, vocab_size, hidden_size, num_layers, num_heads, intermediate_size):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab_size, hidden_size)
        self.layers = nn.ModuleList(
            [{name}DecoderLayer(hidden_size, num_heads, intermediate_size) for _ in range(num_layers)]
        )
        self.norm = {name}RMSNorm(hidden_size)
        self.rotary_emb = {name}RotaryEmbedding(hidden_size // num_heads)
        self.apply(self._init_weights){dense}

    def forward(self, input_ids, attention_mask=None):
        hidden_states = self.embed_tokens(input_ids)
        position_ids = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
        cos, sin = self.rotary_emb(hidden_states, position_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states, cos, sin, attention_mask)
        return self.norm(hidden_states)
'''

ROTATE_HALF = """
def rotate_half(x):
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)

"""

DENSE = """
        self.extra = nn.Parameter(torch.empty(4))
        nn.init.zeros_(self.extra)"""


def model_file(lines: int, dense: bool = False) -> str:
    """A model file of at least ``lines`` lines: whole model families, one after another."""
    parts = [HEADER, ROTATE_HALF]
    for number in itertools.count():
        if sum(part.count("\n") for part in parts) >= lines:
            return "".join(parts)
        parts.append(FAMILY.format(name=f"Family{number}", dense=DENSE if dense else ""))
    raise AssertionError("unreachable")


def largest_transformers_model() -> Path | None:
    spec = importlib.util.find_spec("transformers")  # finds the package without importing torch
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    return max(package.glob("models/*/modeling_*.py"), key=lambda path: path.stat().st_size, default=None)


# ---------------------------------------------------------------------------- client


class Client:
    """JSON-RPC over the server's stdin/stdout; a thread timestamps what comes back."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.inbox: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.ids = itertools.count(1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if line == b"" or length is None:
                return
            message = json.loads(stream.read(length))
            self.inbox.put((time.perf_counter(), message))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        number = next(self.ids)
        self.send({"id": number, "method": method, "params": params})
        return self.wait(lambda message: message.get("id") == number and "method" not in message)[1].get("result")

    def wait(self, wanted: Any) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            arrived, message = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            if "id" in message and "method" in message:  # a request from the server: say nothing useful
                self.send({"id": message["id"], "result": None})
            elif wanted(message):
                return arrived, message

    def diagnostics(self, uri: str, version: int) -> tuple[float, list[Any]]:
        def published(message: dict[str, Any]) -> bool:
            params = message.get("params", {})
            return (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            )

        arrived, message = self.wait(published)
        return arrived, message["params"]["diagnostics"]

    def close(self) -> None:
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=30)


def edited(text: str, run: int) -> str:
    """The text after typing a comment at the end of the middle line."""
    lines = text.split("\n")
    middle = len(lines) // 2
    while lines[middle].rstrip().endswith("\\") or not lines[middle].strip():
        middle += 1
    lines[middle] += f"  # edit {run}"
    return "\n".join(lines)


def measure(client: Client, path: Path, runs: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    started = time.perf_counter()
    item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    client.notify("textDocument/didOpen", {"textDocument": item})
    arrived, diagnostics = client.diagnostics(uri, 1)
    first = arrived - started
    timings = []
    for version in range(2, runs + 3):
        started = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited(text, version)}],
            },
        )
        arrived, _ = client.diagnostics(uri, version)
        if version > 2:  # the first edit warms what the open did not
            timings.append(arrived - started)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    timings.sort()
    return {
        "file": path.name,
        "lines": text.count("\n"),
        "diagnostics": len(diagnostics),
        "open_ms": first * 1000,
        "median_ms": statistics.median(timings) * 1000,
        "p90_ms": timings[min(len(timings) - 1, int(len(timings) * 0.9))] * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="timed edits per file (default: 30)")
    parser.add_argument("--dense", action="store_true", help="also time files where every class triggers")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="paraminit-lsp-bench-") as directory:
        project = Path(directory)
        files = []
        for lines in (1000, 2000):
            files.append(project / f"modeling_generated_{lines}.py")
            files[-1].write_text(model_file(lines), encoding="utf-8")
        if args.dense:
            for lines in (1000, 2000):
                files.append(project / f"modeling_dense_{lines}.py")
                files[-1].write_text(model_file(lines, dense=True), encoding="utf-8")
        largest = largest_transformers_model()
        if largest is not None:
            files.append(project / largest.name)
            shutil.copyfile(largest, files[-1])
        else:
            print("transformers is not installed: skipping its largest modeling file", file=sys.stderr)

        client = Client(SERVER, project)
        capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True}}}
        client.request(
            "initialize", {"processId": os.getpid(), "rootUri": project.as_uri(), "capabilities": capabilities}
        )
        client.notify("initialized", {})
        results = [measure(client, path, args.runs) for path in files]
        client.close()

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"paraminit server, didChange -> publishDiagnostics, {args.runs} edits per file")
    print(
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(f"{'file':<36} {'lines':>6} {'diags':>5} {'open':>9} {'median':>9} {'p90':>9}")
    for result in results:
        print(
            f"{result['file']:<36} {result['lines']:>6} {result['diagnostics']:>5} "
            f"{result['open_ms']:>7.1f}ms {result['median_ms']:>7.1f}ms {result['p90_ms']:>7.1f}ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
