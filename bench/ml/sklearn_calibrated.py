"""scikit-learn's calibrated classifiers on the folds bench/ml.ts wrote, for the calibration side by side.

Usage: sklearn_calibrated.py <dir>   (reads <dir>/rows.csv and <dir>/folds.json)
Each fold gives the rows a model is fitted on, the later rows it is calibrated on (the same split as
ours: the latest 20% of the fold's training rows, purged) and the test rows. Each classifier, with
class_weight="balanced" as ours, is fitted once per fold, then wrapped in CalibratedClassifierCV on a
FrozenEstimator (calibration only, on the calibration rows) with method isotonic and sigmoid (Platt).
Prints one JSON object: per labels, fold, model and method, the class chosen and its probability
(the confidence) for every test row.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC


def models():
    return {
        "random_forest": lambda: RandomForestClassifier(
            n_estimators=100,
            max_depth=10,
            min_samples_leaf=20,
            max_features=0.33,
            max_samples=0.5,
            class_weight="balanced",
            random_state=7,
            n_jobs=1,
        ),
        "logistic_regression": lambda: make_pipeline(
            StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000)
        ),
        "svm": lambda: make_pipeline(StandardScaler(), LinearSVC(class_weight="balanced", C=1.0)),
    }


def chosen(proba, classes):
    k = proba.argmax(axis=1)
    return classes[k].astype(int).tolist(), proba[np.arange(len(k)), k].tolist()


def main():
    folder = sys.argv[1]
    data = np.loadtxt(f"{folder}/rows.csv", delimiter=",", skiprows=1)
    folds = json.load(open(f"{folder}/folds.json"))
    X = data[:, :-2]
    labels = {"band": data[:, -2].astype(int), "barrier": data[:, -1].astype(int)}
    out = {"sklearn": sklearn.__version__, "runs": [], "skipped": []}
    for name, y in labels.items():
        for f, fold in enumerate(folds):
            fit, cal, test = (np.array(fold[k], dtype=int) for k in ("fit", "calibration", "test"))
            for model_name, make in models().items():
                run = {"labels": name, "fold": f, "model": model_name}
                try:
                    model = make()
                    started = time.perf_counter()
                    model.fit(X[fit], y[fit])
                    run["fitSeconds"] = time.perf_counter() - started
                    if hasattr(model, "predict_proba"):
                        run["raw"] = chosen(model.predict_proba(X[test]), model.classes_)
                    for method in ("isotonic", "sigmoid"):
                        calibrated = CalibratedClassifierCV(FrozenEstimator(model), method=method)
                        calibrated.fit(X[cal], y[cal])
                        run[method] = chosen(calibrated.predict_proba(X[test]), calibrated.classes_)
                except (ValueError, IndexError) as error:
                    # One class only in the fitting rows, or a class of the model absent from the
                    # calibration rows: scikit-learn refuses (ours falls back to the pooled map). The
                    # fold is left out and named in the results.
                    out["skipped"].append({"labels": name, "fold": f, "model": model_name, "error": str(error)})
                    continue
                out["runs"].append(run)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
