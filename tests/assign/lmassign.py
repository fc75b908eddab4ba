"""ctypes access to lm_engine_assign_graph, shared by the SciPy comparison
test and the benchmark peer. Uses only the public C API."""
import ctypes as C

import numpy as np


class Graph(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("n_people", C.c_size_t), ("n_vacancies", C.c_size_t),
                ("capacity", C.c_void_p), ("person_group", C.c_void_p), ("vacancy_employer", C.c_void_p),
                ("person_priority", C.c_void_p), ("n_edges", C.c_size_t), ("edge_person", C.c_void_p),
                ("edge_vacancy", C.c_void_p), ("edge_score", C.c_void_p), ("vacancy_group", C.c_void_p)]


class Options(C.Structure):
    _fields_ = [("struct_size", C.c_size_t), ("max_per_candidate", C.c_uint32), ("max_per_employer", C.c_uint32),
                ("priority_weight", C.c_double), ("fairness_floor", C.c_double), ("progress", C.c_void_p),
                ("progress_user", C.c_void_p)]


ASTAT = dict(OBJECTIVE=0, OBJECTIVE_SCALED=1, PROPOSALS=2, VACANCIES_SERVED=3, CROSS_BORDER=4, GREEDY_OBJECTIVE=5,
             GREEDY_PROPOSALS=6, GREEDY_VACANCIES_SERVED=7, GREEDY_CROSS_BORDER=8, EDGES=9, SECONDS=10,
             UNCONSTRAINED_PROPOSALS=11)


def scaled_weights(score, prio_of_edge, pw):
    """The library's integer values: floor((score + pw * priority) * 1e6 + 0.5), in float64."""
    v = score.astype(np.float32).astype(np.float64) + pw * prio_of_edge.astype(np.float32).astype(np.float64)
    return np.floor(v * 1e6 + 0.5).astype(np.int64)


class Lib:
    def __init__(self, path):
        self.lib = C.CDLL(path)
        L = self.lib
        L.lm_engine_create.argtypes = [C.POINTER(C.c_void_p), C.c_void_p, C.c_void_p]
        L.lm_engine_free.argtypes = [C.c_void_p]
        L.lm_engine_errmsg.argtypes = [C.c_void_p]
        L.lm_engine_errmsg.restype = C.c_char_p
        L.lm_engine_assign_graph.argtypes = [C.POINTER(C.c_void_p), C.c_void_p, C.POINTER(Graph),
                                             C.POINTER(Options)]
        L.lm_assignment_free.argtypes = [C.c_void_p]
        L.lm_assignment_stat.argtypes = [C.POINTER(C.c_double), C.c_void_p, C.c_int32]
        self.eng = C.c_void_p()
        if L.lm_engine_create(C.byref(self.eng), None, None) != 0:
            raise RuntimeError("lm_engine_create failed")

    def close(self):
        self.lib.lm_engine_free(self.eng)

    def assign(self, n, nv, cap, ep, ev, es, m=1, per_employer=0, employer=None, prio=None, pw=0.0, floor=0.0,
               group=None):
        """Returns (status, stats dict, seconds of the call)."""
        keep = []

        def ptr(a, dt):
            if a is None:
                return None
            a = np.ascontiguousarray(a, dtype=dt)
            keep.append(a)
            return a.ctypes.data

        g = Graph()
        g.struct_size = C.sizeof(Graph)
        g.n_people, g.n_vacancies, g.n_edges = n, nv, len(ep)
        g.capacity = ptr(cap, np.int32)
        g.person_group = ptr(group, np.int32)
        g.vacancy_employer = ptr(employer, np.int64)
        g.person_priority = ptr(prio, np.float32)
        g.edge_person = ptr(ep, np.uint32)
        g.edge_vacancy = ptr(ev, np.uint32)
        g.edge_score = ptr(es, np.float32)
        o = Options(C.sizeof(Options), m, per_employer, pw, floor, None, None)
        out = C.c_void_p()
        st = self.lib.lm_engine_assign_graph(C.byref(out), self.eng, C.byref(g), C.byref(o))
        if st != 0:
            return st, self.lib.lm_engine_errmsg(self.eng).decode(), None
        stats = {}
        x = C.c_double()
        for k, v in ASTAT.items():
            self.lib.lm_assignment_stat(C.byref(x), out, v)
            stats[k] = x.value
        self.lib.lm_assignment_free(out)
        return 0, stats, stats["SECONDS"]
