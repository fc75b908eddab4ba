"""An independent numpy reference of the scoring model, written from
docs/scoring.md and docs/travel.md (geometric travel estimate, no matrices),
in double precision. Not derived from the C code."""
import numpy as np

SPEED = np.array([5.0, 15.0, 30.0, 60.0])
DETOUR = np.array([1.3, 1.3, 1.3, 1.3])
ACCESS = np.array([0.0, 2.0, 12.0, 6.0])
EARTH_KM = 6371.0088

DEFAULT_POLICY = dict(w_competence=0.6, w_travel=0.1, w_hours=0.025, w_readiness=0.05, w_priority=0.0,
                      max_travel_min=90.0, min_score=0.0, as_of_day=0, allowed_modes=15,
                      # since 1.1.0
                      competence_model=4, cooldown_days=90, exclusive_progress=1, stability_margin=0.05,
                      overqualification=0.25,
                      # since 1.2.0 (issue 14: presets)
                      favour_furthest=0)


def visible(c, viewer):
    org, muni, region = viewer
    scope = c["scope"].astype(int)
    return ((c["owner_org"] == org) | (scope == 3) |
            ((scope == 2) & (c["region"] != 0) & (c["region"] == region)) |
            ((scope == 1) & (c["municipality"] != 0) & (c["municipality"] == muni)))


