"""`xlt data prepare`: read and tokenise everything a sweep's trials will read, once, into the
feature cache on the sweep's storage, so that trials (on any node of a cluster) read the cache and
never the hub. It goes through the trials' own code and keys (xlt.trial.data)."""

import itertools
from collections.abc import Callable

from xlt.config import Choice, SweepConfig


def plans_for_data(cfg: SweepConfig, revisions) -> list:
    """One trial plan for each model x intermediate choice x target choice: together they read
    every split a trial of the sweep can read (learning rates and seeds read nothing else)."""
    from xlt.trial.expand import MIXTURE_SEARCH, expand

    inter = cfg.intermediate
    if inter.mixture is not None:
        intermediates = [MIXTURE_SEARCH]
    else:
        intermediates = inter.tasks.choice if isinstance(inter.tasks, Choice) else [inter.tasks]
    targets = cfg.target.tasks.choice if isinstance(cfg.target.tasks, Choice) else [None]
    plans = []
    for model, name, target in itertools.product(cfg.model.names, intermediates, targets):
        params = {"intermediate_task": name, "seed": 0, "model": model, "intermediate_learning_rate": 1e-5,
                  "target_learning_rate": 1e-5, **({"target_task": target} if target else {})}
        if name == MIXTURE_SEARCH:
            params.update({f"mixture_weight_{t}": 1.0 for t in inter.mixture.tasks})
        plans.append(expand(cfg, params, "prepare", "/dev/null", revisions=revisions))
    return plans


def prepare(cfg: SweepConfig, revisions, echo: Callable[[str], None] = print) -> int:
    """Encode every read of the sweep into its feature cache; returns how many entries it holds."""
    from rich.progress import Progress
    from transformers import AutoTokenizer

    from xlt.models.registry import resolve_model
    from xlt.models.registry import COMMIT
    from xlt.trial.data import TrialData, reads

    if not cfg.cache:
        raise ValueError("cache: false: xlt data prepare fills the feature cache, which this sweep does not use")
    work = []
    seen = set()
    tokenizers = {}
    for plan in plans_for_data(cfg, revisions):
        if plan.model not in tokenizers:
            pin = plan.model_revision if COMMIT.match(plan.model_revision or "") else None
            tokenizers[plan.model] = AutoTokenizer.from_pretrained(resolve_model(plan.model),
                                                                   trust_remote_code=plan.trust_remote_code,
                                                                   **({"revision": pin} if pin else {}))
        data = TrialData(plan, tokenizers[plan.model], text_family=_text_family(plan))
        for read in reads(plan):
            key = (plan.model, read, plan.max_seq_length)
            if key not in seen:
                seen.add(key)
                work.append((data, read))
    with Progress() as progress:
        bar = progress.add_task("reading and tokenising", total=len(work))
        for data, read in work:
            task, data_task = data.task(read.task), data.task(read.data_task)
            progress.update(bar, description=f"{read.data_task} {read.split} {read.language or ''}".strip())
            if read.encode:
                data.encoded(task, data_task, read.split, read.language, read.limit)
            else:
                data.records(task, read.language, read.split)
            progress.advance(bar)
    echo(f"prepared {len(work)} splits into {cfg.storage.rstrip('/')}/cache/features")
    return len(work)


def _text_family(plan) -> str | None:
    """The family a trial of `plan` runs text to text (xlt.trial.torch_backend.load_model's rule:
    `text`, or `native` on a model that is not an encoder), or None under a pooled head."""
    if plan.head == "pooled":
        return None
    from xlt.models.backbone import model_family

    family = model_family(plan.model, plan.trust_remote_code, plan.model_revision)
    return None if family == "encoder" else family
