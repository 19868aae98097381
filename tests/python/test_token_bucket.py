#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerTokenBucket used through the typelib (PyGObject): properties, calls,
a rate function written in Python, signal handlers, the asynchronous acquire
on a GLib main loop, cancellation, timeouts and max-calls.

Prints TAP so meson reads each case. Timing checks only bound what a loaded
machine cannot make shorter (a paced wait), never how fast it runs."""

import math
import os
import sys
import tempfile
import time

import gi

gi.require_version("Pacer", "1.0")
gi.require_version("Gio", "2.0")
gi.require_version("Json", "1.0")
from gi.repository import Gio, GLib, Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

# Long enough for any of the cases below on a loaded machine.
LOOP_GUARD_SECONDS = 20


class Buckets:
    """Makes buckets whose shared state lives in a private directory."""

    def __init__(self, directory):
        self.directory = directory
        self.n = 0

    def new(self, per_second):
        self.n += 1
        path = os.path.join(self.directory, f"pacer_shared_bucket{self.n}.json")
        shared = Pacer.SharedJson.new(path, None, -1)
        return Pacer.TokenBucket.new_for_shared_json(shared, Pacer.Rate.new_per_second(per_second))


def state(bucket):
    return bucket.get_shared_json().read()


def run_loop(loop):
    """Runs @loop, failing rather than hanging if nothing quits it."""
    expired = []

    def expire():
        expired.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    guard = GLib.timeout_add_seconds(LOOP_GUARD_SECONDS, expire)
    loop.run()
    if not expired:
        GLib.source_remove(guard)
    return not expired


def test_properties(tap, buckets):
    bucket = buckets.new(10)
    tap.check("default properties",
              bucket.props.max_drift == 0.1
              and bucket.props.num_calls_between_checks == 10
              and bucket.props.seconds_before_first_check == 60
              and bucket.props.burst_capacity == 1
              and bucket.props.max_calls == -1
              and bucket.props.refuse_over_max_calls is False,
              [bucket.props.max_drift, bucket.props.num_calls_between_checks,
               bucket.props.seconds_before_first_check, bucket.props.burst_capacity,
               bucket.props.max_calls, bucket.props.refuse_over_max_calls])
    tap.check("id is the shared state's name", bucket.props.id == bucket.get_shared_json().get_name(),
              bucket.props.id)
    tap.check("rate property holds the rate given",
              bucket.props.rate.equal(Pacer.Rate.new_per_second(10)), bucket.props.rate.to_string())

    windows = bucket.props.rate_windows
    tap.check("rate-windows is a GVariant of seconds",
              windows.get_type_string() == "au" and windows.unpack() == [60, 300, 900], windows)
    bucket.set_rate_windows([5, 30])
    tap.check("set_rate_windows takes a Python list", bucket.dup_rate_windows().unpack() == [5, 30])

    notified = []
    bucket.connect("notify::max-drift", lambda obj, pspec: notified.append(pspec.name))
    bucket.props.max_drift = 0.25
    bucket.props.max_drift = 0.25
    tap.check("setting a property notifies once, only on change",
              notified == ["max-drift"] and bucket.get_max_drift() == 0.25, notified)

    bucket.set_rate(Pacer.Rate.new_per_minute(90))
    tap.check("set_rate changes the rate property", bucket.dup_rate().get_calls_per_second() == 1.5)

    bucket = Pacer.TokenBucket.new("python-named", Pacer.Rate.new_per_hour(3600))
    data_file = bucket.get_shared_json().get_data_file()
    tap.check("a bucket made by name keeps its state in the run directory",
              bucket.get_id() == "python-named" and data_file.startswith(Pacer.worker_get_run_dir()),
              data_file)


def test_calls(tap, buckets):
    bucket = buckets.new(1000)
    before = time.time()
    call = bucket.acquire(-1, None)
    tap.check("acquire gives a Pacer.Call", isinstance(call, Pacer.Call), call)
    tap.check("call properties",
              call.props.id == bucket.get_id()
              and call.props.calls_per_hour == 3600000
              and call.props.call_count == 1
              and call.props.exceptions == 0
              and call.props.seconds_waited >= 0
              and call.props.slot_time >= call.props.start_time
              and before - 1 <= call.props.start_time <= time.time() + 1,
              {p.name: call.get_property(p.name) for p in call.list_properties()})
    call.complete(False)
    call.complete(False)
    second = bucket.acquire(-1, None)
    tap.check("a call completed as failed counts one exception, however often completed",
              second.get_exceptions() == 1 and second.get_call_count() == 2
              and state(bucket).get_int_member("exceptions") == 1,
              [second.get_exceptions(), second.get_call_count()])
    second.complete(True)


def test_rate_func(tap, buckets):
    bucket = buckets.new(1)
    asked = []

    def fast():
        asked.append(True)
        return Pacer.Rate.new_per_second(50)

    bucket.set_rate_func(fast)
    calls = []
    try:
        # At the bucket's own 1 call a second the second call would be 1 s
        # away, past the 0.5 s timeout.
        for _ in range(5):
            calls.append(bucket.acquire(0.5, None))
        error = None
    except GLib.Error as e:
        error = e
    tap.check("a rate function written in Python paces the calls",
              error is None and len(calls) == 5 and len(asked) == 5
              and all(c.props.calls_per_hour == 180000 for c in calls),
              error.message if error else [c.props.calls_per_hour for c in calls])
    gaps = [b.props.slot_time - a.props.slot_time for a, b in zip(calls, calls[1:])]
    tap.check("slots are the function's interval apart", all(g >= 0.019 for g in gaps), gaps)

    bucket.set_rate_func(lambda: None)
    call = bucket.acquire(-1, None)
    tap.check("a function returning None keeps the rate property", call.props.calls_per_hour == 3600,
              call.props.calls_per_hour)

    bucket.set_rate_func(None)
    tap.raises("without the function the rate property paces again: the next slot is past 0.5 s",
               lambda: bucket.acquire(0.5, None), Pacer.error_quark(), Pacer.Error.TIMEOUT)


def test_timeout(tap, buckets):
    bucket = buckets.new(1)
    bucket.acquire(0, None)
    began = time.monotonic()
    error = tap.raises("a slot beyond the timeout raises Pacer.Error.TIMEOUT",
                       lambda: bucket.acquire(0.5, None), Pacer.error_quark(), Pacer.Error.TIMEOUT)
    tap.check("the timeout error names the bucket and fails without waiting for the slot",
              error is not None and bucket.get_id() in error.message and time.monotonic() - began < 0.9,
              error.message if error else "")
    tap.check("a refused call reserves nothing", state(bucket).get_int_member("call_count") == 1)


def test_signals(tap, buckets):
    bucket = buckets.new(1000)
    bucket.props.seconds_before_first_check = 0
    bucket.props.num_calls_between_checks = 5
    drifts = []
    checks = []
    bucket.connect("drift", lambda b, event: drifts.append((b, event)))
    bucket.connect("periodic-check", lambda b, event: checks.append((b, event)))

    # A caller that manages far fewer than the 1000 calls a second asked for:
    # at most 50 a second, a drift of at least 95 %.
    for _ in range(30):
        bucket.acquire(-1, None).complete(True)
        time.sleep(0.02)

    tap.check("periodic-check fires every 5 calls", len(checks) == 6, len(checks))
    tap.check("drift fires for a caller far below the rate", len(drifts) >= 1, len(drifts))
    if not drifts or not checks:
        tap.check("drift event properties", False, "no drift event")
        tap.check("periodic-check event properties", False, "no periodic-check event")
        tap.check("periodic-check carries the merged duration digest", False, "no periodic-check event")
        return

    source, event = drifts[-1]
    tap.check("drift event properties",
              source is bucket
              and isinstance(event, Pacer.DriftEvent)
              and event.props.limiter is bucket
              and event.props.limiter_id == bucket.get_id()
              and event.props.call_count % 5 == 0
              and event.props.target_rate == 3600000
              and 0 < event.props.current_rate < event.props.target_rate
              and event.props.drift > event.props.max_drift == 0.1
              and math.isclose(event.props.drift,
                               abs(event.props.current_rate - event.props.target_rate) / event.props.target_rate)
              and event.props.elapsed_time > 0
              and event.props.state_snapshot.get_int_member("call_count") >= event.props.call_count,
              {p.name: event.get_property(p.name) for p in event.list_properties()})

    source, event = checks[-1]
    windowed = event.get_windowed_rates()
    tap.check("periodic-check event properties",
              source is bucket
              and isinstance(event, Pacer.PeriodicCheckEvent)
              and event.props.call_count == 30
              and event.props.worker_count == Pacer.worker_get_count()
              and event.props.sample_count >= 20
              and event.props.target_rate == 3600000
              and event.props.drift > 0.1
              and event.props.wait_ratio >= 0
              and windowed.get_type_string() == "a{ud}"
              and sorted(windowed.unpack()) == [60, 300, 900]
              and math.isclose(event.get_windowed_rate(60), windowed.unpack()[60])
              and math.isnan(event.get_windowed_rate(61)),
              {p.name: event.get_property(p.name) for p in event.list_properties()})
    digest = event.props.duration_digest
    tap.check("periodic-check carries the merged duration digest as a Pacer.TDigest",
              isinstance(digest, Pacer.TDigest)
              and digest.get_count() == event.props.sample_count
              and math.isclose(digest.quantile(0.5), event.props.duration_p50)
              and event.props.duration_p50 <= event.props.duration_p90 <= event.props.duration_p99
              and event.props.wait_p50 <= event.props.wait_p99,
              digest)


def test_max_calls(tap, buckets):
    bucket = buckets.new(1000)
    bucket.props.max_calls = 3
    events = []
    bucket.connect("max-calls", lambda b, event: events.append(event))
    for _ in range(8):
        bucket.acquire(-1, None)
    tap.check("max-calls fires exactly once, at the call that reaches it",
              len(events) == 1
              and isinstance(events[0], Pacer.MaxCallsEvent)
              and events[0].props.max_calls == 3
              and events[0].props.call_count == 3,
              [(e.props.max_calls, e.props.call_count) for e in events])

    bucket = buckets.new(1000)
    bucket.set_property("max-calls", 2)
    bucket.set_property("refuse-over-max-calls", True)
    bucket.acquire(-1, None)
    bucket.acquire(-1, None)
    tap.raises("with refuse-over-max-calls the next call raises Pacer.Error.LIMIT_REACHED",
               lambda: bucket.acquire(-1, None), Pacer.error_quark(), Pacer.Error.LIMIT_REACHED)


def test_async(tap, buckets):
    bucket = buckets.new(20)
    loop = GLib.MainLoop.new(None, False)
    results = []
    ticks = []

    def tick():
        ticks.append(True)
        return GLib.SOURCE_CONTINUE

    def acquired(source, result):
        try:
            results.append((source.acquire_finish(result), time.monotonic()))
        except GLib.Error as error:
            results.append((error, time.monotonic()))
        if len(results) == 5:
            loop.quit()

    ticker = GLib.timeout_add(5, tick)
    began = time.monotonic()
    for _ in range(5):
        bucket.acquire_async(-1, None, acquired)
    finished = run_loop(loop)
    GLib.source_remove(ticker)

    tap.check("five asynchronous acquires finish on the main loop",
              finished and len(results) == 5 and all(isinstance(r, Pacer.Call) for r, _ in results),
              results)
    # Five calls at 20 a second span at least four intervals, 200 ms.
    last = max((t for _, t in results), default=began)
    tap.check("asynchronous acquires are paced while the loop keeps running",
              last - began >= 0.19 and len(ticks) >= 2 and state(bucket).get_int_member("call_count") == 5,
              [last - began, len(ticks)])

    # A timeout given to the asynchronous acquire: the next slot is 1 s away.
    bucket = buckets.new(1)
    bucket.acquire(-1, None)
    outcome = []

    def timed_out(source, result):
        try:
            outcome.append(source.acquire_finish(result))
        except GLib.Error as error:
            outcome.append(error)
        loop.quit()

    bucket.acquire_async(0.25, None, timed_out)
    run_loop(loop)
    tap.check("an asynchronous acquire past its timeout finishes with Pacer.Error.TIMEOUT",
              len(outcome) == 1 and isinstance(outcome[0], GLib.Error)
              and outcome[0].matches(Pacer.error_quark(), Pacer.Error.TIMEOUT),
              outcome)


def test_async_cancelled(tap, buckets):
    bucket = buckets.new(1)
    loop = GLib.MainLoop.new(None, False)
    bucket.acquire(-1, None)
    tat = state(bucket).get_int_member("tat_us")
    outcome = []

    def finished(source, result):
        try:
            outcome.append(source.acquire_finish(result))
        except GLib.Error as error:
            outcome.append(error)
        loop.quit()

    cancellable = Gio.Cancellable()
    cancellable.cancel()
    bucket.acquire_async(-1, cancellable, finished)
    run_loop(loop)
    tap.check("an acquire cancelled before it starts raises Gio.IOErrorEnum.CANCELLED",
              len(outcome) == 1 and isinstance(outcome[0], GLib.Error)
              and outcome[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
              outcome)

    # The next slot is a second away: cancel 50 ms into the wait.
    outcome.clear()
    cancellable = Gio.Cancellable()
    GLib.timeout_add(50, lambda: cancellable.cancel() or GLib.SOURCE_REMOVE)
    bucket.acquire_async(-1, cancellable, finished)
    run_loop(loop)
    tap.check("an acquire cancelled while it waits raises Gio.IOErrorEnum.CANCELLED",
              len(outcome) == 1 and isinstance(outcome[0], GLib.Error)
              and outcome[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
              outcome)

    data = state(bucket)
    tap.check("a cancelled acquire gives its slot back",
              data.get_int_member("call_count") == 1 and data.get_int_member("tat_us") == tat,
              [data.get_int_member("call_count"), data.get_int_member("tat_us"), tat])

    cancellable = Gio.Cancellable()
    cancellable.cancel()
    tap.raises("a cancelled synchronous acquire raises Gio.IOErrorEnum.CANCELLED",
               lambda: bucket.acquire(-1, cancellable), Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


TESTS = [
    (test_properties, 8),
    (test_calls, 3),
    (test_rate_func, 4),
    (test_timeout, 3),
    (test_signals, 5),
    (test_max_calls, 2),
    (test_async, 3),
    (test_async_cancelled, 4),
]


def main():
    tap = Tap()
    print(f"1..{sum(n for _, n in TESTS)}")
    with tempfile.TemporaryDirectory() as tmp:
        buckets = Buckets(tmp)
        for test, _ in TESTS:
            test(tap, buckets)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    # Buckets made by name keep their state here rather than in a directory
    # of their own; set before the library reads it.
    with tempfile.TemporaryDirectory() as run_dir:
        os.environ["PACER_RUN_DIR"] = run_dir
        sys.exit(main())
