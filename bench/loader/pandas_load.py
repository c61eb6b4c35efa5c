#!/usr/bin/python3
"""The original system's way of loading a report, timed: pandas read_csv + DataFrame.to_sql.

Run by bench/loader/run.sh with Debian's /usr/bin/python3 (python3-pandas 1.5.3,
python3-sqlalchemy 1.4.46, python3-pymysql 1.0.2):

    pandas_load.py CSV_FILE mysql+pymysql://root@127.0.0.1:PORT/DB [CHUNKSIZE]

Reads the whole file into one DataFrame (what a pandas script over an S3 object body does),
then appends it to a plain table `sales` that to_sql creates from the DataFrame's dtypes
(TEXT/BIGINT/FLOAT columns, no key: the original had no uniqueness either). chunksize=1000
is the value pandas tutorials and the typical "load the report" script use; to_sql's default
method (None) goes through PyMySQL's executemany, which already batches the rows of a chunk
into one multi-row INSERT, so method="multi" would not be faster.

Prints one JSON line: rows, read_seconds, write_seconds, seconds, max_rss_mib.
"""
import json
import resource
import sys
import time

import pandas as pd
import sqlalchemy


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    path, url = sys.argv[1], sys.argv[2]
    chunksize = int(sys.argv[3]) if len(sys.argv) == 4 else 1000
    engine = sqlalchemy.create_engine(url)
    started = time.monotonic()
    frame = pd.read_csv(path)
    read_done = time.monotonic()
    frame.to_sql("sales", engine, if_exists="append", index=False, chunksize=chunksize)
    finished = time.monotonic()
    engine.dispose()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "rows": len(frame),
        "read_seconds": round(read_done - started, 3),
        "write_seconds": round(finished - read_done, 3),
        "seconds": round(finished - started, 3),
        "max_rss_mib": round(max_rss_kib / 1024, 1),
        "chunksize": chunksize,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
