"""LightGBM on the features, folds and settings bench/ml-gbdt.ts wrote, for the side-by-side.

Usage: lightgbm_gbdt.py <dir>   (reads <dir>/spec.json and <dir>/fold<k>-train.csv, fold<k>-test.csv;
the CSVs' last two columns are the class and the row's weight)
Prints one JSON object: per fold and config, fit seconds, batch prediction seconds (best of 3),
single-row latencies, the trees grown and the test rows' class probabilities.
"""
import json
import sys
import time

import lightgbm as lgb
import numpy as np


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return data[:, :-2], data[:, -2].astype(int), data[:, -1]


def latencies(booster, X, n=300):
    out = []
    for row in X[:n]:
        one = row.reshape(1, -1)
        started = time.perf_counter_ns()
        booster.predict(one, num_threads=1)
        out.append((time.perf_counter_ns() - started) / 1e3)
    return out


def main():
    folder = sys.argv[1]
    spec = json.load(open(f"{folder}/spec.json"))
    result = {"lightgbm": lgb.__version__, "numpy": np.__version__, "runs": []}
    for fold in range(spec["folds"]):
        X, y, w = load(f"{folder}/fold{fold}-train.csv")
        Xt, _, _ = load(f"{folder}/fold{fold}-test.csv")
        for config in spec["configs"]:
            params = dict(config["params"])
            started = time.perf_counter()
            # Dataset construction (binning) is lazy and happens inside train: timed, as ours bins inside train.
            data = lgb.Dataset(X, label=y, weight=w if config["weighted"] else None)
            booster = lgb.train(params, data, num_boost_round=config["rounds"])
            fit = time.perf_counter() - started
            batch = []
            for _ in range(3):
                started = time.perf_counter()
                probabilities = booster.predict(Xt, num_threads=1)
                batch.append(time.perf_counter() - started)
            leaves = sum(t["num_leaves"] for t in booster.dump_model()["tree_info"])
            result["runs"].append(
                {
                    "fold": fold,
                    "config": config["name"],
                    "fitSeconds": fit,
                    "predictSeconds": min(batch),
                    "latencyUs": latencies(booster, Xt),
                    "trees": booster.num_trees(),
                    "leaves": leaves,
                    "probabilities": probabilities.tolist(),
                }
            )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
