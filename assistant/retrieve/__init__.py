"""Stage 5, retrieve: query analysis, hybrid search and fusion, follow-up rewriting."""
