"""Writes N synthetic rows in the JCC vessel-movements CSV format (header + rows).

Realistic shape: about 12 % of voyages have extra cargo lines ("Outbound +"),
tonnages with thousands separators, IMO numbers with valid check digits,
the real ports, commodities and destinations. Deterministic (seeded).
Usage: python3 gen.py N OUT.csv
"""
import csv
import random
import sys

PORTS = ["Odesa", "Chornomorsk", "Yuzhny/Pivdennyi"]
COMMODITIES = ["Corn", "Wheat", "Sunflower oil", "Sunflower meal", "Barley", "Soya beans", "Rapeseed", "Peas"]
DEST = [
    ("Spain", "high-income", "Europe & Central Asia", "Western Europe and Others", "developed"),
    ("China", "upper-middle-income", "East Asia & Pacific", "Asia-Pacific", "developing"),
    ("Türkiye", "upper-middle-income", "Europe & Central Asia", "Asia-Pacific", "developing"),
    ("Egypt", "lower-middle income", "Middle East & North Africa", "Africa", "developing"),
    ("Yemen", "low-income", "Middle East & North Africa", "Asia-Pacific", "developing"),
    ("Kenya", "lower-middle income", "Sub-Saharan Africa", "Africa", "developing"),
]
FLAGS = ["Panama", "Liberia", "Malta", "Marshall Islands", "Türkiye"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def imo(first_six):
    s = sum(int(d) * w for d, w in zip(str(first_six), range(7, 1, -1)))
    return first_six * 10 + s % 10


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    fleet = [(f"SHIP {i}", imo(rng.randrange(100000, 999999))) for i in range(5000)]
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Status", "#", "Vessel name", "IMO", "Departure port", "Country", "Commodity", "Metric tons",
                    "Departure date", "Inspection cleared", "Income group", "Flag", "World Bank region", "UN region",
                    "Development category", "WFP"])
        rows, seq = 0, 0
        while rows < n:
            seq += 1
            name, number = rng.choice(fleet)
            port, flag = rng.choice(PORTS), rng.choice(FLAGS)
            y, m, d = 2022 + rng.randrange(2), rng.randrange(12), 1 + rng.randrange(28)
            dep = f"{d}-{MONTHS[m]}-{y}"
            insp = f"{min(d + 3, 28)}-{MONTHS[m]}-{y}" if rng.random() < 0.9 else ""
            for line in range(1 + (rng.random() < 0.12) * rng.randrange(1, 3)):
                if rows >= n:
                    break
                c = rng.choice(DEST)
                w.writerow(["Outbound" if line == 0 else "Outbound +", seq, name, number, port, c[0],
                            rng.choice(COMMODITIES), f"{rng.randrange(1000, 70000):,}", dep, insp, c[1], flag, c[2],
                            c[3], c[4], "WFP" if rng.random() < 0.02 else ""])
                rows += 1


main()
