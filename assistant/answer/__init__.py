"""Stage 6, answer: extractive answers with citations, abstention, the checked LLM mode, briefs."""
