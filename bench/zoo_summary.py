"""The zoo benchmark's summary: what was built, what failed and why, the judged findings, time ratios
and the deferred-readiness table.  Plain Python over ``results.json`` and ``zoo-judged.tsv``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from typing import Any

INITIALIZERS = ("reset_parameters", "init_weights", "_init_weights", "post_init")
LARGE_BUILD = 0.05  # the worst ratio is taken over plain builds at least this long
TARGETS = {"wrongly_failed": 0.0, "median_ratio": 1.3, "worst_ratio": 2.0, "fixed_ms": 5.0}

Judged = dict[tuple[str, str, str, str], dict[str, str]]


def split_id(model_id: str) -> tuple[str, str]:
    zoo, _, name = model_id.partition(":")
    return zoo, name


def finding_key(model: dict, finding: dict) -> tuple[str, str, str, str]:
    zoo, name = split_id(model["id"])
    return zoo, name, finding["name"], finding["check"]


def _reason_group(reason: str) -> str:
    """A failure reason with the model-specific parts (numbers, quoted names) blanked, for grouping."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    text = re.sub(r"\([^)]*\)", "(…)", text)
    text = re.sub(r"\d+", "N", text)
    return text[:140]


def judge(models: list[dict], judged: Judged) -> dict[str, Any]:
    """Every finding of every built model against the judgements."""
    verdicts: Counter = Counter()
    classes: Counter = Counter()
    unjudged, failing, wrongly, stale_keys = [], [], [], set()
    seen = set()
    for model in models:
        if model.get("status") != "built":
            continue
        rows = []
        for finding in model["findings"]:
            key = finding_key(model, finding)
            seen.add(key)
            row = judged.get(key)
            rows.append(row)
            if row is None:
                unjudged.append((model["id"], finding))
                continue
            verdicts[row["verdict"]] += 1
            classes[(row["verdict"], row["class"])] += 1
        if model["failed"]:
            failing.append(model["id"])
            if model.get("error") is None and rows and all(r is not None and r["verdict"] == "FP" for r in rows):
                wrongly.append(model["id"])
    run_models = {split_id(m["id"]) for m in models if m.get("status") == "built"}
    missed = [key for key, row in judged.items()
              if row["verdict"] == "TP" and (key[0], key[1]) in run_models and key not in seen]
    stale_keys = {key for key, row in judged.items()
                  if row["verdict"] == "FP" and (key[0], key[1]) in run_models and key not in seen}
    return {"row_of": judged, "verdicts": verdicts, "classes": classes, "unjudged": unjudged, "failing": failing,
            "wrongly_failed": wrongly, "missed": missed, "no_longer_reported": stale_keys}


def _print_build_summary(models: list[dict]) -> None:
    per_zoo: dict[str, Counter] = defaultdict(Counter)
    reasons: dict[str, list[str]] = defaultdict(list)
    for model in models:
        zoo, name = split_id(model["id"])
        per_zoo[zoo][model["status"]] += 1
        if model["status"] != "built":
            reason = model.get("reason", "").replace(name, "MODEL")
            reasons[f"{zoo}: {model['status']}: {_reason_group(reason)}"].append(name)
    print("\nmodels per zoo:")
    for zoo, counts in per_zoo.items():
        others = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "built")
        unbuilt = sum(counts.values()) - counts["built"]
        print(f"  {zoo:<30} built {counts['built']:>4}   not built {unbuilt:>3}  ({others})")
    total = Counter(m["status"] for m in models)
    print(f"  {'all':<30} built {total['built']:>4}   not built {sum(total.values()) - total['built']:>3}")
    if reasons:
        print("\nnot built, grouped by reason:")
        for reason, names in sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0])):
            shown = ", ".join(names[:6]) + (f", … ({len(names)})" if len(names) > 6 else "")
            print(f"  {len(names):>3}  {reason}\n         {shown}")


