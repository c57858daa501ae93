#!/usr/bin/python3
"""Recency, frequency and monetary value per customer of the UCI Online
Retail data, computed with pandas from the raw CSV: an independent check of
persona's features (examples/online-retail/persona.yaml).

Usage: /usr/bin/python3 scripts/peer/rfm_pandas.py online_retail.csv.gz [out.csv]

The definitions are persona's (docs/features.md, README "Your own data"):
- rows without CustomerID are skipped (the config's filter);
- a line is a return when InvoiceNo starts with C or Quantity < 0: its
  quantity becomes -|Quantity| and its price |UnitPrice|;
- rows equal in every column of the file (Description and Country
  included) are counted once;
- as_of is the latest InvoiceDate left; the window starts at the earliest;
- an order is an invoice with at least one line of positive quantity; its
  time is its earliest line's;
- recency_days = (as_of - the last order's time) in days (fractional); a
  customer without orders gets the window's length;
- frequency = number of orders;
- monetary = sum of quantity * price over all lines, returns included.
"""
import sys

import numpy as np
import pandas as pd


def rfm(path):
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "Description": str, "Country": str},
                     parse_dates=["InvoiceDate"])
    df = df[df["CustomerID"].notna()].drop_duplicates().copy()
    df["user_id"] = df["CustomerID"].astype("int64").astype(str)
    ret = df["InvoiceNo"].str.startswith("C") | (df["Quantity"] < 0)
    df["q"] = np.where(ret, -df["Quantity"].abs(), df["Quantity"]).astype(float)
    df["p"] = df["UnitPrice"].abs()
    as_of = df["InvoiceDate"].max()
    start = df["InvoiceDate"].min()
    cap = max((as_of - start).total_seconds() / 86400.0, 1.0)

    df["value"] = df["q"] * df["p"]
    monetary = df.groupby("user_id")["value"].sum()
    bought = df[df["q"] > 0]
    orders = bought.groupby(["user_id", "InvoiceNo"])["InvoiceDate"].min().reset_index()
    frequency = orders.groupby("user_id")["InvoiceNo"].count()
    last = orders.groupby("user_id")["InvoiceDate"].max()

    out = pd.DataFrame(index=monetary.index)
    out["recency_days"] = ((as_of - last).dt.total_seconds() / 86400.0).reindex(out.index).fillna(cap)
    out["frequency"] = frequency.reindex(out.index).fillna(0).astype(int)
    out["monetary"] = monetary
    return out.sort_index()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = rfm(sys.argv[1])
    dest = sys.argv[2] if len(sys.argv) == 3 else sys.stdout
    out.to_csv(dest, index_label="user_id", float_format="%.17g")


if __name__ == "__main__":
    main()
