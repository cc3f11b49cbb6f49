"""vectorbt's MA-cross parameter sweep, for bar-combinations per second beside our sweep.

Every pair of SMA windows (fast < slow) from --min-window to --max-window (2..31: 435 pairs):
entries where the fast SMA crosses above the slow one, exits where it crosses below, a long-only
portfolio with 0.1% fees per pair, and each pair's total return. Timed from the close prices in
memory to the returns (indicators, signals, portfolio, stats), after one warm-up run that compiles
vectorbt's numba kernels. Prints one JSON object.
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
import vectorbt as vbt


def sweep(close: pd.Series, windows: np.ndarray, fee: float) -> pd.Series:
    fast, slow = vbt.MA.run_combs(close, window=windows, r=2, short_names=["fast", "slow"])
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    portfolio = vbt.Portfolio.from_signals(close, entries, exits, fees=fee, freq="5min")
    return portfolio.total_return()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--min-window", type=int, default=2)
    parser.add_argument("--max-window", type=int, default=31)
    parser.add_argument("--fee", type=float, default=0.001)
    args = parser.parse_args()
    close = pd.read_csv(args.csv, parse_dates=["datetime"], index_col="datetime")["close"]
    windows = np.arange(args.min_window, args.max_window + 1)
    sweep(close, windows, args.fee)
    seconds = []
    returns = None
    for _ in range(args.runs):
        started = time.perf_counter()
        returns = sweep(close, windows, args.fee)
        seconds.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "bars": len(close),
                "combinations": len(returns),
                "best": float(returns.max()),
                "vectorbt": vbt.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
