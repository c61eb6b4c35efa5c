#!/usr/bin/env python3
"""RFC 4180 reading for the e2e tests (the rejects CSV has quoted cells with newlines).

  csv_tool.py reasons FILE        -> {"reason": count, ...} as compact JSON, keys sorted
  csv_tool.py column NAME FILE    -> the column's cells, one per line
"""
import collections
import csv
import json
import sys


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ["line", "column", "reason", "message", "raw"]:
            sys.exit(f"unexpected rejects header: {reader.fieldnames}")
        yield from reader


def main(argv):
    if len(argv) == 3 and argv[1] == "reasons":
        counts = collections.Counter(row["reason"] for row in rows(argv[2]))
        print(json.dumps(counts, sort_keys=True, separators=(",", ":")))
    elif len(argv) == 4 and argv[1] == "column":
        for row in rows(argv[3]):
            print(row[argv[2]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
