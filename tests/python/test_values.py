#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerRate and PacerTDigest used through the typelib (PyGObject): the boxed
values a bucket is given and reports with.

Prints TAP so meson reads each case."""

import math
import os
import sys

import gi

gi.require_version("Pacer", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import Json, Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402


def test_rate(tap):
    constructors = [
        (Pacer.Rate.new_per_second, 1, "second"),
        (Pacer.Rate.new_per_minute, 60, "minute"),
        (Pacer.Rate.new_per_hour, 3600, "hour"),
        (Pacer.Rate.new_per_day, 86400, "day"),
    ]
    ok = True
    details = []
    for make, seconds, unit in constructors:
        rate = make(90)
        details.append((rate.to_string(), rate.get_calls_per_second(), rate.get_interval()))
        ok = ok and (math.isclose(rate.get_calls_per_second(), 90 / seconds)
                     and math.isclose(rate.get_calls_per_hour(), 90 / seconds * 3600)
                     and math.isclose(rate.get_interval(), seconds / 90)
                     and rate.to_string() == f"90 calls per {unit}")
    tap.check("the four constructors keep their unit", ok, details)

    rate = Pacer.Rate.new_per_minute(90)
    copy = rate.copy()
    tap.check("a copy is equal and a Pacer.Rate", isinstance(copy, Pacer.Rate) and copy.equal(rate)
              and rate.equal(Pacer.Rate.new_per_second(1.5)))

    for make, _, unit in constructors:
        for bad in (0, -1, math.nan, math.inf):
            tap.raises(f"{bad} calls per {unit} raises Pacer.Error.INVALID_ARGUMENT",
                       lambda: make(bad), Pacer.error_quark(), Pacer.Error.INVALID_ARGUMENT)

    parsed = Pacer.Rate.parse("90/min")
    tap.check("parse reads the short form", parsed.equal(rate) and parsed.to_string() == "90 calls per minute",
              parsed.to_string())
    parsed = Pacer.Rate.parse(Pacer.Rate.new_per_day(2.5).to_string())
    tap.check("parse reads what to_string writes", parsed.to_string() == "2.5 calls per day",
              parsed.to_string())
    for bad in ("ten/s", "10/fortnight", "10", "0/s"):
        tap.raises(f"parse of '{bad}' raises Pacer.Error.INVALID_ARGUMENT naming it",
                   lambda: Pacer.Rate.parse(bad), Pacer.error_quark(), Pacer.Error.INVALID_ARGUMENT, bad)


def test_tdigest(tap):
    digest = Pacer.TDigest.new(100)
    for value in range(1, 1001):
        digest.add(value)
    tap.check("a digest counts what it is given",
              digest.get_count() == 1000 and digest.get_min() == 1 and digest.get_max() == 1000
              and digest.get_sum() == 500500 and math.isclose(digest.get_mean(), 500.5)
              and digest.get_compression() == 100)
    median = digest.quantile(0.5)
    p99 = digest.quantile(0.99)
    tap.check("quantiles are close to the exact ones",
              abs(median - 500.5) < 10 and abs(p99 - 990) < 10 and digest.quantile(0) == 1
              and digest.quantile(1) == 1000,
              [median, p99])

    other = Pacer.TDigest.new(100)
    for value in range(1001, 2001):
        other.add_weighted(value, 1)
    merged = digest.copy()
    merged.merge(other)
    tap.check("merge adds another digest, the copy stays apart",
              merged.get_count() == 2000 and digest.get_count() == 1000
              and abs(merged.quantile(0.5) - 1000.5) < 20 and merged.get_max() == 2000,
              [merged.get_count(), merged.quantile(0.5)])

    node = merged.to_json()
    text = Json.to_string(node, False)
    again = Pacer.TDigest.new_from_json(Json.from_string(text))
    tap.check("to_json and new_from_json round-trip through text",
              isinstance(node, Json.Node) and again.get_count() == 2000
              and math.isclose(again.quantile(0.9), merged.quantile(0.9))
              and again.get_min() == 1 and again.get_max() == 2000,
              text[:200])

    tap.raises("new_from_json of a JSON array raises Pacer.Error.CORRUPT_STATE",
               lambda: Pacer.TDigest.new_from_json(Json.from_string("[1, 2]")),
               Pacer.error_quark(), Pacer.Error.CORRUPT_STATE)
    tap.check("an empty digest's quantile is NaN", math.isnan(Pacer.TDigest.new(100).quantile(0.5)))


def main():
    tap = Tap()
    print(f"1..{2 + 16 + 2 + 4 + 6}")
    test_rate(tap)
    test_tdigest(tap)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