def great_circle_km(la1, lo1, la2, lo2):
    r = np.pi / 180
    dla, dlo = (la2 - la1) * r, (lo2 - lo1) * r
    a = np.sin(dla / 2) ** 2 + np.cos(la1 * r) * np.cos(la2 * r) * np.sin(dlo / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


def _cosine(a, b):
    dot = a @ b.T
    norms = np.sqrt((a * a).sum(1))[:, None] * np.sqrt((b * b).sum(1))[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, dot / norms, 0.0)


def competence(cvec, rvec, wvec, model, overq, mean=None):
    """The competence of every (candidate, vacancy) pair under a model
    (docs/scoring.md): 0 requirement, 1 cosine, 2 symmetric, 3 coverage,
    4 cosine x coverage. mean: the pool's centre (None = not centred)."""
    c = np.asarray(cvec, np.float64)
    r = np.asarray(rvec, np.float64)
    w = np.asarray(wvec, np.float64)
    m = np.zeros(c.shape[1]) if mean is None else np.asarray(mean, np.float64)
    ct, rt = c - m, r - m
    if model == 0:
        return np.clip(_cosine(ct, w * rt), 0, 1)
    if model == 1:
        return np.clip(_cosine(ct, rt), 0, 1)
    if model == 2:
        num = ct @ (w * rt).T
        den = np.sqrt((ct * ct) @ w.T) * np.sqrt((w * rt * rt).sum(1))[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.clip(np.where(den > 0, num / den, 0.0), 0, 1)
    cov = np.zeros((len(c), len(r)))
    for j in range(len(r)):  # coverage on raw levels
        gap = r[j][None, :] - c
        short = (w[j] * np.maximum(gap, 0)).sum(1)
        over = (w[j] * np.maximum(-gap, 0)).sum(1)
        scale = (w[j] * np.abs(r[j])).sum()
        cov[:, j] = np.clip(1 - (short + overq * over) / scale, 0, 1) if scale > 0 else 0.0
    if model == 3:
        return cov
    return np.maximum(_cosine(ct, rt), 0) * cov


def score_matrix(c, v, viewer, policy=None):
    """Returns (score, constraint, comps) over all (candidate i, vacancy j):
    score[i, j] is -1 for an infeasible pair; constraint[i, j] the first
    failing hard filter (1..10, 0 if feasible); comps a dict of component
    matrices (competence, travel, hours, readiness, priority, minutes)."""
    P = dict(DEFAULT_POLICY)
    P.update(policy or {})
    C = {k: np.asarray(a) for k, a in c.items()}
    V = {k: np.asarray(a) for k, a in v.items()}
    nc, nv = len(C["id"]), len(V["id"])
    col = lambda a: a.reshape(nc, 1).astype(np.float64) if a.dtype.kind == "f" else a.reshape(nc, 1)
    row = lambda a: a.reshape(1, nv).astype(np.float64) if a.dtype.kind == "f" else a.reshape(1, nv)

    fails = []  # in lm_constraint order
    fails.append(np.broadcast_to(~visible(C, viewer).reshape(nc, 1), (nc, nv)))                  # 1
    fails.append((col(C["groups"]) & row(V["accepted_groups"])) == 0)                             # 2
    fails.append(col(C["readiness"]).astype(int) > row(V["max_readiness"]).astype(int))           # 3
    fails.append(col(C["loonwaarde"]) < row(V["min_loonwaarde"]))                                # 4
    fails.append((col(C["flags"]) & row(V["required_flags"])) != row(V["required_flags"]))        # 5
    lo = np.maximum(col(C["hours_min"]), row(V["hours_min"]))
    hi = np.minimum(col(C["hours_max"]), row(V["hours_max"]))
    fails.append(lo > hi)                                                                         # 6
    dates = col(C["available_from"]) > row(V["open_until"])
    if P["as_of_day"] > 0:
        dates = dates | (row(V["open_until"]) < P["as_of_day"])
    fails.append(dates)                                                                           # 7
    fails.append(np.broadcast_to(row(V["slots"]) <= 0, (nc, nv)))                                 # 8
    limit = np.full((nc, 1), float(P["max_travel_min"]))
    own = col(C["max_minutes"])
    limit = np.where((own > 0) & (own < limit), own, limit)
    km = great_circle_km(col(C["lat"]), col(C["lon"]), row(V["lat"]), row(V["lon"]))
    best = np.full((nc, nv), np.inf)
    for m in range(4):
        allowed = ((col(C["modes"]).astype(int) & int(P["allowed_modes"])) >> m) & 1
        t = ACCESS[m] + km * DETOUR[m] / SPEED[m] * 60
        best = np.where(allowed.astype(bool), np.minimum(best, t), best)
    fails.append(~(best <= limit))                                                                # 9

    comp = competence(C["vectors"], V["vectors"], V["weights"], int(P["competence_model"]),
                      float(P["overqualification"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        trav = 1 - best / limit
        ln = np.minimum(col(C["hours_max"]) - col(C["hours_min"]), row(V["hours_max"]) - row(V["hours_min"]))
        hours = np.where(ln > 0, (hi - lo) / np.where(ln > 0, ln, 1), 1.0)
    r = col(C["readiness"]).astype(np.float64)
    rdy = np.broadcast_to((r - 1) / 4 if P.get("favour_furthest") else (5 - r) / 4, (nc, nv))
    prio = np.broadcast_to(col(C["priority"]), (nc, nv))
    w = np.array([P["w_competence"], P["w_travel"], P["w_hours"], P["w_readiness"], P["w_priority"]], float)
    s = (w[0] * comp + w[1] * trav + w[2] * hours + w[3] * rdy + w[4] * prio) / w.sum()
    s = np.minimum(s, 1)
    fails.append(s < P["min_score"])                                                              # 10

    constraint = np.zeros((nc, nv), dtype=int)
    for k in range(len(fails) - 1, -1, -1):  # the first failing filter wins
        constraint = np.where(fails[k], k + 1, constraint)
    score = np.where(constraint == 0, s, -1.0)
    comps = dict(competence=comp, travel=trav, hours=hours, readiness=rdy, priority=prio, minutes=best)
    return score, constraint, comps


def topk(score, ids, axis_index, by_candidate, k):
    """Reference top-k list for one vacancy (by_candidate False: column j) or
    one candidate (row i): [(score, id)] ordered by score desc, then id."""
    s = score[axis_index, :] if by_candidate else score[:, axis_index]
    hits = [(float(x), int(i)) for x, i in zip(s, ids) if x >= 0]
    hits.sort(key=lambda h: (-h[0], h[1]))
    return hits[:k]


def assert_topk(got_ids, got_scores, ref, tol=1e-5, what=""):
    """Like tests/unit/testutil.h tu_assert_topk: equal lists, except that ids
    may swap among near-equal scores."""
    assert len(got_ids) == len(ref), f"{what}: {len(got_ids)} results, reference {len(ref)}"
    ref_ids = {i: s for s, i in ref}
    for r, (gid, gs) in enumerate(zip(got_ids, got_scores)):
        assert abs(gs - ref[r][0]) <= tol, f"{what} rank {r}: score {gs} vs reference {ref[r][0]}"
        if gid != ref[r][1]:
            assert gid in ref_ids and abs(ref_ids[gid] - ref[r][0]) <= tol, \
                f"{what} rank {r}: id {gid}, reference {ref[r][1]}"
