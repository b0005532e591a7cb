"""Early warning: country-year risk panels, forecasting models, backtests, metrics and drivers.

Modules: ``panel`` (load a panel described by a spec), ``models`` (scikit-learn estimators),
``backtest`` (EWP and rolling-origin protocols, latest forecasts), ``metrics``, ``explain``.
"""
