"""The binding covers the whole public C API and declares it exactly: every
LM_API function of libmatch/include/libmatch/*.h has a prototype with the
same argument and return types, and every public struct the binding mirrors
has the same fields in the same order."""
import ctypes
import re

import pytest

from libmatch import _ffi
from conftest import ROOT

HEADERS = sorted((ROOT / "libmatch" / "include" / "libmatch").glob("*.h"))


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def c_functions():
    out = {}
    for h in HEADERS:
        text = strip_comments(h.read_text())
        for m in re.finditer(r"LM_API\s+([^;(]*?)\b(lm_\w+)\s*\(([^)]*)\)\s*;", text, re.S):
            ret, name, args = m.group(1), m.group(2), m.group(3)
            params = [] if args.strip() in ("", "void") else [a.strip() for a in args.split(",")]
            out[name] = (" ".join(ret.split()), params)
    return out


def c_structs():
    out = {}
    for h in HEADERS:
        text = strip_comments(h.read_text())
        for m in re.finditer(r"typedef struct (lm_\w+)\s*\{(.*?)\}\s*\1\s*;", text, re.S):
            fields = []
            for decl in m.group(2).split(";"):
                decl = " ".join(decl.split())
                if decl:
                    fields.append(re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", decl).group(1))  # name or name[N]
            out[m.group(1)] = fields
    return out


_SCALARS = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "int32_t": ctypes.c_int32,
            "uint32_t": ctypes.c_uint32, "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
            "size_t": ctypes.c_size_t, "double": ctypes.c_double, "void": None}


def expected_ctype(decl):
    """A ctypes description of a C parameter/return declaration: a scalar type,
    'ptr' for any data pointer, 'str' for a char pointer, 'fn' for a callback."""
    d = " ".join(decl.replace("const ", "").split())
    d = re.sub(r"\b(lm_\w+|\w+)\s*$", "", d).strip() if not d.endswith("*") and " " in d else d
    if re.search(r"\blm_\w+_fn\b", d):  # lm_progress_fn, lm_proposal_fn, lm_run_change_fn
        return "fn"
    if "*" in d:
        return "str" if re.match(r"char\s*\*$", d.strip()) else "ptr"
    return _SCALARS[d.strip()]


def describe(ct):
    if ct is None:
        return None
    if ct is ctypes.c_char_p:
        return "str"
    if ct in (_ffi.PROGRESS_FN, _ffi.PROPOSAL_FN, _ffi.RUN_CHANGE_FN):
        return "fn"
    if ct is ctypes.c_void_p or (isinstance(ct, type) and issubclass(ct, ctypes._Pointer)):
        return "ptr"
    # ctypes aliases: c_int32 is c_int, c_int64 is c_long on LP64
    return ctypes.sizeof(ct), ct(-1).value < 0 if ct not in (ctypes.c_double, ctypes.c_float) else "float"


def norm(ct):
    return ct if isinstance(ct, str) else describe(ct)


def test_every_public_function_is_declared_exactly():
    funcs = c_functions()
    assert len(funcs) > 60
    missing = sorted(set(funcs) - set(_ffi.PROTOTYPES))
    assert not missing, f"the binding lacks prototypes for {missing}"
    extra = sorted(set(_ffi.PROTOTYPES) - set(funcs))
    assert not extra, f"the binding declares functions the headers do not have: {extra}"
    for name, (ret, params) in funcs.items():
        restype, argtypes = _ffi.PROTOTYPES[name]
        assert len(argtypes) == len(params), f"{name}: {len(argtypes)} arguments, header has {len(params)}"
        want_ret = expected_ctype(ret + " x") if "*" not in ret else ("str" if "char" in ret else "ptr")
        assert norm(want_ret) == describe(restype), f"{name}: return type {ret}"
        for i, (p, ct) in enumerate(zip(params, argtypes)):
            assert norm(expected_ctype(p)) == describe(ct), f"{name}: argument {i} '{p}'"


@pytest.mark.parametrize("cname,pyname", [
    ("lm_candidate_cols", "CandidateCols"), ("lm_vacancy_cols", "VacancyCols"), ("lm_viewer", "Viewer_"),
    ("lm_match", "Match_"), ("lm_batch_options", "BatchOptions"), ("lm_assign_options", "AssignOptions"),
    ("lm_assign_graph", "AssignGraph"), ("lm_group_report", "GroupReport_"), ("lm_run_info", "RunInfo"),
    ("lm_run_part", "RunPart"), ("lm_history_cols", "HistoryCols"),
    ("lm_status_change", "StatusChange"), ("lm_proposal_filter", "ProposalFilter"),
    ("lm_proposal_row", "ProposalRow"), ("lm_run_change", "RunChange"),
    ("lm_outcome_person", "OutcomePerson"), ("lm_outcome_record", "OutcomeRecord"), ("lm_effect_row", "EffectRow"),
    ("lm_placement_start", "PlacementStart"), ("lm_unmatched_person", "UnmatchedPerson_"),
    ("lm_unmatched_cell", "UnmatchedCell_")])
def test_struct_fields_match_the_headers(cname, pyname):
    structs = c_structs()
    assert cname in structs, f"{cname} is not in the headers any more"
    assert [f for f, _ in getattr(_ffi, pyname)._fields_] == structs[cname]


def test_every_public_struct_is_mirrored():
    mirrored = {"lm_candidate_cols", "lm_vacancy_cols", "lm_viewer", "lm_match", "lm_batch_options",
                "lm_assign_options", "lm_assign_graph", "lm_group_report", "lm_run_info", "lm_run_part",
                "lm_history_cols", "lm_status_change", "lm_proposal_filter", "lm_proposal_row", "lm_run_change",
                "lm_outcome_person", "lm_outcome_record", "lm_effect_row", "lm_placement_start",
                "lm_unmatched_person", "lm_unmatched_cell"}
    assert set(c_structs()) <= mirrored, f"new public structs: {set(c_structs()) - mirrored}"
