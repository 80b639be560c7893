"""Serving an app with gunicorn on loopback and loading it, for bench/pages.py.

The load comes from a few client processes, each sending one request per new connection (no keep-alive,
as gunicorn's sync workers serve them) for a fixed time; every answer must be 200. Workers' memory is their
VmRSS, read from /proc for the children of the gunicorn master this module started.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager


class ServerFailed(RuntimeError):
    """A server did not come up, or answered something other than 200 under load."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, chdir: str, workers: int, environment: dict, port: int, log_path: str):
    """``app_spec`` served on loopback until the block ends, on an error too: SIGTERM to the master (it
    stops its workers), and SIGKILL to the whole group it leads if that has not worked within 30 s."""
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--chdir", chdir, "--timeout", "120", "--error-logfile", log_path, app_spec]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        _wait_until_listening(process, port, workers, log_path)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this benchmark started, workers included
            process.wait(timeout=10)


def _log_tail(log_path: str) -> str:
    with open(log_path, errors="replace") as handle:
        return handle.read()[-2000:]


def _wait_until_listening(process, port: int, workers: int, log_path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"gunicorn stopped with {process.returncode}:\n{_log_tail(log_path)}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0 and len(worker_pids(process.pid)) == workers:
                return
        time.sleep(0.2)
    raise ServerFailed(f"gunicorn did not listen on {port} within {timeout:.0f} s:\n{_log_tail(log_path)}")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry))
    return sorted(pids)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        kilobytes = next(line.split()[1] for line in handle if line.startswith("VmRSS:"))
    return int(kilobytes) / 1024


def _hammer(port: int, path: str, seconds: float) -> Counter:
    """One client: a new connection per request, until the time is up. Counts the answers by status."""
    answers: Counter = Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path, headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
            answers[response.status] += 1
        except OSError as error:
            answers[type(error).__name__] += 1
        finally:
            connection.close()
    return answers


def requests_per_second(port: int, path: str, seconds: float, clients: int) -> float:
    context = multiprocessing.get_context("fork")
    with context.Pool(clients) as pool:
        pool.starmap(_hammer, [(port, path, max(1.0, seconds / 5))] * clients)  # every worker warm
        started = time.perf_counter()
        answers = sum(pool.starmap(_hammer, [(port, path, seconds)] * clients), Counter())
        elapsed = time.perf_counter() - started
    if set(answers) != {200}:
        raise ServerFailed(f"{path} under load answered {dict(answers)}")
    return answers[200] / elapsed


def measure(app_spec: str, chdir: str, environment: dict, port: int, paths: dict[str, str], args,
            log_path: str) -> tuple[dict[str, float], list[float]]:
    """Requests/s of each path under ``args.clients`` connections, then each worker's memory in MB."""
    with gunicorn(app_spec, chdir, args.workers, environment, port, log_path) as server:
        rates = {name: requests_per_second(port, path, args.seconds, args.clients)
                 for name, path in paths.items()}
        return rates, [rss_mb(pid) for pid in worker_pids(server.pid)]
