"""The floor: the least a puller can do against the Okta System Log API. Requests and json only.

One ``requests.Session`` (keep-alive), pages of 1,000 with ``since``, then the ``rel="next"`` Link
header until an empty page, every event written to a JSON-lines file. No validation, no
normalisation, no checkpoint, no delivery guarantee: the number every real puller is compared to.

Usage::

    EFW_BENCH_TOKEN=... .venv/bin/python benchmarks/pull_floor.py BASE_URL --ca-file CA --out F.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime, timedelta

import requests


def pull(base_url: str, token: str, ca_file: str | None, out: str, since: datetime) -> int:
    session = requests.Session()
    session.headers.update({"Authorization": f"SSWS {token}", "Accept": "application/json"})
    url: str | None = f"{base_url}/api/v1/logs"
    params: dict[str, str] | None = {
        "since": since.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "limit": "1000",
        "sortOrder": "ASCENDING",
    }
    count = 0
    with open(out, "w", encoding="utf-8") as sink:
        while url:
            started = time.perf_counter()
            response = session.get(url, params=params, timeout=(5, 30), verify=ca_file or True)
            response.raise_for_status()
            fetched = time.perf_counter()
            events = response.json()
            parsed = time.perf_counter()
            SPENT["http"] += fetched - started
            SPENT["parse"] += parsed - fetched
            SPENT["pages"] += 1
            if not events:
                break
            sink.writelines(json.dumps(event) + "\n" for event in events)
            SPENT["write"] += time.perf_counter() - parsed
            count += len(events)
            url, params = response.links.get("next", {}).get("url"), None
    return count


# Where the floor's time goes (seconds, and the number of requests), printed with the result.
SPENT = {"http": 0.0, "parse": 0.0, "write": 0.0, "pages": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--ca-file")
    parser.add_argument("--out", required=True)
    parser.add_argument("--token-env", default="EFW_BENCH_TOKEN")
    args = parser.parse_args()
    started = time.perf_counter()
    since = datetime.now(UTC) - timedelta(hours=1)
    count = pull(args.base_url, os.environ[args.token_env], args.ca_file, args.out, since)
    print(json.dumps({"events": count, "seconds": time.perf_counter() - started, **SPENT}))


if __name__ == "__main__":
    main()
