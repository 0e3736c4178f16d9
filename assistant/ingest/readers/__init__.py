"""Readers of the file formats: text and Markdown, PDF, DOCX; each returns an `Extracted`."""
