"""The table bench/run prints, the issue's targets checked against it, and run comparison."""

import json

# Issue 7's targets, by kind of target.
PAGE_MIN_OF_HELLO = 0.04
PAGE_MIN_OF_CEILING = 0.80
PAGE_MAX_P95_C1 = 50
SEARCH_MAX_P95_C1 = 30
POST_MIN_OF_HELLO = 0.10
POST_MAX_P99_C16 = 200
WORKER_MAX_RSS_MB = 150


def _ratio(value, whole):
    return round(value / whole, 4) if whole else None


def add_ratios_and_misses(results):
    """Fill in each result's ratios to its ceiling and to hello-world, and the targets missed."""
    by_name = {r["name"]: r for r in results}
    hello = by_name.get("hello", {}).get("c16", {}).get("rps")
    for result in results:
        c16, c1 = result.get("c16"), result.get("c1")
        if c16 is None:
            continue
        ceiling = by_name.get(result["ceiling"], {}).get("c16", {}).get("rps")
        result["of_hello"] = _ratio(c16["rps"], hello)
        result["of_ceiling"] = _ratio(c16["rps"], ceiling)
        misses = []
        if c16["unexpected"] or c1["unexpected"] or c16["socket_errors"] or c16["timeouts"]:
            misses.append(
                f"errors: {c16['unexpected'] + c1['unexpected']} unexpected status "
                f"(last {c16['unexpected_status'] or c1['unexpected_status']}), "
                f"{c16['socket_errors']} socket, {c16['timeouts']} timeouts"
            )
        for label, run in (("c16", c16), ("c1", c1)):
            if not run["ok"]:
                misses.append(f"no {label} response completed in the run")
        kind = result["kind"]
        if kind == "page":
            if result["of_hello"] is not None and result["of_hello"] < PAGE_MIN_OF_HELLO:
                misses.append(f"req/s {result['of_hello']:.1%} of hello < 4%")
            if result["of_ceiling"] is not None and result["of_ceiling"] < PAGE_MIN_OF_CEILING:
                misses.append(f"req/s {result['of_ceiling']:.0%} of ceiling < 80%")
            if c1["ms"]["p95"] > PAGE_MAX_P95_C1:
                misses.append(f"p95 c1 {c1['ms']['p95']:.0f} ms > 50")
        elif kind == "search" and c1["ms"]["p95"] > SEARCH_MAX_P95_C1:
            misses.append(f"p95 c1 {c1['ms']['p95']:.0f} ms > 30")
        elif kind == "post":
            if result["of_hello"] is not None and result["of_hello"] < POST_MIN_OF_HELLO:
                misses.append(f"req/s {result['of_hello']:.1%} of hello < 10%")
            if c16["ms"]["p99"] > POST_MAX_P99_C16:
                misses.append(f"p99 c16 {c16['ms']['p99']:.0f} ms > 200")
        result["misses"] = misses


def _pct(value):
    return "" if value is None else f"{value:.1%}"


def _num(value, digits=1):
    return "" if value is None else f"{value:,.{digits}f}"


