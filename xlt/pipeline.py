"""One trial: phase 2 (intermediate training, or none), then for each target task phase 3
(English fine-tuning from phase 2's encoder) and zero-shot evaluation on every language.

Plain Python over a `Runtime`: Ray Train workers run it through `xlt.train`, tests run it in
one process. Each unit (the intermediate phase; each target's fine-tuning + evaluation) writes
its rows and reports a checkpoint holding the post-intermediate encoder and the units done, so a
restarted worker group resumes after the last finished unit instead of starting over.
"""

import json
import logging
import random
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from xlt.data.loading import DataError, available_languages, load_bitext
from xlt.data.pools import load_pool
from xlt.formats import FORMATS
from xlt.formats.retrieval import (bucc_candidates, bucc_score, bucc_threshold, default_retrieval_layer, distinct,
                                   pool_files, pool_score, rank_pool, tatoeba_score)
from xlt.mixtures import Mixture
from xlt.models.backbone import backbone_of, load_encoder, with_lora
from xlt.models.registry import resolve_model
from xlt.models.task_model import MultiTaskModel, TaskModel
from xlt.objective import TargetScores, objective_metrics, scores_from_rows
from xlt.results import ResultRow, write_rows
from xlt.cache import PhaseCache
from xlt.cache_claim import claim
from xlt.runtime import Runtime
from xlt.trial_data import TrialData
from xlt.storage import write_text
from xlt.tasks import TaskSpec
from xlt.train import predict, train_loop
from xlt.trial_plan import PhasePlan, TrialPlan  # noqa: F401  (re-exported: the plan a trial runs)

log = logging.getLogger(__name__)

@dataclass
class TrialState:
    """What survives a restart: units finished and the zero-shot scores they produced, and where
    the post-intermediate encoder (every target's starting point) comes back from."""

    completed: list[str] = field(default_factory=list)
    scores: dict[str, dict] = field(default_factory=dict)
    """Task -> its TargetScores as JSON."""
    step: int = 0
    notices: list[str] = field(default_factory=list)
    """Cache entries found damaged and rebuilt: reported to the sweep's own output."""
    encoder_source: str = "checkpoint"
    """Where a resumed trial gets the post-intermediate encoder: `checkpoint` (its weights are in
    the checkpoint), `model` (no intermediate phase: the pretrained model, loaded as at the start)
    or `cache:<key>` (the phase cache's intermediate entry). Only `checkpoint` writes weights: a
    checkpoint never copies what the cache or the model already hold (2.2 GB a unit for XLM-R large)."""

    def save(self, directory: Path, encoder_state: dict[str, torch.Tensor]) -> None:
        if self.encoder_source == "checkpoint":
            save_file({k: v.contiguous() for k, v in encoder_state.items()}, str(directory / "encoder.safetensors"))
        (directory / "state.json").write_text(json.dumps(self.__dict__))

    @classmethod
    def load(cls, directory: Path) -> tuple["TrialState", dict[str, torch.Tensor] | None]:
        state = cls(**json.loads((directory / "state.json").read_text()))
        weights = directory / "encoder.safetensors"
        return state, (load_file(str(weights)) if state.encoder_source == "checkpoint" else None)


def run_trial(plan: TrialPlan, rt: Runtime) -> float:
    """Run (or resume) every unit of the trial; returns the objective."""
    _seed_everything(plan.seed)
    encoder, tokenizer = load_encoder(plan.model, plan.trust_remote_code, plan.model_revision)
    if plan.lora:
        encoder = with_lora(encoder, plan.lora)
    state = TrialState()
    restored = rt.restored_checkpoint()
    if restored is not None:
        state = _restore(plan, restored, encoder)
    runner = _UnitRunner(plan, rt, encoder, tokenizer, state)

    if plan.intermediate and "intermediate" not in state.completed:
        runner.intermediate(plan.intermediate)
    base = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
    for target in plan.targets:
        if f"target-{target.task}" not in state.completed:
            encoder.load_state_dict(base)  # every target starts from phase 2's encoder
            runner.target(target, base)

    values = objective_metrics(plan.objectives, {t: TargetScores.from_json(s) for t, s in state.scores.items()})
    rt.report({**values, "progress": 1.0, "unit": "done", "step": state.step,
               **({"notices": "\n".join(state.notices)} if state.notices else {})})
    return values["objective"]


