"""The load side of bench/run: gunicorn on loopback, wrk against it, worker memory."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "report.lua"
CONFIG = ROOT / "gunicorn.conf.py"
WORKERS = 2


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_wrk():
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed. On Debian/Ubuntu: sudo apt-get install -y wrk "
            "(elsewhere: https://github.com/wg/wrk)."
        )


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1, as production runs it behind a proxy."""

    def __init__(self, env, port, log_path):
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process = None
        self.base_url = f"http://127.0.0.1:{port}"

    def start(self, timeout=60):
        gunicorn = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "gunicorn"
        command = [str(gunicorn) if gunicorn.exists() else "gunicorn"]
        if CONFIG.exists():
            command += ["--config", str(CONFIG)]  # production's settings, overridden below
        command += [
            "takatsuki_welfare.wsgi:application",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
            # No recycling during a run: steady state, and memory growth stays visible.
            "--max-requests",
            "0",
            "--error-logfile",
            str(self.log_path),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)  # noqa: S603
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start-up; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200 and len(self.worker_pids()) == WORKERS:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz in {timeout} s; see {self.log_path}")

    def drain(self):
        """Wait for requests wrk left queued: a new one is accepted only after them."""
        for _ in range(WORKERS):
            with urllib.request.urlopen(f"{self.base_url}/bench/hello/", timeout=120) as response:  # noqa: S310
                response.read()

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may contain spaces: the parent pid follows the closing ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def worker_memory_mb(self):
        """RSS and PSS (shared pages split between the processes sharing them) per worker."""
        sizes = {}
        for pid in self.worker_pids():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in rollup.splitlines()[1:] if ":" in line)
            sizes[pid] = {
                name.lower(): round(int(fields[name].split()[0]) / 1024, 1)
                for name in ("Rss", "Pss")
                if name in fields
            }
        return sizes

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_wrk(base_url, target, *, connections, duration, cookie):
    """One wrk run; returns the Lua script's summary with req/s and milliseconds added."""
    threads = 1 if connections < 4 else 2
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_BODY": target.body if target.method == "POST" else "",
        "BENCH_COOKIES": cookie,
        "BENCH_HTMX": "1" if target.htmx else "",
        "BENCH_EXPECT": str(target.expect),
    }
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base_url + target.path,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed for {target.name}:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = result["duration_us"] / 1e6
    result["rps"] = round(result["ok"] / seconds, 1) if seconds else 0.0
    result["ms"] = {k: round(v / 1000, 2) for k, v in result.pop("latency_us").items()}
    return result
