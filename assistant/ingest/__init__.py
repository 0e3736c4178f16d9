"""Stage 2, ingest: reading files (txt, md, pdf, docx), the corpus folder, passages, sentences."""
