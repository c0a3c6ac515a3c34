"""Peak GPU memory of fine-tuning a backbone, estimated from its shape (no GPU was lent to
measure it): what fits on the GPU types the cluster configs offer.

Full fine-tuning with bf16 autocast and AdamW keeps fp32 weights (4 B/parameter), fp32 gradients
(4 B) and two fp32 Adam moments (8 B): 16 B a parameter. Activations per layer, in 16-bit, without
recomputation: 34·s·b·h + 5·a·s²·b bytes (Korthikanti et al., 2022). With LoRA the backbone is
frozen in bf16 (2 B/parameter), the adapters are negligible, and the activations stay.

    python -m xlt.models.memory            # the table in docs/backbones.md
"""

from dataclasses import dataclass

GIB = 1024 ** 3
GPUS = {"A10G 24 GB (aws g5)": 24, "L4 24 GB (gcp g2)": 24, "A100 40 GB (aws p4d, gcp a2)": 40}
OVERHEAD_GIB = 1.5  # CUDA context, allocator fragmentation, workspace


@dataclass(frozen=True)
class Shape:
    name: str
    family: str
    params: float        # of the part xlt loads (an encoder-decoder's encoder)
    hidden: int
    layers: int
    heads: int


# Published shapes (the encoder of an encoder-decoder: xlt does not load the decoder). The
# parameters of mBERT, mT5-small/base and mBART-50's encoder are counted by transformers from the
# hub configs' sizes (hidden, layers, heads, feed-forward, vocabulary) on the meta device; the same
# count gives mT5-large's encoder 564.4M, the figure below.
SHAPES = (
    Shape("xlm-roberta-base", "encoder", 278e6, 768, 12, 12),
    Shape("xlm-roberta-large", "encoder", 560e6, 1024, 24, 16),
    Shape("bert-base-multilingual-cased", "encoder", 178e6, 768, 12, 12),
    Shape("microsoft/mdeberta-v3-base", "encoder", 278e6, 768, 12, 12),
    Shape("google/mt5-small (encoder)", "encoder-decoder", 147e6, 512, 8, 6),
    Shape("google/mt5-base (encoder)", "encoder-decoder", 277e6, 768, 12, 12),
    Shape("google/mt5-large (encoder)", "encoder-decoder", 564e6, 1024, 24, 16),
    Shape("google/mt5-xl (encoder)", "encoder-decoder", 1.67e9, 2048, 24, 32),
    Shape("facebook/mbart-large-50 (encoder)", "encoder-decoder", 408e6, 1024, 12, 16),
    Shape("bigscience/bloom-560m", "decoder", 559e6, 1024, 24, 16),
    Shape("facebook/xglm-564M", "decoder", 564e6, 1024, 24, 16),
    Shape("Qwen/Qwen2.5-0.5B", "decoder", 494e6, 896, 24, 14),
    Shape("bigscience/bloom-1b7", "decoder", 1.72e9, 2048, 24, 16),
    Shape("Qwen/Qwen2.5-7B", "decoder", 7.6e9, 3584, 28, 28),
    Shape("meta-llama/Llama-3.1-8B", "decoder", 8.0e9, 4096, 32, 32),
)


def peak_gib(shape: Shape, seq: int = 256, batch: int = 8, lora: bool = False) -> float:
    states = shape.params * (2 if lora else 16)
    activations = shape.layers * (34 * seq * batch * shape.hidden + 5 * shape.heads * seq * seq * batch)
    return (states + activations) / GIB + OVERHEAD_GIB


def table(seq: int = 256, batch: int = 8) -> str:
    lines = [f"| model | family | parameters | full FT, GiB (seq {seq}, batch {batch}) | LoRA, GiB | fits (full / LoRA) |",
             "|---|---|---|---|---|---|"]
    for s in SHAPES:
        full, lora = peak_gib(s, seq, batch), peak_gib(s, seq, batch, lora=True)
        fits = "; ".join(f"{gpu.split(' (')[0]}: {'yes' if full <= gib else 'no'} / {'yes' if lora <= gib else 'no'}"
                         for gpu, gib in GPUS.items() if not gpu.startswith("L4"))
        lines.append(f"| {s.name} | {s.family} | {s.params / 1e6:,.0f}M | {full:.1f} | {lora:.1f} | {fits} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
