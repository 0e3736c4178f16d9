"""Benchmarks of the assistant on this machine: `make bench` (or `python bench/run.py`).

Writes bench/RESULTS.md. Every figure is a median with its min–max over repeated runs, and
every comparison is a ratio of runs made side by side in this process, interleaved, so a
busy neighbour slows both sides alike. Sections:

1. build overhead: `index.build` time ÷ raw `model.encode` time on the same texts
2. query latency: `search` and `ask` over the dev questions, warm, with a breakdown
3. encoder speed: torch fp32 against ONNX Runtime fp32 and int8, with R@5 on the dev set
4. scale: flat against approximate FAISS indexes at 100k and 1M vectors, and BM25
5. cold start and peak memory, each in a fresh subprocess
6. FAISS against Milvus Lite (`Settings.store`), at the bulletin's size and at 100k vectors;
   alone: `python bench/run.py --only milvus` (rewrites that section of RESULTS.md only)
7. the CLI's `ask`, whole process, cold, for the three backends side by side, with its peak RSS

`--only cli,latency` runs only those sections (names: build, latency, encoders, scale,
cold, cli, milvus) and replaces just their sections in bench/RESULTS.md.

Uses the converted model in $ASSISTANT_CACHE_DIR (default ~/.cache/bulletin-assistant) and
temporary index folders; nothing in the work tree but bench/RESULTS.md changes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from milvus_vs_faiss import bench_milvus  # noqa: E402  (bench/ is on the path as the script's folder)

from assistant import Assistant, Settings  # noqa: E402
from assistant.embed import embedder as embedder_mod  # noqa: E402
from assistant.evaluate import evaluate_retrieval, read_items  # noqa: E402
from assistant.ingest import documents as documents_mod  # noqa: E402
from assistant.store import index as index_mod  # noqa: E402

DEV_SET = ROOT / "eval" / "dev.jsonl"
RESULTS = ROOT / "bench" / "RESULTS.md"
REPEATS = 3
BUDGET_SECONDS = 13 * 60  # leave room under the 15-minute limit: later extras are skipped
STARTED = time.perf_counter()


# ---------------------------------------------------------------- small helpers


def ms(seconds: float) -> float:
    return seconds * 1000


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """'median (min–max)' of repeated measurements."""
    v = np.asarray(values, dtype=float)
    return f"{fmt.format(np.median(v))} ({fmt.format(v.min())}–{fmt.format(v.max())})"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def elapsed() -> float:
    return time.perf_counter() - STARTED


def log(message: str) -> None:
    print(f"[{elapsed():6.0f}s] {message}", flush=True)


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    rows = [
        ["CPU", cpu],
        ["cores (os.cpu_count)", os.cpu_count()],
        ["memory", f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"],
        ["load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg())],
        ["OS", platform.platform()],
        ["Python", platform.python_version()],
    ]
    for dist in (
        "torch",
        "sentence-transformers",
        "transformers",
        "faiss-cpu",
        "bm25s",
        "numpy",
        "onnxruntime",
        "onnx",
        "tokenizers",
    ):
        rows.append([dist, version(dist)])
    return table(["", ""], rows)


class Recorder:
    """An embedder that passes calls through and keeps the document texts it was given."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls: list[list[str]] = []

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode_documents(texts, progress=progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)


def settings_for(backend: str, index_dir: Path) -> Settings:
    return Settings.from_env(backend=backend, index_dir=index_dir, show_progress=False)


