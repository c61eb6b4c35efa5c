#!/usr/bin/env python3
"""Writes a report whose text cells are hostile but valid, plus what the warehouse must hold.

  hostile_report.py OUT.csv EXPECTED.tsv

OUT.csv: RFC 4180 CSV (CRLF rows, quotes doubled) with one good line per hostile product
name (quantity 1, unit_price 1.00), then bad lines (quantity "abc") whose raw text is hostile
too. EXPECTED.tsv: per good line `order_id<TAB>hex(product_name)<TAB>hex(category)`, sorted by
order_id, as `SELECT order_id, HEX(product_name), HEX(category) ... ORDER BY order_id` prints
it. Prints the number of good lines and bad lines.
"""
import csv
import sys

NAMES = [
    "'); DROP TABLE sales; --",
    'He said "hi", twice',
    "Tab\there",
    "C:\\new\\table\\\\x",
    "\\N",
    "NULL",
    "Ünïcødé 日本語 🎉 𝄞",
    "Line1\r\nLine2\nLine3",
    '=HYPERLINK("http://evil.example","x")',
    "+1 Gadget; -2 Widget @home",
    "<script>alert(1)</script>",
    "semi;colon|pipe,comma",
    "' OR '1'='1",
    "`backtick` $(rm -rf /) ${HOME}",
]
CATEGORY = "Toys, Kids & Baby É"
HEADER = ["order_id", "line_no", "order_date", "customer_id", "sku", "product_name",
          "category", "quantity", "unit_price", "discount", "currency"]


def main(out_path, expected_path):
    good = []
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(HEADER)
        for i, name in enumerate(NAMES, start=1):
            order_id = f"H-{i:03d}"
            w.writerow([order_id, 1, "2026-05-04", f"C{i:08d}", f"SKU-{i}", name, CATEGORY,
                        1, "1.00", "0", "USD"])
            good.append((order_id, name))
        # Bad lines: the reject's raw text must come back verbatim (formula cells neutralised).
        w.writerow(["=1+2", 1, "2026-05-04", "C1", "SKU-X", "'); DROP TABLE sales; --",
                    CATEGORY, "abc", "1.00", "0", "USD"])
        w.writerow(["H-BAD-2", 1, "2026-05-04", "C1", "SKU-Y", 'quote " and \\N',
                    CATEGORY, "abc", "1.00", "0", "USD"])
    with open(expected_path, "w", encoding="utf-8") as f:
        for order_id, name in sorted(good):
            f.write(f"{order_id}\t{name.encode().hex().upper()}\t"
                    f"{CATEGORY.encode().hex().upper()}\n")
    print(len(good), 2)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