def table(results):
    """The one table: throughput and latency under load, single-client p95, ratios, SQL."""
    header = (
        "page",
        "req/s c16",
        "p50",
        "p95",
        "p99",
        "p95 c1",
        "of ceiling",
        "of hello",
        "SQL",
        "targets missed",
    )
    rows = []
    for r in results:
        c16, c1 = r.get("c16"), r.get("c1")
        if c16 is None:
            rows.append(
                (
                    r["name"],
                    "",
                    _num(r.get("in_process_ms")),
                    "",
                    "",
                    "",
                    "",
                    "",
                    _num(r.get("queries"), 0),
                    "in-process only: " + r.get("note", ""),
                )
            )
            continue
        ceiling = "" if r["kind"] == "ceiling" else f"{_pct(r.get('of_ceiling'))} {r['ceiling']}"
        rows.append(
            (
                r["name"],
                _num(c16["rps"]),
                _num(c16["ms"]["p50"]),
                _num(c16["ms"]["p95"]),
                _num(c16["ms"]["p99"]),
                _num(c1["ms"]["p95"]),
                ceiling,
                "" if r["name"] == "hello" else _pct(r.get("of_hello")),
                _num(r.get("queries"), 0),
                "; ".join(r.get("misses", [])) or ("—" if r["kind"] != "ceiling" else ""),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    right = {1, 2, 3, 4, 5, 6, 7, 8}

    def line(row):
        cells = [
            str(cell).rjust(widths[i]) if i in right else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append("Latencies in ms; c16 = 16 connections, c1 = one client. SQL = queries per request.")
    return "\n".join(out)


def memory_lines(memory):
    after = memory.get("after", {})
    if not after:
        return "Memory per worker: not measured."
    worst = max(sizes["rss"] for sizes in after.values())
    verdict = "ok" if worst < WORKER_MAX_RSS_MB else f"over the {WORKER_MAX_RSS_MB} MB target"

    def listed(state):
        return ", ".join(
            f"{sizes['rss']:.0f} MB (PSS {sizes.get('pss', 0):.0f})" for sizes in state.values()
        )

    return (
        f"Memory per gunicorn worker, RSS: {listed(after)} after the run; "
        f"{listed(memory.get('before', {}))} at start: {verdict} (target < {WORKER_MAX_RSS_MB} MB)."
    )


def persistence_lines(results, without):
    """Throughput with persistent connections (the main run) against CONN_MAX_AGE=0."""
    by_name = {r["name"]: r for r in results}
    lines = ["Persistent connections (main run) vs CONN_MAX_AGE=0:"]
    for name, other in without.items():
        main = by_name.get(name, {})
        if "c16" not in main:
            continue
        a, b = main["c16"]["rps"], other["c16"]["rps"]
        a1, b1 = main["c1"]["ms"]["p95"], other["c1"]["ms"]["p95"]
        factor = f"{a / b:.2f}x" if b else "n/a"
        lines.append(
            f"  {name:12} req/s c16 {a:,.1f} vs {b:,.1f} ({factor});  "
            f"p95 c1 {a1:.1f} ms vs {b1:.1f} ms"
        )
    return "\n".join(lines)


def compare(path_a, path_b):
    """Deltas between two JSON results (b relative to a)."""
    with open(path_a) as a_file, open(path_b) as b_file:
        a, b = json.load(a_file), json.load(b_file)
    a_by = {r["name"]: r for r in a["results"]}
    lines = [
        f"a: {path_a} ({a['meta'].get('started', '')})",
        f"b: {path_b} ({b['meta'].get('started', '')})",
        "",
    ]
    header = ("page", "req/s c16 a → b", "Δ", "p95 c16 a → b", "p95 c1 a → b", "Δ", "SQL a → b")
    rows = []
    for r in b["results"]:
        old = a_by.get(r["name"])
        if old is None:
            continue
        if "c16" not in r or "c16" not in old:
            rows.append(
                (
                    r["name"],
                    "",
                    "",
                    f"{_num(old.get('in_process_ms'))} → {_num(r.get('in_process_ms'))} ms",
                    "",
                    _delta(old.get("in_process_ms"), r.get("in_process_ms")),
                    f"{_num(old.get('queries'), 0)} → {_num(r.get('queries'), 0)}",
                )
            )
            continue
        rows.append(
            (
                r["name"],
                f"{_num(old['c16']['rps'])} → {_num(r['c16']['rps'])}",
                _delta(old["c16"]["rps"], r["c16"]["rps"]),
                f"{_num(old['c16']['ms']['p95'])} → {_num(r['c16']['ms']['p95'])}",
                f"{_num(old['c1']['ms']['p95'])} → {_num(r['c1']['ms']['p95'])}",
                _delta(old["c1"]["ms"]["p95"], r["c1"]["ms"]["p95"]),
                f"{_num(old.get('queries'), 0)} → {_num(r.get('queries'), 0)}",
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        lines.append("  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip())
    missing = sorted(set(a_by) - {r["name"] for r in b["results"]})
    if missing:
        lines.append(f"Only in a: {', '.join(missing)}")
    return "\n".join(lines)


def _delta(old, new):
    if not old or new is None:
        return ""
    return f"{(new - old) / old:+.1%}"
