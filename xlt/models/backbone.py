"""Load an encoder and its tokenizer through `from_pretrained`."""

from torch import nn

from xlt.models.registry import resolve_model

# Families whose AutoModel carries a pooler we never use (it would leave DDP with unused params).
_POOLER_FAMILIES = {"xlm-roberta", "roberta", "bert"}


def load_encoder(name: str, trust_remote_code: bool = False) -> tuple[nn.Module, object]:
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    path = resolve_model(name)
    config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code)
    kwargs = {"add_pooling_layer": False} if config.model_type in _POOLER_FAMILIES else {}
    encoder = AutoModel.from_pretrained(path, trust_remote_code=trust_remote_code, **kwargs)
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    return encoder, tokenizer
