// SPDX-License-Identifier: LGPL-2.1-or-later
// PacerRate and PacerTDigest used through the typelib from GJS: the boxed
// values a bucket is given and reports with.

import Json from 'gi://Json';
import Pacer from 'gi://Pacer';
import System from 'system';

import {Tap} from './tap.js';

const PACER_ERROR = Pacer.error_quark();

function close(a, b, epsilon = 1e-9) {
    return Math.abs(a - b) <= epsilon * Math.max(1, Math.abs(a), Math.abs(b));
}

function testRate(tap) {
    const constructors = [
        [Pacer.Rate.new_per_second, 1, 'second'],
        [Pacer.Rate.new_per_minute, 60, 'minute'],
        [Pacer.Rate.new_per_hour, 3600, 'hour'],
        [Pacer.Rate.new_per_day, 86400, 'day'],
    ];
    let ok = true;
    const details = [];
    for (const [make, seconds, unit] of constructors) {
        const rate = make(90);
        details.push([rate.to_string(), rate.get_calls_per_second(), rate.get_interval()]);
        ok &&= close(rate.get_calls_per_second(), 90 / seconds) &&
            close(rate.get_calls_per_hour(), 90 / seconds * 3600) &&
            close(rate.get_interval(), seconds / 90) &&
            rate.to_string() === `90 calls per ${unit}`;
    }
    tap.check('the four constructors keep their unit', ok, details);

    const rate = Pacer.Rate.new_per_minute(90);
    const copy = rate.copy();
    tap.check('a copy is equal and a Pacer.Rate',
        copy instanceof Pacer.Rate && copy.equal(rate) && rate.equal(Pacer.Rate.new_per_second(1.5)));

    for (const [make, , unit] of constructors) {
        for (const bad of [0, -1, NaN, Infinity]) {
            tap.throws(`${bad} calls per ${unit} throws Pacer.Error.INVALID_ARGUMENT`,
                () => make(bad), PACER_ERROR, Pacer.Error.INVALID_ARGUMENT);
        }
    }

    let parsed = Pacer.Rate.parse('90/min');
    tap.check('parse reads the short form', parsed.equal(rate) && parsed.to_string() === '90 calls per minute',
        parsed.to_string());
    parsed = Pacer.Rate.parse(Pacer.Rate.new_per_day(2.5).to_string());
    tap.check('parse reads what to_string writes', parsed.to_string() === '2.5 calls per day',
        parsed.to_string());
    for (const bad of ['ten/s', '10/fortnight', '10', '0/s']) {
        tap.throws(`parse of '${bad}' throws Pacer.Error.INVALID_ARGUMENT naming it`,
            () => Pacer.Rate.parse(bad), PACER_ERROR, Pacer.Error.INVALID_ARGUMENT, bad);
    }
}

function testTDigest(tap) {
    const digest = Pacer.TDigest.new(100);
    for (let value = 1; value <= 1000; value++)
        digest.add(value);
    tap.check('a digest counts what it is given',
        digest.get_count() === 1000 && digest.get_min() === 1 && digest.get_max() === 1000 &&
        digest.get_sum() === 500500 && close(digest.get_mean(), 500.5) && digest.get_compression() === 100);
    const median = digest.quantile(0.5);
    const p99 = digest.quantile(0.99);
    tap.check('quantiles are close to the exact ones',
        Math.abs(median - 500.5) < 10 && Math.abs(p99 - 990) < 10 &&
        digest.quantile(0) === 1 && digest.quantile(1) === 1000,
        [median, p99]);

    const other = Pacer.TDigest.new(100);
    for (let value = 1001; value <= 2000; value++)
        other.add_weighted(value, 1);
    const merged = digest.copy();
    merged.merge(other);
    tap.check('merge adds another digest, the copy stays apart',
        merged.get_count() === 2000 && digest.get_count() === 1000 &&
        Math.abs(merged.quantile(0.5) - 1000.5) < 20 && merged.get_max() === 2000,
        [merged.get_count(), merged.quantile(0.5)]);

    const node = merged.to_json();
    const text = Json.to_string(node, false);
    const again = Pacer.TDigest.new_from_json(Json.from_string(text));
    tap.check('to_json and new_from_json round-trip through text',
        node instanceof Json.Node && again.get_count() === 2000 &&
        close(again.quantile(0.9), merged.quantile(0.9)) && again.get_min() === 1 && again.get_max() === 2000,
        text.slice(0, 200));

    tap.throws('new_from_json of a JSON array throws Pacer.Error.CORRUPT_STATE',
        () => Pacer.TDigest.new_from_json(Json.from_string('[1, 2]')), PACER_ERROR, Pacer.Error.CORRUPT_STATE);
    tap.check("an empty digest's quantile is NaN", Number.isNaN(Pacer.TDigest.new(100).quantile(0.5)));
}

const tap = new Tap(2 + 16 + 2 + 4 + 6);
testRate(tap);
testTDigest(tap);
System.exit(tap.exitCode);
