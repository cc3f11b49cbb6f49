"""scikit-learn's RandomForest on the features and split bench/ml.ts wrote, for the side-by-side.

Usage: sklearn_forest.py <dir> <configs.json>   (reads <dir>/train.csv and <dir>/test.csv)
Prints one JSON object: per config and task, fit seconds, per-prediction latencies and predictions.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-2], data[:, -2], data[:, -1].astype(int)


def latencies(model, X, n=300):
    out = []
    for row in X[:n]:
        one = row.reshape(1, -1)
        started = time.perf_counter_ns()
        model.predict(one)
        out.append((time.perf_counter_ns() - started) / 1e3)
    return out


def main():
    folder, configs_path = sys.argv[1], sys.argv[2]
    X, y_reg, y_cls = load(f"{folder}/train.csv")
    Xt, _, _ = load(f"{folder}/test.csv")
    configs = json.load(open(configs_path))
    result = {"sklearn": sklearn.__version__, "numpy": np.__version__, "runs": []}
    for config in configs:
        for task in ("regression", "classification"):
            params = dict(config[task])
            # JSON has no float 1.0: a share of the features must not become "one feature".
            if isinstance(params.get("max_features"), (int, float)):
                params["max_features"] = float(params["max_features"])
            Model = RandomForestRegressor if task == "regression" else RandomForestClassifier
            model = Model(random_state=7, **params)
            started = time.perf_counter()
            model.fit(X, y_reg if task == "regression" else y_cls)
            fit = time.perf_counter() - started
            started = time.perf_counter()
            predictions = model.predict(Xt)
            batch = time.perf_counter() - started
            model.set_params(n_jobs=1)
            result["runs"].append(
                {
                    "config": config["name"],
                    "task": task,
                    "params": params,
                    "fitSeconds": fit,
                    "batchPredictUsPerRow": batch / len(Xt) * 1e6,
                    "latencyUs": latencies(model, Xt),
                    "predictions": predictions.tolist(),
                }
            )
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