def _restore(plan: TrialPlan, restored: Path, encoder: nn.Module) -> TrialState:
    """The state of a resumed trial, its post-intermediate encoder loaded into `encoder` from the
    checkpoint, the phase cache, or (no intermediate phase) left as loaded from the model. An
    entry the cache no longer holds (collected, damaged) means the intermediate phase runs again,
    and the sweep's output says so."""
    state, weights = TrialState.load(restored)
    if weights is not None:
        encoder.load_state_dict(weights)
    elif state.encoder_source.startswith("cache:"):
        key = state.encoder_source.removeprefix("cache:")
        hit = PhaseCache(plan.cache_dir).load("intermediate", key) if plan.cache_dir else None
        if hit is not None:
            encoder.load_state_dict(hit[1])
        else:
            state.completed = [u for u in state.completed if u != "intermediate"]
            state.notices.append(f"resuming trial {plan.trial_id}: its intermediate checkpoint ({key}) is no longer "
                                 f"in the phase cache; training it again")
            log.warning(state.notices[-1])
    return state


class _UnitRunner:
    def __init__(self, plan: TrialPlan, rt: Runtime, encoder, tokenizer, state: TrialState):
        self.plan, self.rt, self.encoder, self.tokenizer, self.state = plan, rt, encoder, tokenizer, state
        self.pad_id = tokenizer.pad_token_id
        self.cache = PhaseCache(plan.cache_dir) if plan.cache_dir else None
        self.data = TrialData(plan, tokenizer, writes=rt.rank == 0)
        self.features = self.data.cache
        self._train_loss = float("nan")
        self._extra_metrics: dict[str, float] = {}

    def intermediate(self, phase: PhasePlan) -> None:
        with self._claim("intermediate", self.plan.intermediate_key) as slot:
            if slot.hit is None:
                mixture = self.plan.intermediate_mixture
                tasks = [self._task(name) for name in mixture.tasks]
                step0 = self.state.step
                if len(tasks) == 1:
                    models = {tasks[0].name: self._train(tasks[0], tasks, phase)}
                else:
                    models = self._train_mixture(tasks, mixture, phase)
                rows = [row for task in tasks for row in
                        self._evaluate(models[task.name], task, "intermediate", "validation", self._dev_languages(task), phase)]
                slot.store(rows, self.state.step - step0, weights=self.encoder.state_dict())
        if slot.hit is not None:
            meta, weights = slot.hit
            self.encoder.load_state_dict(weights)
            self.state.step += meta["steps"]
            rows = self._reissue(meta["rows"])
        self._finish("intermediate", "intermediate", rows, self.encoder.state_dict())

    def _claim(self, kind: str, key: str):
        """The phase cache's entry for `key`, or the lease to compute it (xlt.cache_claim)."""
        return claim(self.cache, kind, key, self.rt, self.plan.trial_id)

    def _reissue(self, rows: list[dict]) -> list[ResultRow]:
        return self.plan.reissue(rows, self.state.step)

    def _train_mixture(self, tasks: list[TaskSpec], mixture: Mixture, phase: PhasePlan) -> dict[str, TaskModel]:
        """One encoder, a head per task, batches drawn task by task by the mixture's sampler."""
        torch.manual_seed(self.plan.seed)  # same head init on every rank
        heads = nn.ModuleDict({t.name: self._head(t) for t in tasks})
        model = MultiTaskModel(self.encoder, heads)
        features = {t.name: self._encoded(t, t, "train")[1] for t in tasks}
        probabilities = mixture.probabilities({n: f.num_examples for n, f in features.items()})
        out = self._loop(model, {t.name: FORMATS[t.format] for t in tasks}, features, probabilities, phase,
                         steps=self.plan.intermediate_steps,
                         epoch_sizes={n: mixture.capped(len(f)) for n, f in features.items()})
        log.info("mixture %s: %d steps, per task %s", mixture.canonical, out["steps"], out["task_steps"])
        self._extra_metrics = {f"train_loss/{n}": v for n, v in out["task_losses"].items()} | \
            {f"train_steps/{n}": c for n, c in out["task_steps"].items()}
        return {t.name: model.task_model(t.name) for t in tasks}

    def _loop(self, model: nn.Module, fmts: dict, features: dict, probabilities: dict, phase: PhasePlan,
              steps: int | None = None, dev_score=None, epoch_sizes: dict | None = None) -> dict:
        """xlt.train.train_loop with the phase's settings; counts the steps and the loss."""
        out = train_loop(model, fmts, features, probabilities, lr=phase.learning_rate, epochs=phase.epochs,
                         steps=steps, epoch_sizes=epoch_sizes, batch_size=phase.batch_size,
                         micro_batch=phase.micro_batch_size, batch_tokens=phase.batch_tokens,
                         warmup_ratio=phase.warmup_ratio, weight_decay=phase.weight_decay, seed=self.plan.seed,
                         pad_id=self.pad_id, rt=self.rt, dev_score=dev_score,
                         eval_every=phase.eval_every if dev_score else None, patience=phase.patience,
                         compile=self.plan.compile)
        self.state.step += out["steps"]
        self._train_loss = out["train_loss"]
        return out

    def target(self, phase: PhasePlan, base: dict[str, torch.Tensor]) -> None:
        key = self.plan.target_key(phase)
        with self._claim("target", key) as slot:
            if slot.hit is None:
                step0 = self.state.step
                rows = [replace(r, target_key=key) for r in self._run_target(phase)]
                self.state.scores[phase.task] = scores_from_rows([asdict(r) for r in rows])[phase.task].to_json()
                slot.store(rows, self.state.step - step0, scores=self.state.scores[phase.task])
        if slot.hit is not None:
            meta, _ = slot.hit
            self.state.step += meta["steps"]
            self.state.scores[phase.task] = meta["scores"]
            rows = self._reissue(meta["rows"])
        # The objective over the targets done so far: what the searcher and schedulers see.
        self._finish(f"target-{phase.task}", f"target-{phase.task}", rows, base, self._running_objective())

    def _running_objective(self) -> dict[str, float]:
        scores = {t: TargetScores.from_json(s) for t, s in self.state.scores.items()}
        return objective_metrics(self.plan.objectives, scores, partial=True)

    def _run_target(self, phase: PhasePlan) -> list[ResultRow]:
        """Fine-tune on English, evaluate on the English dev set, then zero-shot on every target
        language's dev set (where the task has one) and test set."""
        task = self._task(phase.task)
        test_languages = self._target_languages(task, "test")
        dev_languages = [l for l in self._target_languages(task, "validation") if l != task.train_language]
        if not task.trains:  # retrieval: no training data; the phase-2 encoder is evaluated directly
            self._train_loss = float("nan")
            return self._retrieve(task, dev_languages, test_languages, phase)
        model = self._train(task, [self._task(t) for t in task.train_tasks], phase, target=True)
        return (self._evaluate(model, task, "target", "validation", [task.train_language], phase,
                               dev_task=self._task(task.dev_task))
                + self._evaluate(model, task, "zero_shot", "validation", dev_languages, phase)
                + self._evaluate(model, task, "zero_shot", "test", test_languages, phase))

    def _target_languages(self, task: TaskSpec, split: str) -> list[str]:
        if split not in task.splits:
            return []
        languages = available_languages(task, split, self.plan.source)
        return [l for l in languages if not self.plan.target_languages or l in self.plan.target_languages]

    def _task(self, name: str) -> TaskSpec:
        return self.data.task(name)

    def _max_length(self, task: TaskSpec) -> int:
        return self.data.max_length(task)

    def _head(self, task: TaskSpec) -> nn.Module:
        backbone = backbone_of(self.encoder)
        if task.format == "masked_lm":  # the backbone's own LM head, tied to its embeddings
            if backbone.family != "encoder":
                raise DataError(f"task {task.name!r} (masked LM) needs an encoder with a masked-LM head; "
                                f"{self.plan.model} is a {backbone.family} model")
            return FORMATS["masked_lm"].lm_head(self.encoder, resolve_model(self.plan.model), self.plan.trust_remote_code)
        if task.format == "multiple_choice" and self.plan.choice_scoring == "loglik":
            if backbone.family != "decoder":
                raise DataError(f"model.choice_scoring loglik needs a decoder-only model's LM head; "
                                f"{self.plan.model} is an {backbone.family} model")
            return FORMATS["multiple_choice"].loglik_head(self.encoder, resolve_model(self.plan.model),
                                                          self.plan.trust_remote_code)
        return FORMATS[task.format].head(task, self.encoder.config.hidden_size, pooling=backbone.pooling)

    def _encoded(self, task: TaskSpec, data_task: TaskSpec, split: str, language: str | None = None,
                 limit: int | None = None):
        return self.data.encoded(task, data_task, split, language, limit)

    def _dev_languages(self, task: TaskSpec) -> list[str]:
        if task.format != "masked_lm":
            return [task.train_language]
        return [l for l in available_languages(task, "validation", self.plan.source) if l in task.training_languages]

    def _records(self, task: TaskSpec, language: str, split: str, cap: int | None = None):
        return self.data.records(task, language, split, cap)

    def _train(self, task: TaskSpec, data_tasks: list[TaskSpec], phase: PhasePlan, target: bool = False) -> TaskModel:
        """Train `task`'s head (and the encoder) on each of `data_tasks`' English training sets in
        turn (XCOPA: SIQA, then COPA), selecting the best weights on dev data every `eval_every`
        steps when asked (the last stage's)."""
        fmt = FORMATS[task.format]
        torch.manual_seed(self.plan.seed)  # same head init on every rank
        model = TaskModel(self.encoder, self._head(task))
        for i, data_task in enumerate(data_tasks):
            features = self._encoded(task, data_task, "train")[1]
            last = i == len(data_tasks) - 1
            dev_score = self._dev_scorer(model, task, phase, target) if phase.eval_every and last else None
            out = self._loop(model, {task.name: fmt}, {task.name: features}, {task.name: 1.0}, phase, dev_score=dev_score)
            if "best_step" in out:
                log.info("%s: best dev %.4f at step %d of %d", task.name, out["best_dev"], out["best_step"], out["steps"])
        return model

    def _dev_scorer(self, model: TaskModel, task: TaskSpec, phase: PhasePlan, target: bool):
        """A function scoring `model` on the selection dev data: the English dev set (of the task,
        or of its training task), or with selection target_dev the mean over the target languages'
        dev sets."""
        fmt = FORMATS[task.format]
        if target and self.plan.selection == "target_dev":
            data_task = task
            languages = [l for l in self._target_languages(task, "validation") if l != task.train_language]
            if not languages:
                raise DataError(f"task {task.name!r}: selection target_dev, but no non-English validation data "
                                f"in source {self.plan.source!r}")
        else:
            data_task = self._task(task.dev_task) if target else task
            languages = [task.train_language]
        dev = [(lang, *self._encoded(task, data_task, "validation", lang, limit=phase.dev_subset)) for lang in languages]

        def score() -> float:
            values = []
            for lang, records, features in dev:
                outputs = predict(model, fmt, features, batch_size=2 * phase.batch_size, pad_id=self.pad_id, rt=self.rt)
                values.append(fmt.score(task, records, features, outputs, lang)[0][task.primary_metric])
            model.train()
            return sum(values) / len(values)

        return score

    def _evaluate(self, model: TaskModel, task: TaskSpec, phase_name: str, split: str, languages,
                  phase: PhasePlan, dev_task: TaskSpec | None = None) -> list[ResultRow]:
        fmt = FORMATS[task.format]
        data_task = dev_task or task
        rows = []
        for lang in languages:
            records, features = self._encoded(task, data_task, split, lang)
            outputs = predict(model, fmt, features, batch_size=2 * phase.batch_size, pad_id=self.pad_id, rt=self.rt)
            metrics, predictions = fmt.score(task, records, features, outputs, lang)
            if phase_name == "zero_shot" and split == "test":
                self._write_predictions(task, lang, fmt.submission(predictions), fmt.gold(task, records))
            rows += [self._row(phase_name, task.name, lang, split, m, v, len(records), phase.learning_rate)
                     for m, v in metrics.items()]
        return rows

    def _retrieve(self, task: TaskSpec, dev_languages, test_languages, phase: PhasePlan) -> list[ResultRow]:
        """Retrieval targets: the phase-2 encoder, evaluated directly (dev where the task has it)."""
        fmt = FORMATS[task.format]
        layer = self.plan.retrieval_layer if self.plan.retrieval_layer is not None else task.retrieval_layer
        kw = dict(layer=layer if layer is not None else default_retrieval_layer(self.encoder.config.num_hidden_layers),
                  pooling=self.plan.retrieval_pooling or self._retrieval_pooling(task), max_length=self._max_length(task),
                  batch_size=2 * phase.batch_size, rt=self.rt)
        if task.candidate_pool:
            return self._retrieve_from_pool(task, dev_languages, test_languages, kw)
        embed = lambda texts: fmt.embed(self.encoder, self.tokenizer, texts, **kw)  # noqa: E731
        if task.bitext:
            return self._mine(task, dev_languages, test_languages, embed)
        rows = []
        for lang in test_languages:
            records = self._records(task, lang, "test")
            metrics, predictions = tatoeba_score(records, embed([r["source"] for r in records]),
                                                 embed([r["target"] for r in records]))
            self._write_predictions(task, lang, fmt.submission(predictions), fmt.gold(task, records))
            rows += [self._row("zero_shot", task.name, lang, "test", m, v, len(records), 0.0) for m, v in metrics.items()]
        return rows

    def _mine(self, task: TaskSpec, dev_languages, test_languages, embed) -> list[ResultRow]:
        """BUCC: mine each split's corpora; the threshold is tuned on dev gold and applied to test."""
        fmt = FORMATS[task.format]
        rows = []
        for lang in test_languages:
            mined = {}
            for split in ("validation", "test"):
                bitext = load_bitext(task, lang, split, self.plan.source)
                src, trg = distinct(bitext.source)[0], distinct(bitext.target)[0]
                mined[split] = (bitext, bucc_candidates(bitext, embed(src), embed(trg)))
            (dev, dev_candidates), (test, test_candidates) = mined["validation"], mined["test"]
            threshold = bucc_threshold(dev_candidates, dev.gold)
            log.info("bucc %s: margin threshold %.4f chosen on dev", lang, threshold)
            if lang in dev_languages:  # dev F1 at its own tuned threshold, as jiant reports BUCC's val
                metrics, _ = bucc_score(dev_candidates, dev.gold, threshold)
                rows += [self._row("zero_shot", task.name, lang, "validation", m, v, len(dev), 0.0) for m, v in metrics.items()]
            metrics, predictions = bucc_score(test_candidates, test.gold, threshold)
            self._write_predictions(task, lang, fmt.submission(predictions), fmt.gold(task, test.gold))
            rows += [self._row("zero_shot", task.name, lang, "test", m, v, len(test), 0.0) for m, v in metrics.items()]
        return rows

    def _retrieve_from_pool(self, task: TaskSpec, dev_languages, test_languages, kw: dict) -> list[ResultRow]:
        """Pool retrieval: each split's pool is embedded once; each language's queries rank it."""
        fmt = FORMATS[task.format]

        def embed(records, text: str, context: str):
            contexts = [r[context] for r in records]
            return fmt.embed(self.encoder, self.tokenizer, [r[text] for r in records], **kw,
                             contexts=None if all(c is None for c in contexts) else [c or "" for c in contexts])

        rows = []
        for split, languages in (("validation", dev_languages), ("test", test_languages)):
            if not languages:
                continue
            pool = load_pool(task, split, self.plan.source)
            candidates = embed(pool.candidates, "candidate", "candidate_context")
            log.info("%s %s: %d candidates in the pool", task.name, split, len(pool.candidates))
            for lang in languages:
                queries = pool.queries[lang]
                ranked = rank_pool(embed(queries, "query", "query_context"), candidates, pool.candidate_ids)
                metrics = pool_score(task, queries, ranked)
                if split == "test":
                    predictions, gold, suffix = pool_files(task, queries, ranked)
                    self._write_predictions(task, lang, predictions, gold, suffix=suffix)
                rows += [self._row("zero_shot", task.name, lang, split, m, v, len(queries), 0.0) for m, v in metrics.items()]
        return rows

    def _retrieval_pooling(self, task: TaskSpec) -> str:
        """The task's pooling on encoders; the family's default elsewhere (a decoder's first token
        sees nothing of the sentence)."""
        backbone = backbone_of(self.encoder)
        return task.retrieval_pooling if backbone.family == "encoder" else backbone.retrieval_pooling

    def _write_predictions(self, task: TaskSpec, lang: str, predictions: str, gold: str, suffix: str | None = None) -> None:
        """XTREME layout: `<task>/test-<lang>.<tsv|json|jsonl>`; gold labels beside, once."""
        if self.rt.rank != 0 or not self.plan.predictions_dir:
            return
        name = f"{task.folder}/test-{lang}.{suffix or FORMATS[task.format].suffix}"
        write_text(self.plan.predictions_dir, name, predictions)
        if self.plan.labels_dir:
            write_text(self.plan.labels_dir, name, gold)

    def _row(self, phase, task, lang, split, metric, value, n, lr) -> ResultRow:
        return self.plan.row(phase, task, lang, split, metric, value, n, lr, self.state.step)

    def _encoder_source(self) -> str:
        """Where a resume finds the post-intermediate encoder (TrialState.encoder_source)."""
        if self.plan.intermediate is None:
            return "model"
        key = self.plan.intermediate_key
        if self.cache is not None and self.cache.is_complete("intermediate", key):
            return f"cache:{key}"
        return "checkpoint"

    def _finish(self, unit: str, file_stem: str, rows: list[ResultRow], encoder_state,
                running_objective: dict[str, float] | None = None) -> None:
        """Write the unit's rows (rank 0), mark it done, and report a checkpoint to resume from."""
        self.state.completed.append(unit)
        fresh = [n for c in (self.cache, self.features) if c is not None for n in c.notices]
        for c in (self.cache, self.features):
            if c is not None:
                c.notices.clear()
        self.state.notices += fresh
        metrics = {"unit": unit, "step": self.state.step, "train_loss": self._train_loss, **self._extra_metrics,
                   **({"notices": "\n".join(self.state.notices)} if self.state.notices else {}),
                   **{f"{r.phase}/{r.target_task}/{r.language}/{r.metric}": r.value for r in rows}}
        self._extra_metrics = {}
        if running_objective is not None:  # a target unit: what the searcher and schedulers see
            metrics.update(running_objective)
            done = sum(u.startswith("target-") for u in self.state.completed)
            metrics["progress"] = done / len(self.plan.targets)
        if self.rt.rank != 0:
            self.rt.report(metrics)
            return
        write_rows(self.plan.results_dir, self.plan.trial_id, file_stem, rows)
        self.state.encoder_source = self._encoder_source()
        with tempfile.TemporaryDirectory(prefix="xlt-ckpt-") as tmp:
            self.state.save(Path(tmp), encoder_state)
            self.rt.report(metrics, Path(tmp))


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
