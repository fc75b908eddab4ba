"""Competence vectors from occupation codes: `lmatch vectors` and
libmatch.vectors (docs/own-data.md). Vectors for every shipped code equal the
O*NET values; overrides, averaging and centring; every kind of bad row gives
FILE:LINE: column NAME: ... with exit 2 and nothing written; the Python
function writes the same bytes as the command."""
import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import libmatch.vectors as lv
from conftest import ROOT, build_dir

DATA = ROOT / "libmatch" / "data" / "onet_skills.csv"
REFERENCE = ROOT.parent / "shared" / "data" / "onet_skill_profiles.csv"  # beside the project in development


def lmatch():
    exe = build_dir() / "lmatch"
    if not exe.exists():
        subprocess.run(["make", "--no-print-directory", f"BUILD={build_dir()}", "cli"], cwd=ROOT, check=True,
                       capture_output=True)
    return str(exe)


def run(*args, cwd=None):
    return subprocess.run([lmatch(), "vectors", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def shipped():
    with open(DATA, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_out(text):
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return rows


def numbers(cell):
    return np.array([float(x) for x in cell.split(";")])


def test_every_shipped_code_gives_its_onet_values(tmp_path):
    rows = shipped()
    assert len(rows) == 967
    src = tmp_path / "all.csv"
    src.write_text("id,onet_soc\n" + "".join(f"{i},{r['onet_soc']}\n" for i, r in enumerate(rows)))
    for side in ("candidates", "vacancies"):
        p = run("--occupations", src, "--side", side)
        assert p.returncode == 0, p.stderr
        out = read_out(p.stdout)
        assert len(out) == len(rows)
        for r, o in zip(rows, out):
            want_lv = np.array([float(r["lv_" + s]) for s in lv.SKILLS])
            assert np.array_equal(numbers(o["vectors"]), want_lv), r["onet_soc"]
            if side == "vacancies":
                want_im = np.array([float(r["im_" + s]) for s in lv.SKILLS])
                assert np.array_equal(numbers(o["weights"]), want_im), r["onet_soc"]
            else:
                assert "weights" not in o


def test_known_code_by_hand():
    # Customer Service Representatives: active_listening level 3.75, importance 3.88 (O*NET)
    r = next(x for x in shipped() if x["onet_soc"] == "43-4051.00")
    assert (r["lv_active_listening"], r["im_active_listening"]) == ("3.75", "3.88")
    v, w = lv.occupation_vectors(["43-4051.00"], side="vacancies")
    assert v.dtype == np.float32 and v.shape == (1, 35)
    assert lv.SKILLS[1] == "active_listening"
    assert v[0, 1] == np.float32(3.75) and w[0, 1] == np.float32(3.88)


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/data/onet_skill_profiles.csv is not beside the "
                    "project (only in development and CI)")
def test_shipped_copy_equals_the_reference_data():
    assert DATA.read_bytes() == REFERENCE.read_bytes()


def test_embedded_table_is_current():
    p = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "gen-onet-skills.py"), "--check"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def test_attribution_shipped():
    text = (ROOT / "libmatch" / "data" / "ATTRIBUTION.md").read_text()
    assert "CC BY 4.0" in text and "USDOL/ETA" in text


PEOPLE = "".join([
    "# my people (a comment)\n",
    "id,owner_org,municipality,groups,onet_soc,lv_writing,notes\n",
    '1001,200201,453,bijstand,43-4051.00,,"call centre, evenings"\n',
    "1002,200201,375,bijstand,53-7062,5.5,\n",
    '1003,200202,392,bijstand+statushouder,43-4051.00;53-7062.00,,"say ""hi"""\n',
])


def test_passthrough_overrides_and_averaging(tmp_path):
    src = tmp_path / "people.csv"
    src.write_text(PEOPLE)
    out = tmp_path / "vectors.csv"
    p = run("--occupations", src, "--side", "candidates", "--out", out)
    assert p.returncode == 0 and p.stdout == "", p.stderr
    text = out.read_text()
    assert text.startswith("# lmatch vectors --side candidates: vectors = O*NET skill levels (0..7)")
    assert "CC BY 4.0" in text.splitlines()[1]
    rows = read_out(text)
    assert list(rows[0]) == ["id", "owner_org", "municipality", "groups", "notes", "vectors"]
    assert rows[0]["notes"] == "call centre, evenings" and rows[2]["notes"] == 'say "hi"'
    a, b = lv.occupation_vectors(["43-4051.00", "53-7062.00"]).astype(float)
    w = lv.SKILLS.index("writing")
    v1 = numbers(rows[1]["vectors"])
    assert v1[w] == 5.5 and np.allclose(np.delete(v1, w), np.delete(b, w))  # 53-7062 means 53-7062.00
    assert np.allclose(numbers(rows[2]["vectors"]), (a + b) / 2, atol=1e-6)
    assert not (tmp_path / "vectors.csv.tmp").exists()


def test_vacancies_and_centre(tmp_path):
    src = tmp_path / "vac.csv"
    src.write_text("id,title,onet_soc,im_programming,lv_programming\n7,Developer,15-1132.00,5,6\n")
    p = run("--occupations", src, "--side", "vacancies", "--centre")
    assert p.returncode == 0, p.stderr
    row = read_out(p.stdout)[0]
    assert list(row) == ["id", "title", "vectors", "weights"]
    k = lv.SKILLS.index("programming")
    base_lv, base_im = lv.occupation_vectors(["15-1132.00"], side="vacancies")
    mean = lv.onet_mean()
    v, w = numbers(row["vectors"]), numbers(row["weights"])
    assert w[k] == 5 and np.allclose(np.delete(w, k), np.delete(base_im[0], k))
    assert abs(v[k] - (6 - mean[k])) < 1e-5
    assert np.allclose(np.delete(v, k), np.delete(base_lv[0] - mean, k), atol=1e-5)
    assert "minus the mean of the 967 occupations" in p.stdout.splitlines()[0]


@pytest.mark.parametrize("side,centre", [("candidates", False), ("candidates", True), ("vacancies", False),
                                         ("vacancies", True)])
def test_python_writes_the_same_bytes(tmp_path, side, centre):
    src = tmp_path / "in.csv"
    text = PEOPLE
    if side == "vacancies":  # an importance override column too
        text = "".join(line if line.startswith("#") else line.replace(",notes", ",notes,im_speaking") if "notes" in line
                       else line.rstrip("\n") + ("," if "1001" in line or "1003" in line else ",2.5") + "\n"
                       for line in PEOPLE.splitlines(keepends=True))
    src.write_text(text)
    args = ["--occupations", src, "--side", side] + (["--centre"] if centre else [])
    p = run(*args)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "py.csv"
    assert lv.vectors_csv(src, side, out=out, centre=centre) == p.stdout
    assert out.read_text() == p.stdout


# (input, side, expected message after "FILE:")
BAD = [
    ("id,onet_soc\n1,43-4051.00\n2,99-9999.00\n", "candidates",
     "3: column onet_soc: '99-9999.00' is not an O*NET-SOC 2010 code with a skill profile"),
    ("id,onet_soc\n1,43-4051.00;11-1011.77\n", "candidates", "2: column onet_soc: '11-1011.77' is not an O*NET-SOC"),
    ("id,onet_soc\n1,\n", "candidates", "2: column onet_soc: empty"),
    ("id,onet_soc\nabc,43-4051.00\n", "candidates", "2: column id: 'abc' is not an integer"),
    ("id,onet_soc\n1,43-4051.00\n2,43-4051.00\n1,43-4051.00\n", "candidates",
     "4: column id: 1 appears twice (also line 2)"),
    ("id,onet_soc,lv_writing\n1,43-4051.00,8\n", "candidates", "2: column lv_writing: 8 is outside 0..7"),
    ("id,onet_soc,lv_writing\n1,43-4051.00,lots\n", "candidates", "2: column lv_writing: 'lots' is not a number"),
    ("id,onet_soc,im_writing\n1,43-4051.00,0.5\n", "vacancies", "2: column im_writing: 0.5 is outside 1..5"),
    ("id,onet_soc,im_writing\n1,43-4051.00,3\n", "candidates",
     "1: column im_writing: importance overrides apply to --side vacancies only"),
    ("id,onet_soc,lv_juggling\n1,43-4051.00,3\n", "candidates",
     "1: column lv_juggling: 'juggling' is not one of the 35 O*NET skills"),
    ("id,code\n1,43-4051.00\n", "candidates", "1: column onet_soc: missing (a required column)"),
    ("onet_soc\n43-4051.00\n", "candidates", "1: column id: missing (a required column)"),
    ("id,onet_soc,vectors\n1,43-4051.00,1;2\n", "candidates", "1: column vectors: already present"),
    ("id,onet_soc,id\n1,43-4051.00,2\n", "candidates", "1: column id: appears twice in the header"),
    ("id,onet_soc\n1,43-4051.00,extra\n", "candidates", "2: 3 fields, the header has 2"),
    ("# comment\nid,onet_soc\n\n1,43-4051.00\n2,\"43-4051.00\n", "vacancies",
     "5: a quoted field is not closed"),
]


@pytest.mark.parametrize("text,side,msg", BAD)
def test_bad_rows_named_and_nothing_written(tmp_path, text, side, msg):
    src = tmp_path / "bad.csv"
    src.write_text(text)
    out = tmp_path / "out.csv"
    p = run("--occupations", src, "--side", side, "--out", out)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert f"{src}:{msg}" in p.stderr, p.stderr
    assert not out.exists() and not Path(str(out) + ".tmp").exists()
    p = run("--occupations", src, "--side", side)  # to standard output: nothing either
    assert p.returncode == 2 and p.stdout == ""
    with pytest.raises(lv.VectorsError) as e:  # the Python function says the same
        lv.vectors_csv(src, side, out=out)
    assert f"{src}:{msg}" in str(e.value)
    assert not out.exists()


def test_options():
    p = subprocess.run([lmatch(), "vectors", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("usage: lmatch vectors --occupations FILE --side")
    for o in ("--occupations", "--side", "--out", "--centre", "--help"):
        assert f"  {o}" in p.stdout
    top = subprocess.run([lmatch(), "--help"], capture_output=True, text=True).stdout
    assert "vectors --occupations FILE --side candidates|vacancies" in top
    for args, msg in ((["--side", "both", "--occupations", "x"], "--side: 'both' is not one of candidates, vacancies"),
                      (["--occupations", "x"], "--side candidates|vacancies is required"),
                      (["--side", "candidates"], "--occupations FILE is required"),
                      (["--frob"], "unknown option '--frob'"),
                      (["--side"], "--side needs a value")):
        p = run(*args)
        assert p.returncode == 2 and f"lmatch vectors: {msg}" in p.stderr, p.stderr
    p = run("--occupations", "/nonexistent/x.csv", "--side", "candidates")
    assert p.returncode == 1 and "/nonexistent/x.csv" in p.stderr


def test_occupation_vectors_errors_and_overrides():
    v = lv.occupation_vectors(["43-4051", "53-7062.00"], levels={"writing": [None, 6]})
    assert v.shape == (2, 35) and v[1, lv.SKILLS.index("writing")] == 6
    with pytest.raises(lv.VectorsError, match=r"row 1: onet_soc: '00-0000.00' is not an O\*NET-SOC"):
        lv.occupation_vectors(["43-4051.00", "00-0000.00"])
    with pytest.raises(lv.VectorsError, match="outside 0..7"):
        lv.occupation_vectors(["43-4051.00"], levels={"writing": [9]})
    with pytest.raises(lv.VectorsError, match="side='vacancies' only"):
        lv.occupation_vectors(["43-4051.00"], importance={"writing": [3]})
    with pytest.raises(lv.VectorsError, match="not one of the 35"):
        lv.occupation_vectors(["43-4051.00"], levels={"juggling": [3]})
    c = lv.occupation_vectors(["43-4051.00"], centre=True)
    assert np.allclose(c[0], lv.occupation_vectors(["43-4051.00"])[0] - lv.onet_mean(), atol=1e-6)
    assert lv.SKILLS == lv.profiles().skills


@pytest.mark.parametrize("name,side,n", [("people_occupations.csv", "candidates", 8),
                                         ("jobs_occupations.csv", "vacancies", 6)])
def test_examples_convert(tmp_path, name, side, n):
    src = ROOT / "examples" / "data" / name
    out = tmp_path / "out.csv"
    p = run("--occupations", src, "--side", side, "--out", out)
    assert p.returncode == 0, p.stderr
    rows = read_out(out.read_text())
    assert len(rows) == n and all(len(numbers(r["vectors"])) == 35 for r in rows)
    assert "onet_soc" not in rows[0] and not any(c.startswith(("lv_", "im_")) for c in rows[0])
    assert lv.vectors_csv(src, side) == out.read_text()
