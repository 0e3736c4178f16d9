"""Stage 4, store: the index on disk (manifest, checksums, build and update), FAISS vectors, BM25."""
