"""Fixtures of the API conformance suite: which server, which model, the official clients, and a record of greedy
outputs for the cross-server checks (compare.sh).

Environment:
  API_BASE_URL  the server, e.g. http://127.0.0.1:8080 (required)
  API_MODEL     the model name requests carry (kotune: the model id; vLLM: the checkpoint directory)
  API_SERVER    a label for reports: kotune or vllm (default kotune)
  API_RECORD    optional path: greedy outputs of this run are written there as JSON (compare.sh compares two runs)
"""
import json
import os

import httpx2 as httpx  # the HTTP client openai 3 and huggingface_hub 2 use
import openai
import pytest

BASE = os.environ.get("API_BASE_URL", "").rstrip("/")
MODEL = os.environ.get("API_MODEL", "")
SERVER = os.environ.get("API_SERVER", "kotune")
RECORD = os.environ.get("API_RECORD")
_recorded = {}


def pytest_configure(config):
    if not BASE or not MODEL:
        raise pytest.UsageError("set API_BASE_URL and API_MODEL (see conformance/api/README.md)")


def pytest_sessionfinish(session, exitstatus):
    if RECORD:
        with open(RECORD, "w", encoding="utf-8") as f:
            json.dump({"server": SERVER, "outputs": _recorded}, f, ensure_ascii=False, indent=1, sort_keys=True)


@pytest.fixture(scope="session")
def base_url():
    return BASE


@pytest.fixture(scope="session")
def model():
    return MODEL


@pytest.fixture(scope="session")
def client():
    return openai.OpenAI(base_url=BASE + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="session")
def http():
    with httpx.Client(base_url=BASE, timeout=120) as c:
        yield c


@pytest.fixture
def record():
    """record(key, value): keeps a greedy output for the cross-server comparison."""

    def put(key, value):
        _recorded[key] = value

    return put
