"""Model names -> something `from_pretrained` loads.

Local names (`tiny-xlmr`) are built on this machine. Known hub names resolve unchanged. Any
`org/name` id or existing directory goes to `from_pretrained` as written. A bare name that is
none of these is an error with a suggestion, so a typo fails before Ray starts, not on a worker.
"""

import re
from collections.abc import Callable
from pathlib import Path

from xlt.models.tiny import tiny_decoder_dir, tiny_mt5_dir, tiny_xlmr_dir
from xlt.suggest import did_you_mean

COMMIT = re.compile(r"^[0-9a-f]{40}$")
"""A hub commit id: a revision that pins a repository's content."""

LOCAL_MODELS: dict[str, Callable[[], Path]] = {"tiny-xlmr": tiny_xlmr_dir, "tiny-mt5": tiny_mt5_dir,
                                                "tiny-decoder": tiny_decoder_dir}

HUB_MODELS = (
    "xlm-roberta-base", "xlm-roberta-large", "bert-base-multilingual-cased",
    "microsoft/mdeberta-v3-base", "google/mt5-small", "google/mt5-base", "google/mt5-large",
    "facebook/mbart-large-50", "bigscience/bloom-560m", "facebook/xglm-564M", "Qwen/Qwen2.5-0.5B",
)


FAMILIES = {"tiny-xlmr": "encoder", "tiny-mt5": "encoder-decoder", "tiny-decoder": "decoder",
            "xlm-roberta-base": "encoder", "xlm-roberta-large": "encoder", "bert-base-multilingual-cased": "encoder",
            "microsoft/mdeberta-v3-base": "encoder", "google/mt5-small": "encoder-decoder",
            "google/mt5-base": "encoder-decoder", "google/mt5-large": "encoder-decoder",
            "facebook/mbart-large-50": "encoder-decoder", "bigscience/bloom-560m": "decoder",
            "facebook/xglm-564M": "decoder", "Qwen/Qwen2.5-0.5B": "decoder"}
"""The family of each named model (from its config's architecture), so a sweep is checked before
it starts; other models' family is read from their config when a trial loads them."""


def head_of(head: str, model: str) -> str:
    """`model.head` for one model: `native` is pooled for an encoder and text otherwise; a model
    whose family is not known here keeps `native` (the trial reads its config)."""
    if head != "native":
        return head
    family = FAMILIES.get(model)
    return "native" if family is None else ("pooled" if family == "encoder" else "text")


class UnknownModelError(ValueError):
    pass


def check_model_name(name: str) -> None:
    """Raise UnknownModelError for a bare name that is neither local, known, nor a directory."""
    if name in LOCAL_MODELS or name in HUB_MODELS or "/" in name or Path(name).is_dir():
        return
    hint = did_you_mean(name, [*LOCAL_MODELS, *HUB_MODELS])
    raise UnknownModelError(
        f"unknown model {name!r}{hint}; use a local model ({', '.join(LOCAL_MODELS)}), "
        f"a known hub model, a hub id written as org/name, or a model directory"
    )


def resolve_model(name: str) -> str:
    """What to pass to `from_pretrained`: a built local directory, or the name unchanged."""
    check_model_name(name)
    if name in LOCAL_MODELS:
        return str(LOCAL_MODELS[name]())
    return name
