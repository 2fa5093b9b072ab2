"""Cross-server checks (compare.sh only): the same request gives the same greedy output on both servers, penalties
and logit_bias included. Reads the two runs' records (API_RECORD of each) from API_COMPARE="a.json,b.json"; each
recorded output is one check. Outside compare mode every check here is skipped."""
import json
import os

import pytest

PAIR = os.environ.get("API_COMPARE")


def _records():
    if not PAIR:
        return None, None, []
    a, b = (json.load(open(p, encoding="utf-8")) for p in PAIR.split(","))
    return a, b, sorted(set(a["outputs"]) | set(b["outputs"]))


A, B, KEYS = _records()


@pytest.mark.skipif(not PAIR, reason="compare mode only (conformance/api/compare.sh)")
@pytest.mark.parametrize("key", KEYS or ["-"])
def test_same_greedy_output_on_both_servers(key):
    left, right = A["outputs"].get(key), B["outputs"].get(key)
    assert left is not None, f"{A['server']} did not record {key!r} (its check failed or was skipped)"
    assert right is not None, f"{B['server']} did not record {key!r} (its check failed or was skipped)"
    assert left == right
