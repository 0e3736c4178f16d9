"""Stage 1, text: normalisation, folding, tokens, acronyms, diacritic restoration, lexicons."""

from .normalize import (
    GLOSSARY,
    NAME_GROUPS,
    Vocabulary,
    clean,
    fold,
    glossary_terms,
    has_diacritics,
    mine_acronyms,
    places_in,
    tokens,
)

__all__ = [
    "GLOSSARY",
    "NAME_GROUPS",
    "Vocabulary",
    "clean",
    "fold",
    "glossary_terms",
    "has_diacritics",
    "mine_acronyms",
    "places_in",
    "tokens",
]
