"""Analytics: affective-instability indices, multilevel AR(1), early-warning trends and
"what helps me" — a pure-Python engine (no Django imports) that runs on Polars or PySpark."""
