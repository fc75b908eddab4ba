"""Ranking metrics with binary relevance, top-k among feasible pairs, and
the greedy assignment baseline. Pure numpy; no libmatch.

A ranking is a (queries x k) int array of item indices, best first, padded
with -1 where a query has fewer than k feasible items. Relevance is a
(queries x items) bool matrix already restricted to the feasible pairs.
"""
from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

K = 10


def discounts(k: int = K) -> np.ndarray:
    """1 / log2(rank + 1) for ranks 1..k."""
    return 1.0 / np.log2(np.arange(2, k + 2))


def per_query(top: np.ndarray, rel: np.ndarray, k: int = K) -> Dict[str, np.ndarray]:
    """nDCG@k, precision@k and hit@k per query, plus n_rel (relevant feasible
    items of the query). Queries with n_rel = 0 get NaN (undefined: no ranking
    can find anything) and are left out of the means.

    nDCG@k = DCG / ideal DCG with gain 1 for a relevant item at rank r, discount
    1/log2(r+1); the ideal puts min(k, n_rel) relevant items first.
    precision@k = relevant items in the top k / k; hit@k = 1 if any."""
    top = np.asarray(top)[:, :k]
    q = top.shape[0]
    if top.shape[1] < k:
        top = np.concatenate([top, -np.ones((q, k - top.shape[1]), dtype=top.dtype)], axis=1)
    valid = top >= 0
    hits = np.zeros(top.shape, dtype=bool)
    rows = np.repeat(np.arange(q), k).reshape(q, k)
    hits[valid] = rel[rows[valid], top[valid]]
    d = discounts(k)
    n_rel = rel.sum(axis=1)
    ideal = np.concatenate([[0.0], np.cumsum(d)])[np.minimum(n_rel, k)]
    dcg = (hits * d).sum(axis=1)
    has = n_rel > 0
    nan = np.full(q, np.nan)
    return {
        "ndcg": np.where(has, dcg / np.where(has, ideal, 1.0), nan),
        "precision": np.where(has, hits.sum(axis=1) / k, nan),
        "hit": np.where(has, hits.any(axis=1).astype(float), nan),
        "n_rel": n_rel,
    }


def summary(top: np.ndarray, rel: np.ndarray, k: int = K) -> Dict[str, float]:
    """Means over the queries with at least one relevant feasible item."""
    p = per_query(top, rel, k)
    has = p["n_rel"] > 0
    out = {f"{nm}@{k}": (float(np.mean(p[nm][has])) if has.any() else None)
           for nm in ("ndcg", "precision", "hit")}
    # standard error of the mean nDCG over the queries (how far another draw of
    # vacancies from the same region could move it)
    out[f"ndcg@{k}_se"] = (float(np.std(p["ndcg"][has], ddof=1) / np.sqrt(has.sum())) if has.sum() > 1 else None)
    out["queries"] = int(has.sum())
    out["queries_total"] = int(len(has))
    return out


def topk(score: np.ndarray, feasible: np.ndarray, k: int = K) -> np.ndarray:
    """Indices of the k best feasible items per row (highest score first, ties
    by the lower index, as libmatch breaks ties by the lower id), -1 padded."""
    s = np.where(feasible, score, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    ok = np.take_along_axis(feasible, order, axis=1)
    out = np.where(ok, order, -1)
    if out.shape[1] < k:   # fewer items than k
        out = np.concatenate([out, -np.ones((out.shape[0], k - out.shape[1]), dtype=out.dtype)], axis=1)
    return out


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(rows of b) x (rows of a) cosine matrix; a zero vector scores 0."""
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    na[na == 0] = 1.0
    nb[nb == 0] = 1.0
    return (b / nb[:, None]) @ (a / na[:, None]).T


def greedy(edge_v: np.ndarray, edge_p: np.ndarray, value: np.ndarray, slots: np.ndarray,
           per_person: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """The greedy baseline of docs/assignment.md: pairs by value, highest first,
    taken while the person and the vacancy have room. As lm_engine_assign: values
    compared as floor(value * 1e6 + 0.5), pairs of value 0 left out, ties in
    person-major order of the input edges.
    Returns the (vacancy, person) index arrays of the proposals."""
    edge_v, edge_p = np.asarray(edge_v, dtype=np.int64), np.asarray(edge_p, dtype=np.int64)
    scaled = np.floor(np.asarray(value, dtype=np.float32).astype(np.float64) * 1e6 + 0.5)
    person_major = np.argsort(edge_p, kind="stable")
    order = person_major[np.argsort(-scaled[person_major], kind="stable")]
    order = order[scaled[order] > 0]
    left = np.asarray(slots, dtype=np.int64).copy()
    used: Dict[int, int] = {}
    pv, pp = [], []
    for e in order:
        v, p = int(edge_v[e]), int(edge_p[e])
        if left[v] > 0 and used.get(p, 0) < per_person:
            left[v] -= 1
            used[p] = used.get(p, 0) + 1
            pv.append(v)
            pp.append(p)
    return np.array(pv, dtype=np.int64), np.array(pp, dtype=np.int64)
