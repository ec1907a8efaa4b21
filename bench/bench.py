"""bench/run: Tsunagu under gunicorn and wrk on loopback, one table of results (docs/benchmark.md).

Steps: read bench/bench.env; pick users and rows from the database and sign the users in
server-side; request each page once in-process to check it and count its SQL queries; start
gunicorn (2 sync workers); run wrk at 16 connections and at 1 per page; print the table and the
workers' memory; write JSON. ``--compare a.json b.json`` only prints the deltas of two runs.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Import this directory as the package "bench" from the project root, not as loose modules.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench import bench_load, bench_report, bench_targets  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tsunagu_city"
ENV_FILE = ROOT / "bench" / "bench.env"
CEILINGS = ("hello", "table")
PERSISTENCE_TARGETS = ("hello", "case_list")


def log(message):
    print(message, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run", description="Benchmark Tsunagu under gunicorn with wrk."
    )
    parser.add_argument(
        "--database-url",
        help=f"the database to run against (default: $DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument(
        "--connections", type=int, default=16, help="connections of the load run (16)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page (2)")
    parser.add_argument("--json", help="write the results here (default: bench/results/...)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="print B's deltas to A")
    parser.add_argument("--only", help="comma-separated target names (the two ceilings always run)")
    parser.add_argument(
        "--deep-pages", type=int, default=20, help="next-links to follow for the deep page (20)"
    )
    parser.add_argument(
        "--conn-max-age-zero",
        action="store_true",
        help="then repeat hello and the case list with CONN_MAX_AGE=0",
    )
    parser.add_argument("--port", type=int, help="port for gunicorn (default: a free one)")
    return parser.parse_args(argv)


def read_env_file(path):
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def prepare_environment(args):
    """bench.env under whatever is already set (as settings' ENV_FILE does), plus the run's own."""
    if os.environ.get("DATABASE_POOL", "").lower() in ("1", "true", "yes", "on"):
        os.environ.setdefault("CONN_MAX_AGE", "0")  # the pool replaces persistent connections
    for name, value in read_env_file(ENV_FILE).items():
        os.environ.setdefault(name, value)
    os.environ["ENV_FILE"] = str(ENV_FILE)
    os.environ["DATABASE_URL"] = (
        args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    os.environ["DJANGO_SETTINGS_MODULE"] = "takatsuki_welfare.settings"


def setup_django():
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means the same to the user
        raise SystemExit(f"Cannot connect to {_safe_url()}: {exc}") from exc
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit(f"{_safe_url()} is not fully migrated: run manage.py migrate first.")


def _safe_url():
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    netloc = url.hostname or ""
    if url.port:
        netloc += f":{url.port}"
    user = f"{url.username}@" if url.username else ""
    return urllib.parse.urlunsplit((url.scheme, user + netloc, url.path, "", ""))


def settings_summary():
    from django.conf import settings

    database = settings.DATABASES["default"]
    return {
        "DEBUG": settings.DEBUG,
        "CONN_MAX_AGE": database.get("CONN_MAX_AGE"),
        "DATABASE_POOL": bool(database.get("OPTIONS", {}).get("pool")),
        "SESSION_ENGINE": settings.SESSION_ENGINE,
        "static": settings.STORAGES["staticfiles"]["BACKEND"],
    }


def collectstatic_if_needed():
    from django.conf import settings

    if settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise"):
        log("collectstatic (hashed static files, as in production)")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            check=True,
        )


def cookies_for(target, csrf_cookie=""):
    from django.conf import settings

    cookies = []
    for key in target.sessions:
        parts = [f"{settings.SESSION_COOKIE_NAME}={key}"]
        if csrf_cookie:
            parts.append(f"{settings.CSRF_COOKIE_NAME}={csrf_cookie}")
        cookies.append("; ".join(parts))
    return "|".join(cookies)


def load(server, target, args, cookie, *, label=""):
    """Warm up, then one run at the load's connections and one with a single client."""
    if args.warmup:
        bench_load.run_wrk(
            server.base_url,
            target,
            connections=args.connections,
            duration=args.warmup,
            cookie=cookie,
        )
        server.drain()
    c16 = bench_load.run_wrk(
        server.base_url, target, connections=args.connections, duration=args.duration, cookie=cookie
    )
    server.drain()
    c1 = bench_load.run_wrk(
        server.base_url, target, connections=1, duration=args.duration, cookie=cookie
    )
    log(
        f"  {label or target.name:18} {c16['rps']:8.1f} req/s  p95 {c16['ms']['p95']:7.1f} ms"
        f"  | c1 p95 {c1['ms']['p95']:6.1f} ms"
        + (f"  ({c16['unexpected'] + c1['unexpected']} unexpected)" if c16["unexpected"] else "")
    )
    return c16, c1


def run(args):
    bench_load.require_wrk()
    prepare_environment(args)
    setup_django()
    started = datetime.datetime.now().astimezone()
    log(f"Database {_safe_url()}")
    counts = bench_targets.database_summary()
    log("  " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    summary = settings_summary()
    log("Settings: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
    if summary["DEBUG"]:
        log("WARNING: DEBUG is on in the environment; the numbers are not production-like.")

    collectstatic_if_needed()
    log("Signing in users and picking rows")
    targets = bench_targets.build_targets(log, pool=max(args.connections, 1))
    if args.only:
        wanted = set(CEILINGS) | {name.strip() for name in args.only.split(",")}
        unknown = wanted - {t.name for t in targets} - {"report_year"}
        if unknown:
            raise SystemExit(f"Unknown targets: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t.name in wanted]
    for target in targets:
        if target.name == "case_list_deep":
            bench_targets.follow_next(target, args.deep_pages, log)
    log("SQL queries per page (in-process, Django test client)")
    bench_targets.count_queries(targets, log)
    report = None
    if not args.only or "report_year" in args.only:
        report = bench_targets.report_target(log)

    port = args.port or bench_load.free_port()
    results_dir = ROOT / "bench" / "results"
    server = bench_load.Server(dict(os.environ), port, results_dir / "gunicorn.log")
    results = []
    memory = {}
    without_persistence = {}
    log(f"gunicorn, {bench_load.WORKERS} sync workers on {server.base_url}")
    try:
        server.start()
        memory["before"] = server.worker_memory_mb()
        log(f"wrk: {args.duration} s at c{args.connections} and at c1 per page")
        for target in targets:
            csrf_cookie = ""
            if target.method == "POST":
                csrf_cookie, token = bench_targets.csrf_for(server.base_url, target)
                target.body = urllib.parse.urlencode(
                    {**target.form, "csrfmiddlewaretoken": token}, doseq=True
                )
            c16, c1 = load(server, target, args, cookies_for(target, csrf_cookie))
            results.append({**target.public(), "c16": c16, "c1": c1})
        memory["after"] = server.worker_memory_mb()
        server.stop()

        if args.conn_max_age_zero:
            log("Again with CONN_MAX_AGE=0 and no pool (a new database connection per request)")
            server = bench_load.Server(
                {**os.environ, "CONN_MAX_AGE": "0", "DATABASE_POOL": "false"},
                port,
                results_dir / "gunicorn.log",
            )
            server.start()
            for target in targets:
                if target.name in PERSISTENCE_TARGETS:
                    c16, c1 = load(server, target, args, cookies_for(target))
                    without_persistence[target.name] = {"c16": c16, "c1": c1}
    finally:
        server.stop()

    if report is not None:
        results.append(report.public())
    bench_report.add_ratios_and_misses(results)
    print()
    print(bench_report.table(results))
    print(bench_report.memory_lines(memory))
    if without_persistence:
        print(bench_report.persistence_lines(results, without_persistence))

    output = Path(args.json) if args.json else results_dir / f"{started:%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": {
            "started": started.isoformat(timespec="seconds"),
            "database": _safe_url(),
            "rows": counts,
            "settings": summary,
            "duration_s": args.duration,
            "connections": args.connections,
            "workers": bench_load.WORKERS,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "commit": _commit(),
        },
        "results": results,
        "memory_mb": memory,
        "conn_max_age_0": without_persistence,
    }
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"Results written to {output}")


def _commit():
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def main(argv=None):
    args = parse_args(argv)
    if args.compare:
        print(bench_report.compare(*args.compare))
        return
    run(args)


if __name__ == "__main__":
    main()
