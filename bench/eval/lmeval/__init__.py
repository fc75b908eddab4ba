"""Match-quality evaluation of libmatch (make eval, docs/quality.md).

data     -- reference data, the synthetic region and its variants
metrics  -- nDCG@k, precision@k, hit@k, top-k among feasible pairs, greedy assignment
runner   -- the libmatch runs, the baselines, the trade-off curves, report.json
report   -- report.md and the PNG plots
"""
