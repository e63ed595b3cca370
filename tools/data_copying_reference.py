#!/usr/bin/python3
"""Independent numbers for tests/metrics/test_data_copying.cpp: the data-copying test C_T of Meehan
et al. (2020) on the fixed data set that the test builds, computed with SciPy's Mann-Whitney U and a
brute-force nearest-neighbour search (cells known by construction: the clusters are far apart).

Usage: /usr/bin/python3 tools/data_copying_reference.py   (needs python3-numpy and python3-scipy)
"""
import numpy as np
from scipy.stats import mannwhitneyu

DIMS, CELLS = 3, 3


def value(i, d, c, salt):
    return np.sin(1.3 * i + 0.7 * d + 2.1 * c + salt)


def centre(c):
    return np.array([10.0 * c, -5.0 * c, 3.0 * c])


def points(count, c, salt, scale=1.0, around=None):
    rows = []
    for i in range(count):
        base = centre(c) if around is None else around[i]
        rows.append([base[d] + scale * value(i, d, c, salt) for d in range(DIMS)])
    return np.array(rows)


def data():
    train = [points(30, c, 0.0) for c in range(CELLS)]
    test = [points(12, c, 0.5) for c in range(CELLS)]
    generated = [points(25, 0, 0.8), points(25, 1, 0.75, 0.01, around=train[1]), points(5, 2, 1.5)]
    return train, test, generated


def nearest(queries, references):
    d = np.sqrt(((queries[:, None, :] - references[None, :, :]) ** 2).sum(-1))
    return d.min(axis=1)


def main():
    train, test, generated = data()
    n = sum(len(t) for t in test)
    m = sum(len(g) for g in generated)
    tau = 20.0 / m
    weighted = weight = 0.0
    for c in range(CELLS):
        lq, lp = nearest(generated[c], train[c]), nearest(test[c], train[c])
        u = mannwhitneyu(lq, lp, alternative="less").statistic
        nc, mc = len(lp), len(lq)
        z = (u - (nc * mc / 2 - 0.5)) / np.sqrt(nc * mc * (nc + mc + 1) / 12)
        used = mc / m > tau
        print(f"cell {c}: U {u:.17g} Z {z:.17g} used {used}")
        if used:
            weighted += nc / n * z
            weight += nc / n
    print(f"C_T {weighted / weight:.17g}")
    # The hand case of mann_whitney_z.
    u = mannwhitneyu([1.0, 2.0, 3.0], [2.0, 4.0], alternative="less").statistic
    print(f"hand U {u:.17g} Z {(u - (3 * 2 / 2 - 0.5)) / np.sqrt(3 * 2 * 6 / 12):.17g}")


if __name__ == "__main__":
    main()