def _print_judgement(models: list[dict], result: dict[str, Any]) -> None:
    built = sum(1 for m in models if m.get("status") == "built")
    verdicts = result["verdicts"]
    judged_count = verdicts["TP"] + verdicts["FP"]
    findings = judged_count + len(result["unjudged"])
    print(f"\nfindings: {findings} in {len(result['failing'])} failing models of {built} built")
    print(f"  judged TP {verdicts['TP']}, FP {verdicts['FP']}, unjudged {len(result['unjudged'])}")
    precision = verdicts["TP"] / judged_count if judged_count else float("nan")
    wrongly = result["wrongly_failed"]
    print(f"  precision of findings (TP / judged): {precision:.1%}")
    real = sum(1 for m in models if m.get("status") == "built" and any(
        result["row_of"].get(finding_key(m, f), {}).get("verdict") == "TP" for f in m["findings"]))
    print(f"  models with at least one real defect (TP): {real}")
    print(f"  wrongly failed (only FP findings): {len(wrongly)} of {built} built = "
          f"{len(wrongly) / built if built else 0:.1%}   (target {TARGETS['wrongly_failed']:.0%})")
    if result["classes"]:
        print("\nfindings by judged class:")
        for (verdict, name), count in sorted(result["classes"].items(), key=lambda item: (item[0][0], -item[1])):
            print(f"  {verdict}  {count:>4}  {name}")
    print(f"\nwrongly failed models ({len(wrongly)}):")
    for model_id in wrongly:
        print(f"  {model_id}")
    if result["missed"]:
        print(f"\nREAL DEFECTS NO LONGER CAUGHT ({len(result['missed'])}):")
        for key in result["missed"]:
            print(f"  {':'.join(key[:2])}  {key[2]}  [{key[3]}]")
    else:
        print("\nreal defects no longer caught: none")
    if result["no_longer_reported"]:
        print(f"false findings judged before and no longer reported: {len(result['no_longer_reported'])}")
    if result["unjudged"]:
        print(f"\nUNJUDGED FINDINGS ({len(result['unjudged'])}); add them to bench/zoo-judged.tsv:")
        for model_id, finding in result["unjudged"]:
            print(f"  {model_id}  {finding['name']}  [{finding['check']}]  {finding['measured']} "
                  f"(expected {finding['expected']}; role {finding.get('role')})")


def time_ratios(models: list[dict], key: str = "s") -> dict[str, Any]:
    """checked / plain over the built models, by wall time (``key`` "s") or CPU time ("cpu_s")."""
    built = [m for m in models if m.get("status") == "built" and m.get(f"plain_{key}")]
    ratios = sorted(((m[f"checked_{key}"] / m[f"plain_{key}"], m) for m in built), key=lambda item: item[0])
    large = [(r, m) for r, m in ratios if m["plain_s"] >= LARGE_BUILD]
    small = [r for r, m in ratios if m["plain_s"] < LARGE_BUILD]
    return {"median": statistics.median(r for r, _ in ratios) if ratios else float("nan"),
            "median_large": statistics.median(r for r, _ in large) if large else float("nan"),
            "median_small": statistics.median(small) if small else float("nan"),
            "p90": ratios[int(0.9 * (len(ratios) - 1))][0] if ratios else float("nan"),
            "worst_large": large[-1] if large else None, "large": large, "all": ratios}


def _print_ratio_lines(models: list[dict]) -> dict[str, Any]:
    ratios = time_ratios(models)
    cpu = time_ratios(models, "cpu_s")
    for label, found in (("wall", ratios), ("cpu ", cpu)):
        if not found["all"]:
            continue
        worst = f"{found['worst_large'][0]:.2f}x" if found["worst_large"] else "-"
        print(f"  {label}: median {found['median']:.2f}x over {len(found['all'])} models "
              f"(plain ≥ {1000 * LARGE_BUILD:.0f} ms: {found['median_large']:.2f}x, below: {found['median_small']:.2f}x), "
              f"p90 {found['p90']:.2f}x, worst for plain ≥ {1000 * LARGE_BUILD:.0f} ms {worst}   "
              f"(targets: median ≤ {TARGETS['median_ratio']}x, worst ≤ {TARGETS['worst_ratio']}x)")
    return ratios


