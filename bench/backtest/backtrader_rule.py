"""The MA/RSI rule of bench/backtest.ts, in Backtrader, on the same bars and with the same rules.

BUY when SMA(7) crosses above SMA(25) and RSI(14) < 70; SELL (close the position) when SMA(7)
crosses below SMA(25) or RSI(14) > 80. Entries are bracket orders: a market buy filled at the next
bar's open, with a stop at close * 0.98 and a limit at close * 1.05 as its children (OCO). Sized
as our decision engine sizes: 10% of the portfolio value, capped at 25% and by the cash less the
fee, rounded down to 1e-6, nothing under 10 USDT. 0.1% commission. No signal acts before bar
`--first` (the first bar our signals processor emits a signal for: the features' warm-up).

Reads the bars from a CSV (open_time ms, open, high, low, close, volume); prints one JSON object:
the run times and the trades.
"""

import argparse
import calendar
import json
import math
import time
from datetime import datetime, timezone

import backtrader as bt


class ChildrenAtFillBroker(bt.brokers.BackBroker):
    """Backtrader's broker, but a bracket's stop and limit go live on the bar its parent fills.

    BackBroker queues them to be activated at the start of the next bar, so a position cannot be
    stopped out on the bar it was opened on. Our exchange checks the levels on that bar too. With
    this broker the children are activated at once, and being behind the parent in the pending queue,
    they are tried against the same bar, stop before limit.
    """

    def _bracketize(self, order, cancel=False):
        super()._bracketize(order, cancel)
        while self._toactivate:
            self._toactivate.popleft().activate()


def ms_of(dt):
    return calendar.timegm(dt.timetuple()) * 1000 + dt.microsecond // 1000


class MaRsiRule(bt.Strategy):
    params = dict(
        first=0,
        size_pct=10.0,
        max_pct=25.0,
        step=1e-6,
        fee=0.001,
        stop_loss_pct=-2.0,
        take_profit_pct=5.0,
        min_value=10.0,
        buy_rsi_below=70.0,
        sell_rsi_above=80.0,
    )

    def __init__(self):
        sma7 = bt.ind.SMA(self.data.close, period=7)
        sma25 = bt.ind.SMA(self.data.close, period=25)
        self.cross = bt.ind.CrossOver(sma7, sma25)
        self.rsi = bt.ind.RSI(self.data.close, period=14)
        self.bracket = []
        self.closing = None
        self.trades = []
        self.open_trade = None

    def next(self):
        if len(self) - 1 < self.p.first:
            return
        rsi = self.rsi[0]
        cross = self.cross[0]
        buy = cross > 0 and rsi < self.p.buy_rsi_below
        sell = cross < 0 or rsi > self.p.sell_rsi_above
        if self.position:
            if sell and self.closing is None:
                for order in self.bracket[1:]:
                    self.cancel(order)
                self.closing = self.close()
            return
        if not buy or self.bracket:
            return
        close = self.data.close[0]
        value = self.broker.getvalue()
        cash = self.broker.getcash()
        notional = min(
            value * self.p.size_pct / 100,
            value * self.p.max_pct / 100,
            max(0.0, cash - 1e-8) / (1 + self.p.fee),
        )
        size = round(math.floor(notional / close / self.p.step) * self.p.step, 6)
        if size <= 0 or size * close < self.p.min_value:
            return
        self.bracket = self.buy_bracket(
            size=size,
            exectype=bt.Order.Market,
            stopprice=close * (1 + self.p.stop_loss_pct / 100),
            limitprice=close * (1 + self.p.take_profit_pct / 100),
        )

    def notify_order(self, order):
        if order.status != order.Completed:
            if order.status in (order.Canceled, order.Margin, order.Rejected, order.Expired):
                # Notifications carry clones of the orders: compare references.
                if self.bracket and order.ref == self.bracket[0].ref:
                    self.bracket = []
            return
        when = ms_of(self.data.datetime.datetime(0))
        if order.isbuy():
            self.open_trade = dict(
                entry_time=when,
                entry_price=order.executed.price,
                quantity=order.executed.size,
                entry_fee=order.executed.comm,
            )
            return
        if self.closing is not None and order.ref == self.closing.ref:
            reason = 'SELL_SIGNAL'
        elif order.exectype == bt.Order.Stop:
            reason = 'STOP_LOSS'
        else:
            reason = 'TAKE_PROFIT'
        trade = self.open_trade or {}
        trade.update(exit_time=when, exit_price=order.executed.price, exit_fee=order.executed.comm, reason=reason)
        trade['pnl'] = (
            trade['quantity'] * (trade['exit_price'] - trade['entry_price']) - trade['entry_fee'] - trade['exit_fee']
        )
        self.trades.append(trade)
        self.open_trade = None
        self.bracket = []
        self.closing = None


def run(args):
    cerebro = bt.Cerebro(stdstats=False)
    if args.children_at_fill:
        cerebro.broker = ChildrenAtFillBroker()
    data = bt.feeds.GenericCSVData(
        dataname=args.csv,
        dtformat='%Y-%m-%d %H:%M:%S',
        timeframe=bt.TimeFrame.Minutes,
        compression=args.interval_minutes,
        datetime=0,
        open=1,
        high=2,
        low=3,
        close=4,
        volume=5,
        openinterest=-1,
        headers=True,
    )
    cerebro.adddata(data)
    cerebro.broker.setcash(args.cash)
    cerebro.broker.setcommission(commission=args.fee)
    cerebro.addstrategy(
        MaRsiRule,
        first=args.first,
        size_pct=args.size_pct,
        max_pct=args.max_pct,
        step=args.step,
        fee=args.fee,
        stop_loss_pct=args.stop_loss_pct,
        take_profit_pct=args.take_profit_pct,
        min_value=args.min_value,
    )
    started = time.perf_counter()
    strategy = cerebro.run()[0]
    seconds = time.perf_counter() - started
    return seconds, strategy, cerebro.broker.getvalue(), cerebro.broker.getcash()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--csv', required=True)
    parser.add_argument('--first', type=int, required=True)
    parser.add_argument('--interval-minutes', type=int, default=5)
    parser.add_argument('--cash', type=float, default=10_000)
    parser.add_argument('--fee', type=float, default=0.001)
    parser.add_argument('--size-pct', type=float, default=10)
    parser.add_argument('--max-pct', type=float, default=25)
    parser.add_argument('--step', type=float, default=1e-6)
    parser.add_argument('--stop-loss-pct', type=float, default=-2)
    parser.add_argument('--take-profit-pct', type=float, default=5)
    parser.add_argument('--min-value', type=float, default=10)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--children-at-fill', action='store_true')
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        seconds, strategy, value, cash = run(args)
        times.append(seconds)
    print(
        json.dumps(
            dict(
                seconds=times,
                bars=len(strategy.data),
                trades=strategy.trades,
                final_value=value,
                final_cash=cash,
                backtrader=bt.__version__,
            )
        )
    )


if __name__ == '__main__':
    main()
