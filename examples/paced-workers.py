#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Three worker processes call one local service, paced together at 50 calls a
second by one Pacer.TokenBucket, and report drift and periodic metrics.

    paced-workers.py [SECONDS]

The Python counterpart of paced-workers.c. The controller starts a small TCP
service on 127.0.0.1 that counts the requests it gets each second, then runs
this script three times as a worker with PACER_RUN_DIR set to one shared
directory: that is all it takes for the workers' buckets named "service" to
share their state, as they do under pacer-run. Each worker connects, sends a
line and reads the reply once per paced call."""

import os
import socket
import socketserver
import subprocess
import sys
import threading
import time

import gi

gi.require_version("Pacer", "1.0")
from gi.repository import GLib, Pacer  # noqa: E402

RATE = 50.0
N_WORKERS = 3


# The service

class CountingHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline()
        second = int(time.monotonic() - self.server.started)
        if line:
            with self.server.lock:
                self.server.per_second[second] = self.server.per_second.get(second, 0) + 1
        self.wfile.write(b"ok\n")


class CountingService(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.lock = threading.Lock()
        self.per_second = {}
        self.started = time.monotonic()


# A worker

def on_drift(bucket, event):
    print(f"[{Pacer.worker_get_id()}] drift {100 * event.props.drift:.0f}%: "
          f"{event.props.current_rate / 3600:.1f} calls/s instead of {event.props.target_rate / 3600:.1f}",
          flush=True)


def on_periodic_check(bucket, event):
    # Every 100 calls of all workers together, in the worker that made the 100th.
    ratio = event.props.wait_ratio
    verdict = "the pacer holds calls back" if ratio > 1 else "the service is the bottleneck"
    print(f"[{Pacer.worker_get_id()}] {event.props.call_count} calls, "
          f"{event.get_windowed_rate(60) / 3600:.1f} calls/s over 60 s, "
          f"duration p50 {1000 * event.props.duration_p50:.2f} ms, "
          f"wait p50 {1000 * event.props.wait_p50:.2f} ms, wait ratio {ratio:.1f} ({verdict})",
          flush=True)


def call_service(port):
    try:
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"hello\n")
            return connection.recv(8) != b""
    except OSError:
        return False


def run_worker(port, seconds):
    bucket = Pacer.TokenBucket.new("service", Pacer.Rate.new_per_second(RATE))
    bucket.props.num_calls_between_checks = 100
    bucket.props.seconds_before_first_check = 2.0
    bucket.connect("drift", on_drift)
    bucket.connect("periodic-check", on_periodic_check)

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            call = bucket.acquire(5.0, None)
        except GLib.Error as error:
            print(f"[{Pacer.worker_get_id()}] {error.message}", file=sys.stderr)
            return 1
        call.complete(call_service(port))
    return 0


# The controller

def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    port = os.environ.get("PACED_WORKERS_PORT")
    if port is not None:
        return run_worker(int(port), seconds)

    service = CountingService()
    threading.Thread(target=service.serve_forever, daemon=True).start()

    workers = []
    for i in range(N_WORKERS):
        env = dict(os.environ,
                   PACED_WORKERS_PORT=str(service.server_address[1]),
                   PACER_WORKER=f"gw{i}",
                   PACER_WORKER_COUNT=str(N_WORKERS),
                   PACER_RUN_DIR=Pacer.worker_get_run_dir())
        workers.append(subprocess.Popen([sys.executable, __file__, f"{seconds:g}"], env=env))
    failed = sum(1 for worker in workers if worker.wait() != 0)
    service.shutdown()
    service.server_close()

    last = max(service.per_second, default=0)
    counts = " ".join(str(service.per_second.get(s, 0)) for s in range(last + 1))
    print(f"requests the service got, second by second (target {RATE:.0f}): {counts}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