def _print_times(models: list[dict], fixed: dict | None) -> None:
    print("\ntime (checked build / plain build, medians of alternating repeats; CPU time counts every thread):")
    ratios = _print_ratio_lines(models)
    per_zoo = defaultdict(list)
    for ratio, model in ratios["all"]:
        per_zoo[split_id(model["id"])[0]].append(ratio)
    for zoo, values in per_zoo.items():
        print(f"    {zoo:<30} median {statistics.median(values):.2f}x  max {max(values):.2f}x  ({len(values)} models)")
    if ratios["worst_large"]:
        ratio, model = ratios["worst_large"]
        print(f"  worst ratio for plain builds ≥ {1000 * LARGE_BUILD:.0f} ms ({len(ratios['large'])} models): "
              f"{ratio:.2f}x ({model['id']}, plain {model['plain_s']:.2f} s, checked {model['checked_s']:.2f} s; "
              f"target ≤ {TARGETS['worst_ratio']}x)")
        print("  the ten worst of those:")
        for ratio, model in ratios["large"][-10:][::-1]:
            print(f"    {ratio:5.2f}x  {model['id']}  plain {model['plain_s']:.3f} s  "
                  f"checked {model['checked_s']:.3f} s"
                  f"  (of which checks {model['check_s']:.3f} s)  {model['parameters'] / 1e6:.1f} M params")
    if fixed:
        extra = (f", CPU {fixed['fixed_cpu_ms']:.2f} ms; the first call in a process {fixed['first_call_ms']:.1f} ms"
                 if "fixed_cpu_ms" in fixed else "")
        print(f"  fixed cost (build_and_check of nn.Linear(4, 4) minus the plain build): {fixed['fixed_ms']:.2f} ms"
              f"{extra}   (target ≤ {TARGETS['fixed_ms']} ms)")
    slowest = sorted((m for _, m in ratios["all"]), key=lambda m: -m["checked_s"])[:10]
    print("  slowest checked builds:")
    for model in slowest:
        print(f"    {model['checked_s']:7.2f} s  {model['id']}  (plain {model['plain_s']:.2f} s, "
              f"checks {model['check_s']:.2f} s, {model['parameters'] / 1e6:.1f} M params)")


def deferred_table(models: list[dict], key: str = "ready") -> dict[str, dict[str, tuple[int, int]]]:
    """zoo -> initializer -> (models fully initialized by ``key``, models that have that initializer)."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: {name: [0, 0] for name in INITIALIZERS})
    for model in models:
        if model.get("status") != "built" or "deferred" not in model:
            continue
        zoo = split_id(model["id"])[0]
        for name, outcome in model["deferred"].items():
            table[zoo][name][1] += 1
            table[zoo][name][0] += bool(outcome.get(key, outcome.get("ready")))
    return {zoo: {name: tuple(cell) for name, cell in row.items()} for zoo, row in table.items()}


_DEFERRED_TABLES = {"ready": "every parameter and buffer",
                    "parameters_ready": "every parameter (buffers not counted)"}


def _print_deferred(models: list[dict]) -> None:
    for key, what in _DEFERRED_TABLES.items():
        table = deferred_table(models, key)
        if not table:
            return
        print(f"\ndeferred readiness (meta build, to_empty(), initializer; models whose {what} ends "
              "initialized / models that have the initializer):")
        print(f"  {'zoo':<30}" + "".join(f"{name:>20}" for name in INITIALIZERS))
        totals = {name: [0, 0] for name in INITIALIZERS}
        for zoo, row in table.items():
            cells = []
            for name in INITIALIZERS:
                ready, total = row[name]
                totals[name][0] += ready
                totals[name][1] += total
                cells.append(f"{ready}/{total}" if total else "-")
            print(f"  {zoo:<30}" + "".join(f"{cell:>20}" for cell in cells))
        print(f"  {'all':<30}" + "".join(f"{f'{r}/{t}' if t else '-':>20}" for r, t in totals.values()))


def print_summary(data: dict[str, Any], judged: Judged) -> dict[str, Any]:
    models = data["models"]
    _print_build_summary(models)
    result = judge(models, judged)
    _print_judgement(models, result)
    _print_times(models, data.get("fixed_cost"))
    _print_deferred(models)
    return result
