"""Section 6 of the benchmarks: FAISS against Milvus Lite, side by side in one process.

- At the bulletin's size: the same index folder searched through FAISS and through Milvus
  Lite collections (`Settings.store`), dev questions: the vector search alone (passages,
  then sentences, query vectors encoded once), the whole hybrid search, and whether the
  hits are equal.
- At 100k synthetic vectors shaped like the bulletin's: FAISS flat and HNSW against Milvus
  Lite FLAT and HNSW with the same parameters; recall@10 against exact search.

Queries alternate between the engines, so a busy neighbour slows both alike.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / exact.shape[1] for a, b in zip(found, exact)]))


def bulletin_size(settings, embedder, questions: list[str], log) -> tuple[list[list], dict]:
    """FAISS and Milvus Lite over the real bulletin index: latency and equality of hits."""
    from assistant import Assistant

    folder = Path(tempfile.mkdtemp(prefix="bench-milvus-"))
    try:
        faiss_bot = Assistant.load(settings, embedder=embedder)
        t = time.perf_counter()
        milvus_bot = Assistant.load(
            settings.model_copy(
                update={"store": "milvus", "milvus_uri": str(folder / "milvus.db")}
            ),
            embedder=embedder,
        )
        load_s = time.perf_counter() - t
        log(f"   Milvus Lite collections written and loaded in {load_s:.1f}s")
        infos = [faiss_bot.searcher.analyze(q) for q in questions]
        qvecs = embedder.encode_queries([i.dense_query for i in infos])
        times: dict[str, dict[str, list[float]]] = {
            name: {"vectors": [], "search": []} for name in ("faiss", "milvus")
        }
        same_ids, worst = 0, 0.0
        bots = {"faiss": faiss_bot, "milvus": milvus_bot}
        for _ in range(3):
            for info, q in zip(infos, qvecs):
                hits = {}
                for name, bot in bots.items():
                    index = bot.index
                    t = time.perf_counter()
                    index.vectors.search(q, k=50)
                    index.sentence_vectors.search(q, k=150)
                    times[name]["vectors"].append(_ms(time.perf_counter() - t))
                    t = time.perf_counter()
                    hits[name] = bot.searcher.run(info, k=5)[0]
                    times[name]["search"].append(_ms(time.perf_counter() - t))
                same_ids += [h.passage.id for h in hits["faiss"]] == [
                    h.passage.id for h in hits["milvus"]
                ]
                gap = max(
                    [abs(a.score - b.score) for a, b in zip(hits["faiss"], hits["milvus"])] or [0]
                )
                worst = max(worst, gap)
        n = len(faiss_bot.index.passages) + len(faiss_bot.index.sentences)
        rows = [
            [
                f"bulletin ({len(faiss_bot.index.passages)} passages + "
                f"{len(faiss_bot.index.sentences)} sentences)",
                engine,
                "exact" if engine == "FAISS" else "FLAT",
                "–" if engine == "FAISS" else f"{load_s:.1f}",
                f"{_p(times[key]['vectors'], 50):.2f} / {_p(times[key]['vectors'], 95):.2f}",
                f"{_p(times[key]['search'], 50):.2f}",
                "1.000",
            ]
            for engine, key in (("FAISS", "faiss"), ("Milvus Lite", "milvus"))
        ]
        milvus_bot.close()
        return rows, {
            "vectors": n,
            "same": same_ids,
            "worst": worst,
            "total": 3 * len(questions),
            "load_s": load_s,
            "faiss_p50": _p(times["faiss"]["vectors"], 50),
            "milvus_p50": _p(times["milvus"]["vectors"], 50),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def synthetic(data: np.ndarray, queries: np.ndarray, log) -> list[list]:
    """FAISS flat and HNSW against Milvus Lite FLAT and HNSW over the same vectors."""
    import faiss
    from pymilvus import DataType, MilvusClient

    from assistant.store.milvus_search import INDEXES
    from assistant.store.vectors import VectorIndex

    n, dim = data.shape
    exact_index = faiss.IndexFlatIP(dim)
    exact_index.add(data)
    _, exact = exact_index.search(queries, 10)
    del exact_index
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="bench-milvus-"))
    client = MilvusClient(str(folder / "milvus.db"))
    try:
        for kind in ("flat", "hnsw"):
            t = time.perf_counter()
            index = VectorIndex.build(data, kind=kind)
            faiss_build = time.perf_counter() - t
            name = f"v_{kind}"
            milvus_kind, build, search = INDEXES[kind]
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("id", DataType.INT64, is_primary=True)
            schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
            params = client.prepare_index_params()
            params.add_index("vector", index_type=milvus_kind, metric_type="IP", params=build)
            t = time.perf_counter()
            client.create_collection(name, schema=schema, index_params=params)
            for start in range(0, n, 5_000):
                client.insert(
                    name,
                    [
                        {"id": start + i, "vector": v}
                        for i, v in enumerate(data[start : start + 5_000].tolist())
                    ],
                )
            client.flush(name)
            client.load_collection(name)
            # the first search builds what is left to build
            client.search(
                name,
                data=[queries[0].tolist()],
                limit=10,
                search_params={"metric_type": "IP", "params": search},
            )
            milvus_build = time.perf_counter() - t
            log(
                f"   100k {kind}: FAISS built in {faiss_build:.1f}s, Milvus Lite in {milvus_build:.1f}s"
            )
            lat = {"faiss": [], "milvus": []}
            found = {"faiss": [], "milvus": []}
            for q in queries:
                t = time.perf_counter()
                _, r = index.search(q[None], k=10)
                lat["faiss"].append(_ms(time.perf_counter() - t))
                found["faiss"].append(r[0])
                t = time.perf_counter()
                hits = client.search(
                    name,
                    data=[q.tolist()],
                    limit=10,
                    search_params={"metric_type": "IP", "params": search},
                )
                lat["milvus"].append(_ms(time.perf_counter() - t))
                found["milvus"].append([h["id"] for h in hits[0]])
            label = "exact" if kind == "flat" else "HNSW (M 32, ef 128)"
            for engine, key, built in (
                ("FAISS", "faiss", faiss_build),
                ("Milvus Lite", "milvus", milvus_build),
            ):
                rows.append(
                    [
                        f"{n:,} synthetic",
                        engine,
                        label if engine == "FAISS" else f"{milvus_kind}",
                        f"{built:.1f}",
                        f"{_p(lat[key], 50):.2f} / {_p(lat[key], 95):.2f}",
                        "–",
                        f"{_recall(np.array(found[key]), exact):.3f}",
                    ]
                )
            client.drop_collection(name)
            del index
            gc.collect()
    finally:
        client.close()
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(folder / "milvus.db"))
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def bench_milvus(
    settings, embedder, questions: list[str], real: np.ndarray, out: list[str], *, shaped, near, log
) -> dict:
    """Section 6; `shaped` and `near` make the synthetic vectors as section 4 does."""
    log("6. FAISS and Milvus Lite")
    rows, small = bulletin_size(settings, embedder, questions, log)
    rng = np.random.default_rng(0)
    data = shaped(100_000, real, rng)
    queries = near(data, 100, rng)
    rows += synthetic(data, queries, log)
    out += [
        "## 6. FAISS and Milvus Lite (`Settings.store`)",
        "",
        "Side by side in one process, queries alternating between the engines. At the "
        "bulletin's size: the same index folder searched through FAISS and through Milvus Lite "
        'collections, dev questions × 3, query vectors encoded once; "vector search" is the '
        "passages' top 50 plus the sentences' top 150 (what `search` asks the store), "
        '"search" the whole hybrid `Searcher.run` (the query vector is in the embedder '
        "cache). At 100k: "
        "vectors shaped like the bulletin's (section 4), 100 queries near them, one at a time; "
        "recall@10 against exact search. Build: writing the collection and building its "
        "index (Milvus) or building the index (FAISS).",
        "",
        _table(
            [
                "vectors",
                "engine",
                "index",
                "build s",
                "vector search p50 / p95 ms",
                "search p50 ms",
                "recall@10",
            ],
            rows,
        ),
        "",
        f"At the bulletin's size Milvus Lite returned the same passages in the same order as "
        f"FAISS for {small['same']} of {small['total']} searches (fused scores within "
        f"{small['worst']:.4f}). Its vector search took {small['milvus_p50']:.1f} ms at the "
        f"median against FAISS's {small['faiss_p50']:.2f} ms: Milvus Lite is a pure-Python "
        "engine running in the app's process behind a local gRPC server, made for trying the "
        "Milvus setup on one machine, not for speed. A Milvus server (C++, its own machines) "
        "was not available to measure here.",
        "",
    ]
    return small
