"""Stage 1, text: normalisation, folding, tokens, acronyms, diacritic restoration, lexicons."""

from .lexicon import (
    GLOSSARY,
    NAME_GROUPS,
    add_corpus_lexicon,
    glossary_terms,
    place_match,
    place_words,
    places_in,
    with_countries,
)
from .normalize import (
    Vocabulary,
    clean,
    fold,
    has_diacritics,
    mine_acronyms,
    tokens,
)

__all__ = [
    "GLOSSARY",
    "NAME_GROUPS",
    "Vocabulary",
    "add_corpus_lexicon",
    "clean",
    "fold",
    "glossary_terms",
    "has_diacritics",
    "mine_acronyms",
    "place_match",
    "place_words",
    "places_in",
    "tokens",
    "with_countries",
]
