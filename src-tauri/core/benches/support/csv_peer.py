"""The CSV benchmark's peer: a plain Python loop doing the same inserts into the same tables.

Usage: csv_peer.py FILE.csv SCHEMA.sql DB.sqlite  ->  prints the seconds of the import.
Python's own csv and sqlite3 modules, one transaction, one INSERT per table per row, the
schema Tablemap itself made (its search-index triggers included), no encryption (the standard
sqlite3 module has none) and no duplicate checks: the floor a simple script would reach.
"""
import csv
import re
import sqlite3
import sys
import time
import uuid

path, schema, db = sys.argv[1:4]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.executescript("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
sql = open(schema, encoding="utf-8").read()
if sqlite3.sqlite_version_info < (3, 44):
    # Debian's Python links an older SQLite: without FTS5's contentless_delete (3.43) or
    # concat_ws (3.44). Same work, spelled the old way.
    sql = sql.replace("contentless_delete = 1,", "")
    sql = re.sub(r"concat_ws\(' ', (\w+\.address), (\w+\.postcode)\)",
                 r"trim(coalesce(\1, '') || ' ' || coalesce(\2, ''))", sql)
conn.executescript(sql)

start = time.perf_counter()
now = "2026-12-07T12:00:00.000Z"
with open(path, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    next(rows)
    conn.execute("BEGIN IMMEDIATE")
    for ref, name, street, town, postcode, lat, lon, cuisine, website in rows:
        rid = uuid.uuid4().hex
        conn.execute(
            "INSERT INTO restaurants (id, name, address, postcode, lat, lon, cuisines, languages,"
            " opening_hours, phone, website, source, external_ref, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, '', NULL, NULL, ?, 'csv', ?, ?, ?)",
            (rid, name, f"{street}, {town}", postcode, float(lat), float(lon),
             ";".join(c.strip() for c in cuisine.replace(",", ";").split(";") if c.strip()),
             website or None, ref, now, now),
        )
        conn.execute("INSERT INTO restaurant_status (restaurant_id) VALUES (?)", (rid,))
    conn.execute("COMMIT")
print(f"{time.perf_counter() - start:.3f}")
