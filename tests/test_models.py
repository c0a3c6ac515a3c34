import hashlib

from transformers import AutoModel, AutoTokenizer

from xlt.models.registry import resolve_model
from xlt.models.tiny import TINY_XLMR, build_tiny_xlmr, corpus_lines


def test_tiny_xlmr_builds_once_and_loads_through_from_pretrained():
    path = resolve_model("tiny-xlmr")
    mtime = (path_cfg := __import__("pathlib").Path(path) / "config.json").stat().st_mtime
    assert resolve_model("tiny-xlmr") == path and path_cfg.stat().st_mtime == mtime  # cached
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path)
    assert model.config.model_type == "xlm-roberta" and model.config.hidden_size == TINY_XLMR["hidden_size"]
    assert 1000 < len(tok) == model.config.vocab_size
    assert tok.pad_token_id == 1 and tok.convert_ids_to_tokens(0) == "<s>"


def test_tokenizer_covers_every_fixture_language_without_unknowns():
    tok = AutoTokenizer.from_pretrained(resolve_model("tiny-xlmr"))
    for text in ["Die Jungen spielen nach der Schule Fußball.", "男孩们放学后踢足球。",
                 "لڑکے اسکول کے بعد فٹبال کھیل رہے ہیں۔", "Wavulana wanacheza mpira wa miguu baada ya shule."]:
        ids = tok(text)["input_ids"]
        assert tok.unk_token_id not in ids
        assert tok.decode(ids, skip_special_tokens=True).replace(" ", "") == text.replace(" ", "")


def test_build_is_deterministic(tmp_path):
    lines = corpus_lines()
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        build_tiny_xlmr(tmp_path / name, lines)
    digest = lambda d: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}
    a, b = digest(tmp_path / "a"), digest(tmp_path / "b")
    assert a["sentencepiece.bpe.model"] == b["sentencepiece.bpe.model"]
    assert a["model.safetensors"] == b["model.safetensors"]