def raw_encode(embedder, texts: list[str]) -> float:
    """Seconds for the bare encoder call the embedder wraps, with the same options."""
    t = time.perf_counter()
    if isinstance(embedder, embedder_mod.SentenceTransformerEmbedder):
        embedder.model.encode(
            texts,
            prompt_name=embedder._document_prompt,
            batch_size=embedder.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    else:
        embedder._encode(texts, embedder._document_prefix)
    return time.perf_counter() - t


# ---------------------------------------------------------------- 1. build overhead


def bench_build(
    embedders: dict, sources, folder: Path, out: list[str]
) -> tuple[list[str], float, dict[str, list[float]]]:
    """Index build ÷ raw encode of exactly the texts the build encodes, side by side.

    Each round also times the other backends on the same texts (section 3 reports them),
    and alternates which of build and raw encode goes first, so neither is always the one
    that runs on a cold cache. The last index built is saved in `folder` for later sections.
    """
    log("1. build overhead (and the encoders' throughput, same rounds)")
    torch_embedder = embedders["torch"]
    recorder = Recorder(torch_embedder)
    builds, passages_only, encode_in_build = [], [], []
    raws: dict[str, list[float]] = {name: [] for name in embedders}
    texts: list[str] = []
    passage_texts: list[str] = []
    built = None
    for emb in embedders.values():
        raw_encode(emb, ["passage warm-up " * 20] * 16)

    def build() -> None:
        nonlocal built
        recorder.calls.clear()
        t = time.perf_counter()
        built = index_mod.build(sources, recorder)
        builds.append(time.perf_counter() - t)
        encode_in_build.append(built.manifest.encode_seconds)

    build()  # the first round needs the texts first
    texts = [t for call in recorder.calls for t in call]
    # One call holds each document's passage texts, then its sentence texts.
    at = 0
    for entry in built.manifest.documents:
        passage_texts += texts[at : at + entry.passages]
        at += entry.passages + entry.sentences
    for round_ in range(REPEATS):
        if round_:
            if round_ % 2:
                raws["torch"].append(raw_encode(torch_embedder, texts))
                build()
            else:
                build()
                raws["torch"].append(raw_encode(torch_embedder, texts))
        else:
            raws["torch"].append(raw_encode(torch_embedder, texts))
        passages_only.append(raw_encode(torch_embedder, passage_texts))
        for name, emb in embedders.items():
            if name != "torch":
                raws[name].append(raw_encode(emb, texts))
    index_mod.save(built, folder)
    ratio_all = [b / r for b, r in zip(builds, raws["torch"])]
    ratio_passages = [b / r for b, r in zip(builds, passages_only)]
    n_sentences = len(texts) - len(passage_texts)
    out += [
        "## 1. Build overhead (torch backend)",
        "",
        f"The build encodes {len(passage_texts)} passages and {n_sentences} sentences "
        f"({len(texts)} texts) in one call. Raw `model.encode` gets exactly those texts, with "
        f"the same prompt and batch size ({torch_embedder.batch_size}), in the same process, "
        f"next to each build (alternately before and after). {REPEATS} rounds, median "
        "(min–max).",
        "",
        table(
            ["measure", "seconds", "ratio to the build"],
            [
                ["`index.build` (split, encode, FAISS, BM25)", spread(builds), "1"],
                ["encoder call inside the build", spread(encode_in_build), ""],
                [
                    f"raw `model.encode`, the same {len(texts)} texts",
                    spread(raws["torch"]),
                    f"**build ÷ raw = {spread(ratio_all, '{:.3f}')}** (goal ≤ 1.10)",
                ],
                [
                    f"raw `model.encode`, the {len(passage_texts)} passages only",
                    spread(passages_only),
                    f"build ÷ raw = {spread(ratio_passages, '{:.2f}')} (not like for like: "
                    "the build also embeds every sentence)",
                ],
            ],
        ),
        "",
    ]
    return texts, float(np.median(ratio_all)), raws


# ---------------------------------------------------------------- 2. query latency


COMPONENTS = ["encode", "faiss", "bm25", "fusion", "retrieve", "compose"]


def bench_latency(bots: dict[str, Assistant], questions: list[str], out: list[str]) -> dict:
    log("2. query latency")
    rows, summary = [], {}
    for backend, bot in bots.items():
        for q in questions[:3]:
            bot.ask(q)  # warm
        search_ms, ask_ms, cached_ms = [], [], []
        parts: dict[str, list[float]] = {c: [] for c in COMPONENTS}
        for _ in range(REPEATS):
            for q in questions:
                bot.embedder.clear_cache()
                t = time.perf_counter()
                bot.search(q)
                search_ms.append(ms(time.perf_counter() - t))
                bot.embedder.clear_cache()
                t = time.perf_counter()
                answer = bot.ask(q)
                ask_ms.append(ms(time.perf_counter() - t))
                for c in COMPONENTS:
                    parts[c].append(answer.timings.get(c, 0.0))
                t = time.perf_counter()
                bot.ask(q)  # the query vector is cached now
                cached_ms.append(ms(time.perf_counter() - t))
        summary[backend] = {"ask_p50": pct(ask_ms, 50), "ask_p95": pct(ask_ms, 95)}
        rows.append([backend, "`search`", f"{pct(search_ms, 50):.1f}", f"{pct(search_ms, 95):.1f}"])
        rows.append(
            [
                backend,
                "**`ask` (extractive)**",
                f"**{pct(ask_ms, 50):.1f}**",
                f"**{pct(ask_ms, 95):.1f}**",
            ]
        )
        for c in COMPONENTS:
            label = {
                "encode": "  query encode",
                "faiss": "  FAISS (passages + sentences)",
                "bm25": "  BM25",
                "fusion": "  fusion and ranking",
                "retrieve": "  = retrieval (analysis, the four above)",
                "compose": "  sentence scoring and answer composition",
            }[c]
            rows.append([backend, label, f"{pct(parts[c], 50):.2f}", f"{pct(parts[c], 95):.2f}"])
        rows.append(
            [
                backend,
                "`ask` again, query vector cached",
                f"{pct(cached_ms, 50):.1f}",
                f"{pct(cached_ms, 95):.1f}",
            ]
        )
    out += [
        "## 2. Query latency (warm, extractive)",
        "",
        f"{len(questions)} dev questions × {REPEATS} passes, the query-vector cache cleared "
        "before each call (so every call encodes); the breakdown is `Answer.timings`. "
        "Milliseconds; goal `ask` p50 ≤ 25, p95 ≤ 60.",
        "",
        table(["backend", "what", "p50 ms", "p95 ms"], rows),
        "",
    ]
    return summary


# ---------------------------------------------------------------- 3. encoder speed


def bench_encoders(
    embedders: dict,
    texts: list[str],
    seconds: dict[str, list[float]],
    questions: list[str],
    bots: dict,
    out: list[str],
) -> dict:
    """Throughput of each backend (timed in section 1's rounds), one query, and R@5."""
    log("3. encoder speed")
    rates = {name: [len(texts) / s for s in values] for name, values in seconds.items()}
    # The other batch size too, once: the best one is not the same for every backend
    # (the defaults, torch 16 and ONNX 4, are each backend's best).
    small = {}
    for name in ("torch", "onnx-int8"):
        emb = embedders[name]
        before = emb.batch_size
        emb.batch_size = 4 if before != 4 else 16
        small[name] = (emb.batch_size, len(texts) / raw_encode(emb, texts))
        emb.batch_size = before
    one_query: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(REPEATS):
        for name, emb in embedders.items():
            for q in questions:
                emb.clear_cache()
                t = time.perf_counter()
                emb.encode_queries([q])
                one_query[name].append(ms(time.perf_counter() - t))
    reference = embedders["torch"].encode_documents(texts[:64])
    items = read_items(DEV_SET)
    recall = {name: evaluate_retrieval(bot, items, k=5).overall for name, bot in bots.items()}
    torch_rate = np.median(rates["torch"])
    rows = []
    for name, emb in embedders.items():
        ratios = [r / t for r, t in zip(rates[name], rates["torch"])]
        cosine = float(np.min(np.sum(emb.encode_documents(texts[:64]) * reference, axis=1)))
        r = recall.get(name)
        rows.append(
            [
                name,
                spread(rates[name], "{:.1f}"),
                f"**{spread(ratios, '{:.2f}')}**",
                f"{small[name][1]:.1f} at {small[name][0]} ({small[name][1] / torch_rate:.2f}× torch)"
                if name in small
                else "",
                f"{pct(one_query[name], 50):.1f}",
                f"{cosine:.4f}",
                f"{r.r5:.3f} / {r.r1:.3f} / {r.mrr:.3f}" if r else "not measured",
            ]
        )
    out += [
        "## 3. Encoder speed",
        "",
        f"The {len(texts)} texts the build encodes, at each backend's default batch size "
        f"({', '.join(f'{n} {e.batch_size}' for n, e in embedders.items())}), "
        f"timed in the {REPEATS} rounds of section 1. Ratios are per round against torch in "
        "the same round. "
        "Retrieval on the dev set (hybrid, k=5) from an index built with each backend's own "
        "vectors. Goal: ≥ 2× throughput with R@5 within 0.01 of torch.",
        "",
        table(
            [
                "backend",
                "texts/s",
                "× torch",
                "texts/s at the other batch size",
                "one query p50 ms",
                "min cosine to torch",
                "R@5 / R@1 / MRR",
            ],
            rows,
        ),
        "",
    ]
    return {
        "ratio": {n: float(np.median(v) / torch_rate) for n, v in rates.items()},
        "recall": {n: r.r5 for n, r in recall.items()},
    }


# ---------------------------------------------------------------- 4. scale


def shaped_vectors(n: int, real: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seeded random unit vectors shaped like the model's: its mean and covariance.

    Uniform random directions in 384 dimensions have no neighbourhoods at all (every
    pair is at cosine ~0), which no real embedding set looks like: the bulletin's e5
    vectors sit at mean pairwise cosine ~0.87 with most variance in ~100 directions.
    """
    mean = real.mean(axis=0)
    _, s, vt = np.linalg.svd(real - mean, full_matrices=False)
    basis = (vt.T * (s / np.sqrt(len(real) - 1))).astype(np.float32)
    out = np.empty((n, real.shape[1]), np.float32)
    for start in range(0, n, 100_000):
        x = (
            mean
            + rng.standard_normal((min(100_000, n - start), basis.shape[1]), np.float32) @ basis.T
        )
        out[start : start + len(x)] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def near(data: np.ndarray, count: int, rng: np.random.Generator, noise: float = 0.01):
    rows = rng.integers(0, len(data), count)
    q = data[rows] + noise * rng.standard_normal((count, data.shape[1]), np.float32)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def latencies(search, queries: np.ndarray) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        search(q[None])
        out.append(ms(time.perf_counter() - t))
    return out


def recall_at_10(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)]))


def rss_gb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e9


def bench_scale(real: np.ndarray, out: list[str]) -> dict:
    import faiss

    from assistant.store.vectors import VectorIndex

    log("4. scale")
    rng = np.random.default_rng(0)
    rows, results = [], {}
    uniform_note = ""
    for n in (100_000, 1_000_000):
        t = time.perf_counter()
        data = shaped_vectors(n, real, rng)
        queries = near(data, 200, rng)
        gen = time.perf_counter() - t
        exact_index = faiss.IndexFlatIP(data.shape[1])
        exact_index.add(data)
        _, exact = exact_index.search(queries, 10)  # batched: the reference
        del exact_index
        candidates = [("flat", {})]
        if n <= 100_000:
            candidates += [("hnsw", {}), ("ivf-sq8", {})]
        else:
            nlist = 1000
            candidates += [("ivf-sq8", {"nlist": nlist, "nprobe": p}) for p in (100, 167, 250)]
        built_sq8 = None
        for kind, options in candidates:
            if kind == "ivf-sq8" and built_sq8 is not None:
                index, build_s, grown = built_sq8
                index.index.nprobe = options["nprobe"]
            else:
                gc.collect()
                before = rss_gb()
                t = time.perf_counter()
                index = VectorIndex.build(data, kind=kind, **options)
                build_s = time.perf_counter() - t
                grown = rss_gb() - before
                if kind == "ivf-sq8":
                    built_sq8 = (index, build_s, grown)
            lat = latencies(
                lambda q, ix=index: ix.search(q, k=10),
                queries[: 20 if kind == "flat" and n > 100_000 else 100],
            )
            _, found = index.search(queries, k=10)
            size = faiss.serialize_index(index.index).nbytes / 1e9
            label = kind
            if kind == "hnsw":
                label += f" (M {index.index.hnsw.nb_neighbors(0) // 2}, efSearch {index.index.hnsw.efSearch})"
            if kind.startswith("ivf"):
                label += f" (nlist {index.index.nlist}, nprobe {index.index.nprobe})"
            recall = recall_at_10(found, exact)
            rows.append(
                [
                    f"{n:,}",
                    label,
                    f"{build_s:.1f}",
                    f"{pct(lat, 50):.2f}",
                    f"{pct(lat, 95):.2f}",
                    f"{recall:.3f}",
                    f"{size:.2f} (RSS +{grown:.2f})",
                ]
            )
            results[(n, label)] = {"p50": pct(lat, 50), "recall": recall, "gb": size}
            if kind != "ivf-sq8":
                del index
        del built_sq8, data
        gc.collect()
        log(f"   {n:,} vectors done (generated in {gen:.0f}s)")
    # The worst case, for the record: uniform random directions have no neighbourhoods.
    data = rng.standard_normal((100_000, real.shape[1]), np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = near(data, 200, rng, noise=0.03)
    exact_index = faiss.IndexFlatIP(data.shape[1])
    exact_index.add(data)
    _, exact = exact_index.search(queries, 10)
    index = VectorIndex.build(data, kind="ivf-sq8")
    _, found = index.search(queries, k=10)
    uniform_note = (
        f"On uniform random unit vectors (100k; no structure, every pair at cosine ≈ 0) the "
        f"same IVF-SQ8 reaches recall@10 {recall_at_10(found, exact):.2f}: the nearest "
        "neighbour is found, the other nine are as good as random. Real embeddings are not "
        "like that; the rows above use vectors with the bulletin's own mean and covariance."
    )
    del data, index
    gc.collect()
    out += [
        "## 4. Scale: dense search",
        "",
        "Seeded random unit vectors of dimension 384 drawn from a Gaussian with the mean and "
        "covariance of the bulletin's real e5 vectors (passages and sentences), so they have "
        "its geometry (mean pairwise cosine ≈ 0.87). 200 queries drawn near them (a stored "
        "vector plus noise, cosine ≈ 0.98 to it). Recall@10 against exact search over all 200; "
        "latency one query at a time (100 queries; 20 for flat at 1M). Size is the serialized "
        "index; RSS is the growth of this process while building.",
        "",
        table(
            ["vectors", "index", "build s", "p50 ms", "p95 ms", "recall@10", "size GB"],
            rows,
        ),
        "",
        uniform_note,
        "",
        "HNSW is not built at 1M here: it adds ~2,000 vectors/s on these 2 cores (100k takes "
        "the time in the table), so 1M would need well over 10 minutes, and with its links "
        'it holds ~1.8 GB. `index_type="auto"` therefore uses flat below 50k vectors, HNSW up '
        "to 500k, and IVF-SQ8 (√n lists, 1/6 of them probed) above.",
        "",
    ]
    return results


def synthetic_tokens(n: int, rng: np.random.Generator, vocabulary: list[str]):
    """Documents of Zipf-distributed syllables (~60 a passage), as bm25s token ids."""
    from bm25s.tokenization import Tokenized

    lengths = np.clip(rng.normal(60, 20, n).astype(int), 5, 200)
    ranks = rng.zipf(1.2, int(lengths.sum())) - 1
    ids = (ranks % len(vocabulary)).astype(np.int64)
    docs = [chunk.tolist() for chunk in np.split(ids, np.cumsum(lengths)[:-1])]
    return Tokenized(ids=docs, vocab={w: i for i, w in enumerate(vocabulary)})


def vietnamese_like_vocabulary(rng: np.random.Generator, size: int = 20_000) -> list[str]:
    """Folded Vietnamese-looking syllables ("nghiep", "chinh") and their pairs."""
    onsets = "b c ch d g gi h k kh l m n ng nh p ph qu r s t th tr v x".split() + [""]
    rhymes = (
        "a ai am an ang anh ao au ay e em en eng eo i ia ich iem ien iep iet inh it iu o oa oai "
        "oan oang oanh oc oi om on ong op ot u ua uan uat uc ui um un ung uoc uoi uong uot up "
        "ut uy uyen uyet y yen"
    ).split()
    syllables = sorted({o + r for o in onsets for r in rhymes})
    words = dict.fromkeys(syllables)  # ordered and unique: bm25s needs one id per word
    while len(words) < size:
        a, b = rng.choice(syllables, 2)
        words[f"{a}{b}"] = None
    return list(words)[:size]


def bench_bm25(out: list[str], sizes: tuple[int, ...]) -> None:
    from assistant.retrieve.scores import fuse, ranks_of, top_k
    from assistant.store.lexical import LexicalIndex

    log("4b. BM25 and fusion at scale")
    rng = np.random.default_rng(1)
    vocabulary = vietnamese_like_vocabulary(rng)
    rows = []
    for n in sizes:
        if n > 100_000 and elapsed() > BUDGET_SECONDS - 200:
            rows.append([f"{n:,}", "skipped: the run is near its time budget", "", "", ""])
            continue
        t = time.perf_counter()
        docs = synthetic_tokens(n, rng, vocabulary)
        gen = time.perf_counter() - t
        import bm25s

        before = rss_gb()
        t = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index(docs, show_progress=False)
        build = time.perf_counter() - t
        grown = rss_gb() - before
        lexical = LexicalIndex(bm25)
        queries = [[vocabulary[i] for i in rng.zipf(1.3, 6) % 3000] for _ in range(50)]
        lat = []
        for q in queries:
            t = time.perf_counter()
            lexical.scores(q)
            lat.append(ms(time.perf_counter() - t))
        # What search.py does next with n scores: normalise, rank both lists, sort.
        scores = lexical.scores(queries[0])
        dense = rng.standard_normal(n).astype(np.float32)
        dense[rng.random(n) > 150 / n] = np.nan  # FAISS scores only its candidates
        fusion_ms = []
        for _ in range(5):
            t = time.perf_counter()
            fused = fuse(dense, scores, 0.5)
            order = top_k(fused, 5)
            ranks_of(dense, order)
            ranks_of(np.where(scores > 0, scores, np.nan), order)
            fusion_ms.append(ms(time.perf_counter() - t))
        fusion = float(np.median(fusion_ms))
        rows.append(
            [
                f"{n:,}",
                f"{gen:.1f} + {build:.1f}",
                f"{pct(lat, 50):.2f} / {pct(lat, 95):.2f}",
                f"+{grown:.2f}",
                f"{fusion:.1f}",
            ]
        )
        del docs, bm25, lexical
        gc.collect()
    out += [
        "## 4b. Scale: BM25 and fusion",
        "",
        "Synthetic folded Vietnamese-like text: a 20k vocabulary of syllables and syllable "
        "pairs, Zipf-distributed, ~60 tokens a passage (the bulletin's passages are about "
        "twice as long, so real indexing takes about twice as long). Queries of 6 tokens. "
        "Scores for every passage, as `LexicalIndex.scores` returns them. The last column "
        "times, on arrays of that size, what `search.py` does with the two score lists "
        "after retrieval (`fuse`, `top_k`, `ranks_of` for the 5 hits; median of 5).",
        "",
        table(
            [
                "passages",
                "generate + index s",
                "query p50 / p95 ms",
                "RSS GB while indexing",
                "fusion over all passages ms",
            ],
            rows,
        ),
        "",
    ]


# ---------------------------------------------------------------- 5. cold start and memory


CHILD = """
import json, sys, time
stamps = {"start": time.time()}
from assistant import Assistant, Settings
stamps["imported"] = time.time()
bot = Assistant.load(Settings.from_env(show_progress=False))
stamps["loaded"] = time.time()
questions = json.loads(sys.argv[1])
bot.ask(questions[0])
stamps["answered"] = time.time()
for q in questions:
    bot.search(q)
    bot.ask(q)
stamps["served"] = time.time()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec.
status = open("/proc/self/status").read().split("VmHWM:")[1]
stamps["peak_kb"] = int(status.split()[0])
stamps["modules"] = sorted(m for m in ("torch", "sentence_transformers", "transformers",
    "onnxruntime", "faiss", "bm25s", "gradio", "sklearn") if m in sys.modules)
print(json.dumps(stamps))
"""


def bench_cold_start(index_dirs: dict[str, Path], questions: list[str], out: list[str]) -> dict:
    log("5. cold start")
    rows, summary = [], {}
    for backend, folder in index_dirs.items():
        env = {
            **os.environ,
            "ASSISTANT_BACKEND": backend,
            "ASSISTANT_INDEX_DIR": str(folder),
            "PYTHONPATH": str(ROOT),
        }
        starts, rss, imports, loads, modules = [], [], [], [], []
        for _ in range(REPEATS):
            t0 = time.time()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps(questions)],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                cwd=ROOT,
            )
            if done.returncode:
                raise RuntimeError(f"cold-start child failed: {done.stderr[-2000:]}")
            s = json.loads(done.stdout.strip().splitlines()[-1])
            starts.append(s["answered"] - t0)
            imports.append(s["imported"] - t0)
            loads.append(s["loaded"] - s["imported"])
            rss.append(s["peak_kb"] / 2**20)
            modules = s["modules"]
        summary[backend] = {"start": float(np.median(starts)), "rss": float(np.median(rss))}
        rows.append(
            [
                backend,
                f"**{spread(starts, '{:.1f}')}**",
                spread(imports, "{:.1f}"),
                spread(loads, "{:.1f}"),
                f"**{spread(rss, '{:.2f}')}**",
                ", ".join(modules),
            ]
        )
    probe = (
        "import time; t = time.perf_counter(); import {m}; print(round(time.perf_counter() - t, 2))"
    )
    import_rows = []
    for module in ("assistant", "sentence_transformers", "onnxruntime", "faiss", "bm25s"):
        done = subprocess.run(
            [sys.executable, "-c", probe.format(m=module)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        import_rows.append([f"`import {module}`", done.stdout.strip() or "failed"])
    out += [
        "## 5. Cold start and peak memory",
        "",
        "A fresh `python` process per run, model and index cached: time from the process "
        "start to the first answer of `Assistant.ask`, then it serves every dev question "
        "(search and ask) and reports its peak RSS (`VmHWM`; `ru_maxrss` would report the "
        "parent's, which Linux carries across fork and exec). Goals: ≤ 10 s, ≤ 1.5 GB. "
        "This is the Python API process; the Gradio UI process adds Gradio on top.",
        "",
        table(
            [
                "backend",
                "start → first answer s",
                "`import assistant` s",
                "`Assistant.load` s",
                "peak RSS GiB",
                "heavy modules loaded",
            ],
            rows,
        ),
        "",
        "Import cost of each heavy library alone (one fresh process each, seconds):",
        "",
        table(["import", "s"], import_rows),
        "",
    ]
    return summary


# ---------------------------------------------------------------- 7. CLI ask, whole process

CLI_QUESTION = "Singapore hỗ trợ doanh nghiệp vừa và nhỏ như thế nào?"
PROBE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)


def cli_ask_once(backend: str, folder: Path) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one `python -m assistant ask`, as a user runs it.

    Run under a small Python parent that times it and reads its children's peak RSS
    (`getrusage(RUSAGE_CHILDREN)`): measured there, not in this big process, whose RSS
    Linux would carry into the child's `ru_maxrss` across fork and exec.
    """
    env = {**os.environ, "ASSISTANT_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "assistant", "ask", CLI_QUESTION, "--index", str(folder)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    seconds, peak_kb, code = done.stdout.split()
    if done.returncode or int(code):
        raise RuntimeError(f"`ask` with {backend} failed: {done.stderr[-2000:]}")
    return float(seconds), int(peak_kb) / 2**20


def bench_cli(index_dirs: dict[str, Path], out: list[str]) -> dict:
    log("7. CLI ask, cold, whole process")
    for backend, folder in index_dirs.items():
        cli_ask_once(backend, folder)  # the file cache is warm for everyone alike
    seconds: dict[str, list[float]] = {b: [] for b in index_dirs}
    rss: dict[str, list[float]] = {b: [] for b in index_dirs}
    for _ in range(REPEATS):  # interleaved: a busy neighbour slows every backend alike
        for backend, folder in index_dirs.items():
            s, gib = cli_ask_once(backend, folder)
            seconds[backend].append(s)
            rss[backend].append(gib)
    summary = {
        b: {"start": float(np.median(seconds[b])), "rss": float(np.median(rss[b]))}
        for b in index_dirs
    }
    base = summary.get("torch", {}).get("start")
    rows = [
        [
            f"`{b}`" + (" (default)" if b == Settings().backend else ""),
            f"**{spread(seconds[b], '{:.2f}')}**",
            f"{base / summary[b]['start']:.1f}×" if base else "",
            f"**{spread(rss[b], '{:.2f}')}**",
        ]
        for b in index_dirs
    ]
    out += [
        "## 7. CLI `ask`, whole process, cold",
        "",
        f'`python -m assistant ask "{CLI_QUESTION}" --index …` as a user types it, model '
        f"and index cached: the time from starting the process to its exit, and its peak RSS "
        f"(`getrusage(RUSAGE_CHILDREN)` in a small parent). {REPEATS} runs each, interleaved "
        "across the backends, after one unmeasured run each; median (min–max). torch and "
        "onnx read the same index (their vectors are equal). Goal for the default backend: "
        "≤ 2.5 s and ≤ 0.6 GiB.",
        "",
        table(["backend", "seconds", "× faster than torch", "peak RSS GiB"], rows),
        "",
    ]
    return summary


def merge_sections(path: Path, new: list[str]) -> list[str]:
    """The file at `path` with its `## ` sections replaced by those in `new` (others kept)."""

    def sections(text: str) -> dict[str, str]:
        parts = ("\n" + text).split("\n## ")
        return {p.split("\n", 1)[0]: "## " + p for p in parts[1:]} | {"": parts[0].lstrip("\n")}

    old = sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    fresh = sections("\n".join(new))
    if "Goals" in old and "Goals" in fresh:
        # a partial run refreshes its own goals' rows and keeps the others'
        mine = [line for line in fresh["Goals"].splitlines() if line.startswith("| ")]
        seen = {line.split(" | ")[0] for line in mine}
        kept = [
            line
            for line in old["Goals"].splitlines()
            if line.startswith("| ") and line.split(" | ")[0] not in seen
        ]
        rest = [line for line in fresh["Goals"].splitlines() if not line.startswith("| ")]
        at = rest.index("|---|---|---|")
        fresh["Goals"] = "\n".join(
            rest[:at] + mine[:1] + rest[at : at + 1] + kept + mine[1:] + rest[at + 1 :]
        )
    merged = dict(old)
    for title, body in fresh.items():
        if title not in ("", "Machine"):
            merged[title] = body.rstrip("\n") + "\n"
    merged["Machine"] = fresh.get("Machine", old.get("Machine", ""))
    head = merged.pop("", "")
    order = sorted(merged, key=lambda t: (not t[:1].isdigit(), t[:2] if t[:1].isdigit() else t))
    goals = [t for t in order if t == "Goals"]
    order = ["Machine"] + [t for t in order if t not in ("Machine", "Goals")] + goals
    return [head.rstrip("\n") + "\n"] + [merged[t].rstrip("\n") + "\n" for t in order]


# ---------------------------------------------------------------- main


SECTIONS = ("build", "latency", "encoders", "scale", "cold", "cli", "milvus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--quick", action="store_true", help="one run of each, no scale section (for checks)"
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated sections to run ({', '.join(SECTIONS)}); the others' "
        "sections in the output file are kept as they are",
    )
    args = parser.parse_args(argv)
    if args.only == "milvus":
        return only_milvus(args.output)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - set(SECTIONS):
        parser.error(f"--only: unknown section(s) {sorted(only - set(SECTIONS))}")
    if "encoders" in only:
        only.add("build")  # the encoders are timed in the build rounds
    if args.quick:
        global REPEATS
        REPEATS = 1
        only -= {"scale", "milvus"}
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python bench/run.py`); rerun it to refresh. Medians with "
        "min–max over repeated runs; ratios from runs made side by side in one process. The "
        "machine is shared: the load average below says how busy it was.",
        "",
        "## Machine",
        "",
        machine(),
        "",
    ]
    questions = [item.question for item in read_items(DEV_SET)]
    base = Settings.from_env(show_progress=False)
    sources, _ = documents_mod.load_corpus(Path(base.corpus_dir))
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    # torch and onnx (fp32) make the same vectors and share an index; int8 has its own.
    index_dirs = {
        "torch": work / "index-fp32",
        "onnx": work / "index-fp32",
        "onnx-int8": work / "index-onnx-int8",
    }
    overhead = latency = encoders = scale = cold = cli = None
    if "build" not in only and (ROOT / "index" / "manifest.json").is_file():
        # A start: `Assistant.load` checks it (corpus, model, files) and rebuilds if it must.
        shutil.copytree(ROOT / "index", index_dirs["onnx"])

    try:
        log("loading the model (torch) and its ONNX exports")
        embedders = {b: embedder_mod.load(settings_for(b, index_dirs[b])) for b in index_dirs}
        if "build" in only:
            texts, overhead, seconds = bench_build(embedders, sources, index_dirs["torch"], out)
        bots = {
            backend: Assistant.load(
                settings_for(backend, index_dirs[backend]), embedder=embedders[backend]
            )
            for backend in index_dirs
        }
        if "latency" in only:
            latency = bench_latency(bots, questions, out)
        if "encoders" in only:
            encoders = bench_encoders(embedders, texts, seconds, questions, bots, out)
        real = np.concatenate(
            [bots["torch"].index.embeddings, bots["torch"].index.sentence_embeddings]
        )
        milvus_out: list[str] = []
        if "milvus" in only:
            bench_milvus(
                settings_for("torch", index_dirs["torch"]),
                embedders["torch"],
                questions,
                real,
                milvus_out,
                shaped=shaped_vectors,
                near=near,
                log=log,
            )
        del bots, embedders
        gc.collect()
        if "scale" in only:
            scale = bench_scale(real, out)
            bench_bm25(out, (100_000, 1_000_000))
        if "cold" in only:
            cold = bench_cold_start(index_dirs, questions, out)
        out += milvus_out
        if "cli" in only:
            cli = bench_cli(index_dirs, out)
        out += goals(overhead, latency, encoders, scale, cold, cli)
        out += [
            f"Total run time: {elapsed() / 60:.1f} minutes. Load average at the end: "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg())
            + ".",
            "",
        ]
    except Exception as exc:  # keep what was measured; say where it stopped
        out += ["", f"**The run stopped here: {type(exc).__name__}: {exc}**", ""]
        raise
    finally:
        if args.only:
            out = merge_sections(args.output, out)
        args.output.write_text("\n".join(out), encoding="utf-8")
        log(f"wrote {args.output}")
        shutil.rmtree(work, ignore_errors=True)
    return 0


MILVUS_HEADING = "## 6. FAISS and Milvus Lite"


def only_milvus(output: Path) -> int:
    """Section 6 alone, written in place of its previous version in `output`."""
    settings = Settings.from_env(show_progress=False)
    questions = [item.question for item in read_items(DEV_SET)]
    embedder = embedder_mod.load(settings)
    bot = Assistant.load(settings, embedder=embedder)
    real = np.concatenate([bot.index.embeddings, bot.index.sentence_embeddings])
    section: list[str] = []
    bench_milvus(
        settings, embedder, questions, real, section, shaped=shaped_vectors, near=near, log=log
    )
    section.append(
        f"(Run alone with `python bench/run.py --only milvus`: {elapsed() / 60:.1f} minutes; "
        "load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + ".)"
    )
    section.append("")
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(MILVUS_HEADING)), None)
    if start is None:  # before the goals, or at the end
        start = next((i for i, line in enumerate(lines) if line == "## Goals"), len(lines))
        end = start
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
    lines[start:end] = section
    output.write_text("\n".join(lines), encoding="utf-8")
    log(f"wrote section 6 of {output}")
    return 0


def goals(
    overhead: float | None,
    latency: dict | None,
    encoders: dict | None,
    scale: dict | None,
    cold: dict | None,
    cli: dict | None,
) -> list[str]:
    """One line per goal of the sections run: met or not, with the figure."""
    rows = []
    if overhead is not None:
        rows.append(
            [
                "build ÷ raw encode of the same texts ≤ 1.10 (torch)",
                f"{overhead:.3f}",
                "met" if overhead <= 1.10 else "not met",
            ]
        )
    for backend, s in (latency or {}).items():
        rows.append(
            [
                f"`ask` p50 ≤ 25 ms, p95 ≤ 60 ms ({backend})",
                f"{s['ask_p50']:.1f} / {s['ask_p95']:.1f} ms",
                "met" if s["ask_p50"] <= 25 and s["ask_p95"] <= 60 else "not met",
            ]
        )
    default = Settings().backend
    if latency and default in latency:
        p50 = latency[default]["ask_p50"]
        rows.append(
            [
                f"warm `ask` p50 ≤ 15 ms (default backend, {default})",
                f"{p50:.1f} ms",
                "met" if p50 <= 15 else "not met",
            ]
        )
    if encoders:
        ratio = encoders["ratio"]["onnx-int8"]
        delta = encoders["recall"]["onnx-int8"] - encoders["recall"]["torch"]
        rows.append(
            [
                "onnx-int8 ≥ 2× torch throughput, R@5 within 0.01",
                f"{ratio:.2f}×, R@5 {delta:+.3f}",
                "met" if ratio >= 2 and abs(delta) <= 0.01 else "not met",
            ]
        )
    at_1m = [(k, v) for k, v in (scale or {}).items() if k[0] == 1_000_000 and "ivf" in k[1]]
    good = [(k, v) for k, v in at_1m if v["p50"] <= 20 and v["recall"] >= 0.95 and v["gb"] <= 2]
    if at_1m:
        k, v = (good or at_1m)[0]
        rows.append(
            [
                "1M vectors: p50 ≤ 20 ms, recall@10 ≥ 0.95, ≤ 2 GB",
                f"{k[1]}: {v['p50']:.1f} ms, {v['recall']:.3f}, {v['gb']:.2f} GB",
                "met" if good else "not met",
            ]
        )
    for backend, s in (cold or {}).items():
        rows.append(
            [
                f"cold start ≤ 10 s, peak RSS ≤ 1.5 GB ({backend})",
                f"{s['start']:.1f} s, {s['rss']:.2f} GiB",
                "met" if s["start"] <= 10 and s["rss"] <= 1.5 else "not met",
            ]
        )
    if cli and default in cli:
        s = cli[default]
        rows.append(
            [
                f"cold CLI `ask` ≤ 2.5 s, peak RSS ≤ 0.6 GiB (default backend, {default})",
                f"{s['start']:.2f} s, {s['rss']:.2f} GiB",
                "met" if s["start"] <= 2.5 and s["rss"] <= 0.6 else "not met",
            ]
        )
    return ["## Goals", "", table(["goal", "measured", ""], rows), ""]


if __name__ == "__main__":
    sys.exit(main())
