"""The MA/RSI rule of bench/backtest.ts in NautilusTrader, for its bars per second beside ours.

BUY (a market order, 10% of the account's USDT) when SMA(7) crosses above SMA(25) and RSI(14) < 70
with no position; close the position when SMA(7) crosses below SMA(25) or RSI(14) > 80. No signal
acts before bar `--first`. A comparable rule, not a trade-for-trade replica: Nautilus's bar
execution fills a market order within the bar it is sent on, and its RSI is Wilder's without our
0.01 rounding; trades are counted, not compared (Backtrader is the trade-for-trade reference).
`--strategy empty` runs the same engine with a strategy that only receives the bars.

Reads the bars from a CSV (datetime, open, high, low, close, volume); prints one JSON object:
the run times (engine.run() only: bars already loaded, as the data is in Backtrader's preload)
and the trade count.
"""

import argparse
import json
import time
from decimal import Decimal

import pandas as pd
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.indicators import RelativeStrengthIndex, SimpleMovingAverage
from nautilus_trader.model import BarType, Money
from nautilus_trader.model.currencies import BTC, USDT
from nautilus_trader.model.data import Bar
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
from nautilus_trader.model.identifiers import Venue
from nautilus_trader.persistence.wranglers import BarDataWrangler
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy


class RuleConfig(StrategyConfig, frozen=True):
    bar_type: str
    first: int = 0
    size_pct: float = 10.0


class MaRsiRule(Strategy):
    def __init__(self, config: RuleConfig) -> None:
        super().__init__(config)
        self.bar_type = BarType.from_str(config.bar_type)
        self.fast = SimpleMovingAverage(7)
        self.slow = SimpleMovingAverage(25)
        self.rsi = RelativeStrengthIndex(14)
        self.previous_gap = None
        self.count = 0
        self.instrument = None

    def on_start(self) -> None:
        self.instrument = self.cache.instrument(self.bar_type.instrument_id)
        self.register_indicator_for_bars(self.bar_type, self.fast)
        self.register_indicator_for_bars(self.bar_type, self.slow)
        self.register_indicator_for_bars(self.bar_type, self.rsi)
        self.subscribe_bars(self.bar_type)

    def on_bar(self, bar: Bar) -> None:
        self.count += 1
        if not (self.fast.initialized and self.slow.initialized and self.rsi.initialized):
            return
        gap = self.fast.value / self.slow.value - 1
        previous, self.previous_gap = self.previous_gap, gap
        if previous is None or self.count <= self.config.first:
            return
        rsi = self.rsi.value * 100
        flat = self.portfolio.is_flat(self.bar_type.instrument_id)
        if flat and previous <= 0 < gap and rsi < 70:
            cash = float(self.portfolio.account(self.bar_type.instrument_id.venue).balance_free(USDT))
            quantity = round(cash * self.config.size_pct / 100 / float(bar.close), 5)
            if quantity > 0:
                order = self.order_factory.market(
                    instrument_id=self.bar_type.instrument_id,
                    order_side=OrderSide.BUY,
                    quantity=self.instrument.make_qty(quantity),
                )
                self.submit_order(order)
        elif not flat and (previous >= 0 > gap or rsi > 80):
            self.close_all_positions(self.bar_type.instrument_id)


class Empty(Strategy):
    def __init__(self, config: RuleConfig) -> None:
        super().__init__(config)
        self.bar_type = BarType.from_str(config.bar_type)

    def on_start(self) -> None:
        self.subscribe_bars(self.bar_type)

    def on_bar(self, bar: Bar) -> None:
        pass


def run_once(bars_df: pd.DataFrame, args) -> dict:
    engine = BacktestEngine(
        config=BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR", bypass_logging=True))
    )
    venue = Venue("BINANCE")
    engine.add_venue(
        venue=venue,
        oms_type=OmsType.NETTING,
        account_type=AccountType.CASH,
        base_currency=None,
        starting_balances=[Money(args.cash, USDT), Money(0, BTC)],
    )
    instrument = TestInstrumentProvider.btcusdt_binance()
    engine.add_instrument(instrument)
    bar_type = BarType.from_str(f"{instrument.id}-5-MINUTE-LAST-EXTERNAL")
    bars = BarDataWrangler(bar_type, instrument).process(bars_df)
    engine.add_data(bars)
    config = RuleConfig(bar_type=str(bar_type), first=args.first)
    engine.add_strategy(MaRsiRule(config) if args.strategy == "rule" else Empty(config))
    started = time.perf_counter()
    engine.run()
    seconds = time.perf_counter() - started
    # A round trip per filled BUY (NETTING reuses one position id per instrument).
    buys = [o for o in engine.cache.orders_closed() if o.side == OrderSide.BUY and o.is_closed and o.filled_qty > 0]
    result = {"seconds": seconds, "bars": len(bars), "trades": len(buys)}
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cash", type=float, default=10_000)
    parser.add_argument("--strategy", choices=["rule", "empty"], default="rule")
    args = parser.parse_args()
    df = pd.read_csv(args.csv, parse_dates=["datetime"], index_col="datetime")
    df.index = df.index.tz_localize("UTC")
    runs = [run_once(df, args) for _ in range(args.runs)]
    import nautilus_trader

    print(
        json.dumps(
            {
                "seconds": [r["seconds"] for r in runs],
                "bars": runs[0]["bars"],
                "trades": runs[0]["trades"],
                "nautilus": nautilus_trader.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
