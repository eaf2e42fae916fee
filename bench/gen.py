"""Build (or find) the cached benchmark store: ``python -m bench.gen --customers N [--as-of D]``."""
from __future__ import annotations

import argparse
import json
import logging
from datetime import date

from bench.common import SEED, build_store

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")  # the demo's per-chunk progress
    path, facts = build_store(args.customers, args.seed, args.as_of)
    print(path)
    print(json.dumps(facts, indent=2))
