"""The torch backend of a trial's units (xlt.trial.units): the model trains on the plan's data and
is evaluated by each task's format, on a `Runtime` (a Ray Train worker through `xlt.sweep.worker`, or
one process in tests).
"""

import logging
import random
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from xlt.data.loading import DataError, available_languages, load_bitext
from xlt.data.pools import load_pool
from xlt.formats import FORMATS
from xlt.formats.base import HeadSource
from xlt.metrics.robustness import perturbation_scores
from xlt.mixtures import Mixture
from xlt.models.backbone import load_encoder, with_lora
from xlt.models.registry import resolve_model
from xlt.models.task_model import MultiTaskModel, TaskModel
from xlt.models.text_model import TextModel, encoder_of, load_text_model
from xlt.cache.store import PhaseCache
from xlt.results.rows import ResultRow
from xlt.trial.runtime import Runtime
from xlt.results.storage import write_text
from xlt.perturb import perturb
from xlt.tasks import TaskSpec
from xlt.trial.train import predict, train_loop
from xlt.trial.units import Curve, TrialState, run_units
from xlt.trial.data import TrialData
from xlt.trial.plan import PhasePlan, TrialPlan

log = logging.getLogger(__name__)


def run_trial(plan: TrialPlan, rt: Runtime) -> float:
    """Run (or resume) every unit of the trial on the model; returns the objective."""
    _seed_everything(plan.seed)
    encoder, tokenizer = load_model(plan)
    if plan.lora:
        encoder = with_lora(encoder, plan.lora)
    state = TrialState()
    restored = rt.restored_checkpoint()
    if restored is not None:
        state = _restore(plan, restored, encoder, rt)
        rt.done_with_restored(restored)
    return run_units(plan, rt, TorchBackend(plan, rt, encoder, tokenizer, state), state)


class ModelChangedError(RuntimeError):
    """A local model's files are not the ones the sweep started with."""


def load_model(plan: TrialPlan) -> tuple[nn.Module, object]:
    """The backbone a trial trains: the encoder under pooled heads, or (head text, or native on a
    model that is not an encoder) the whole model with its LM head, flagged `xlt_text`. A local
    model must still be the one the sweep started with (its revision, the digest of its files): a
    trial, or a resumed one's remaining units, trained on other weights would mix results."""
    if plan.model_revision and plan.model_revision.startswith("sha256:"):
        from xlt.revisions import files_digest

        path = Path(resolve_model(plan.model))
        if (now := files_digest(path)) != plan.model_revision:
            raise ModelChangedError(f"model {plan.model!r}: its files ({path}) changed since the sweep started "
                                    f"({plan.model_revision} then, {now} now); restore them, or run a new sweep")
    if plan.head == "pooled":
        return load_encoder(plan.model, plan.trust_remote_code, plan.model_revision)
    try:
        model, tokenizer = load_text_model(plan.model, plan.trust_remote_code, plan.model_revision)
    except ValueError:
        if plan.head != "native":
            raise
        return load_encoder(plan.model, plan.trust_remote_code, plan.model_revision)  # native on an encoder: pooled
    model.xlt_text = True
    return model, tokenizer


def _restore(plan: TrialPlan, restored, encoder: nn.Module, rt: Runtime) -> TrialState:
    """The state of a resumed trial, its post-intermediate encoder loaded into `encoder` from the
    checkpoint, the phase cache, or (no intermediate phase) left as loaded from the model. An
    entry the cache no longer holds (collected, damaged) means the intermediate phase runs again;
    one trained again since this trial used it (other weights) is taken, as any trial now would
    take it. The sweep's output says which. Rank 0 decides for every rank (one collective), so a
    worker group never splits over an entry that changes while its ranks look."""
    state, weights = TrialState.load(restored)
    if weights is not None:
        encoder.load_state_dict(weights)
    elif state.encoder_source.startswith("cache:"):
        key, _, used = state.encoder_source.removeprefix("cache:").partition("@")
        cache = PhaseCache(plan.cache_dir) if plan.cache_dir else None
        hit = cache.load("intermediate", key) if cache is not None and rt.rank == 0 else None
        now = cache.weights_digest("intermediate", key) if hit is not None else None
        status = rt.all_gather("gone" if hit is None else "changed" if used and now != used else "same")[0]
        if status != "gone" and hit is None:  # the other ranks load what rank 0 found
            hit = cache.load("intermediate", key) if cache is not None else None
            if hit is None:
                raise RuntimeError(f"resuming trial {plan.trial_id}: the phase cache's intermediate/{key} changed "
                                   f"while its workers loaded it; resume the sweep again")
        if cache is not None:
            state.notices += cache.notices  # what was found damaged, in the cache's words
        if status == "gone":
            state.completed = [u for u in state.completed if u != "intermediate"]
            state.notices.append(f"resuming trial {plan.trial_id}: its intermediate checkpoint ({key}) is no longer "
                                 f"in the phase cache; training it again")
        else:
            encoder.load_state_dict(hit[1])
            if status == "changed":
                state.notices.append(f"resuming trial {plan.trial_id}: its intermediate checkpoint ({key}) was "
                                     f"trained again since its first targets used it (other weights, sha256 {used[:12]} "
                                     f"then, now another); its remaining targets start from the new one")
        if status != "same":
            log.warning(state.notices[-1])
    return state


class TorchBackend:
    """Trains and evaluates the model (xlt.trial.units.Backend)."""

    def __init__(self, plan: TrialPlan, rt: Runtime, encoder, tokenizer, state: TrialState):
        self.plan, self.rt, self.encoder, self.tokenizer, self.state = plan, rt, encoder, tokenizer, state
        self.pad_id = tokenizer.pad_token_id
        self.text = getattr(encoder, "xlt_text", False)
        self.head = "text" if self.text else "pooled"
        self.data = TrialData(plan, tokenizer, writes=rt.rank == 0, text_family=encoder.xlt_family if self.text else None)
        self.features = self.data.cache
        self._base: dict[str, torch.Tensor] | None = None
        self.head_source = HeadSource(plan.model, plan.trust_remote_code, plan.choice_scoring)
        self._train_loss = float("nan")
        self._extra_metrics: dict[str, float] = {}
        self._test_outputs: dict[str, tuple[list[dict], list]] = {}  # language -> test records, predictions

    # --- the Backend protocol -----------------------------------------------------------------
    def intermediate(self) -> list[ResultRow]:
        phase, mixture = self.plan.intermediate, self.plan.intermediate_mixture
        tasks = [self._task(name) for name in mixture.tasks]
        if len(tasks) == 1:  # a mixture's examples cap counts its one task's epochs too (xlt.cost_estimate)
            models = {tasks[0].name: self._train(tasks[0], tasks, phase, epoch_cap=mixture.examples_cap)}
        else:
            models = self._train_mixture(tasks, mixture, phase)
        return [row for task in tasks for row in
                self._evaluate(models[task.name], task, "intermediate", "validation", self._dev_languages(task), phase)]

    def adopt_intermediate(self, weights: dict | None) -> None:
        self.encoder.load_state_dict(weights)

    def weights(self) -> dict[str, torch.Tensor]:
        return self._base if self._base is not None else self.encoder.state_dict()

    def freeze_base(self) -> None:
        self._base = {k: v.detach().clone() for k, v in self.encoder.state_dict().items()}

    def target(self, phase: PhasePlan, curve: Curve) -> list[ResultRow]:
        """Fine-tune on English, evaluate on the English dev set, then zero-shot on every target
        language's dev set (where the task has one) and test set. (No learning-curve points: the
        unit's report is the first the schedulers see.)"""
        self.encoder.load_state_dict(self._base)  # every target starts from phase 2's encoder
        task = self._task(phase.task)
        test_languages = self._target_languages(task, "test")
        dev_languages = [l for l in self._target_languages(task, "validation") if l != task.train_language]
        if not task.trains:  # retrieval: no training data; the phase-2 encoder is evaluated directly
            self._train_loss = float("nan")
            return self._retrieve(task, dev_languages, test_languages, phase)
        model = self._train(task, [self._task(t) for t in task.train_tasks], phase, target=True)
        rows = (self._evaluate(model, task, "target", "validation", [task.train_language], phase,
                               dev_task=self._task(task.dev_task))
                + self._evaluate(model, task, "zero_shot", "validation", dev_languages, phase)
                + self._evaluate(model, task, "zero_shot", "test", test_languages, phase))
        if task.name in self.plan.robustness_tasks:
            rows += self._perturbed(model, task, test_languages, phase)
        self._test_outputs.clear()
        return rows

    def unit_metrics(self) -> dict[str, float]:
        metrics, self._extra_metrics = {"train_loss": self._train_loss, **self._extra_metrics}, {}
        return metrics

    def notices(self) -> list[str]:
        if self.features is None:
            return []
        taken = list(self.features.notices)
        self.features.notices.clear()
        return taken

    # --- training and evaluation ----------------------------------------------------------------
    def _train_mixture(self, tasks: list[TaskSpec], mixture: Mixture, phase: PhasePlan) -> dict[str, TaskModel]:
        """One encoder, a head per task, batches drawn task by task by the mixture's sampler."""
        torch.manual_seed(self.plan.seed)  # same head init on every rank
        if self.text:  # one model writes every task's answers
            model = self._text_model()
        else:
            model = MultiTaskModel(self.encoder, nn.ModuleDict({t.name: self._head(t) for t in tasks}))
        features = {t.name: self._encoded(t, t, "train", phase_cap=phase.max_train_examples)[1] for t in tasks}
        probabilities = mixture.probabilities({n: f.num_examples for n, f in features.items()})
        out = self._loop(model, {t.name: self._fmt(t) for t in tasks}, features, probabilities, phase,
                         steps=self.plan.intermediate_steps,
                         epoch_sizes={n: mixture.capped(len(f)) for n, f in features.items()})
        log.info("mixture %s: %d steps, per task %s", mixture.canonical, out["steps"], out["task_steps"])
        self._extra_metrics = {f"train_loss/{n}": v for n, v in out["task_losses"].items()} | \
            {f"train_steps/{n}": c for n, c in out["task_steps"].items()}
        return {t.name: model if self.text else model.task_model(t.name) for t in tasks}

    def _loop(self, model: nn.Module, fmts: dict, features: dict, probabilities: dict, phase: PhasePlan,
              steps: int | None = None, dev_score=None, epoch_sizes: dict | None = None) -> dict:
        """xlt.trial.train.train_loop with the phase's settings; counts the steps and the loss."""
        out = train_loop(model, fmts, features, probabilities, lr=phase.learning_rate, epochs=phase.epochs,
                         steps=steps, epoch_sizes=epoch_sizes, batch_size=phase.batch_size,
                         micro_batch=phase.micro_batch_size, batch_tokens=phase.batch_tokens,
                         warmup_ratio=phase.warmup_ratio, weight_decay=phase.weight_decay, seed=self.plan.seed,
                         pad_id=self.pad_id, rt=self.rt, dev_score=dev_score,
                         eval_every=phase.eval_every if dev_score else None, patience=phase.patience,
                         compile=self.plan.compile, optimizer=phase.optimizer)
        self.state.step += out["steps"]
        self._train_loss = out["train_loss"]
        return out

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
        return FORMATS[task.format].build_head(task, self.encoder, self.head_source)

    def _fmt(self, task: TaskSpec):
        """The format that encodes, trains and scores `task` in this trial (xlt.trial.data)."""
        return self.data.format_of(task)

    def _text_model(self) -> TextModel:
        return TextModel(self.encoder, self.plan.max_new_tokens, self.plan.num_beams)

    def _task_model(self, task: TaskSpec) -> nn.Module:
        return self._text_model() if self.text else TaskModel(self.encoder, self._head(task))

    def _encoded(self, task: TaskSpec, data_task: TaskSpec, split: str, language: str | None = None,
                 limit: int | None = None, phase_cap: int | None = None):
        return self.data.encoded(task, data_task, split, language, limit, phase_cap)

    def _dev_languages(self, task: TaskSpec) -> list[str]:
        if task.format != "masked_lm":
            return [task.train_language]
        return [l for l in available_languages(task, "validation", self.plan.source) if l in task.training_languages]

    def _train(self, task: TaskSpec, data_tasks: list[TaskSpec], phase: PhasePlan, target: bool = False,
               epoch_cap: int | None = None) -> TaskModel:
        """Train `task`'s head (and the encoder) on each of `data_tasks`' English training sets in
        turn (XCOPA: SIQA, then COPA), selecting the best weights on dev data every `eval_every`
        steps when asked (the last stage's); `epoch_cap`: an epoch counts at most that many
        features (a one-task mixture's examples cap)."""
        fmt = self._fmt(task)
        torch.manual_seed(self.plan.seed)  # same head init on every rank
        model = self._task_model(task)
        for i, data_task in enumerate(data_tasks):
            features = self._encoded(task, data_task, "train", phase_cap=phase.max_train_examples)[1]
            last = i == len(data_tasks) - 1
            dev_score = self._dev_scorer(model, task, phase, target) if phase.eval_every and last else None
            steps = None if target else self.plan.intermediate_steps  # phase 2's length in steps, when set
            out = self._loop(model, {task.name: fmt}, {task.name: features}, {task.name: 1.0}, phase, steps=steps,
                             dev_score=dev_score,
                             epoch_sizes={task.name: min(len(features), epoch_cap)} if epoch_cap else None)
            if "best_step" in out:
                log.info("%s: best dev %.4f at step %d of %d", task.name, out["best_dev"], out["best_step"], out["steps"])
        return model

    def _dev_scorer(self, model: TaskModel, task: TaskSpec, phase: PhasePlan, target: bool):
        """A function scoring `model` on the selection dev data: the English dev set (of the task,
        or of its training task), or with selection target_dev the mean over the target languages'
        dev sets."""
        fmt = self._fmt(task)
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
        fmt = self._fmt(task)
        data_task = dev_task or task
        rows = []
        for lang in languages:
            records, features = self._encoded(task, data_task, split, lang)
            outputs = predict(model, fmt, features, batch_size=2 * phase.batch_size, pad_id=self.pad_id, rt=self.rt)
            metrics, predictions = fmt.score(task, records, features, outputs, lang)
            if phase_name == "zero_shot" and split == "test":
                self.write_predictions(task, lang, fmt.submission(predictions), fmt.gold(task, records))
                self._test_outputs[lang] = (records, outputs)
            rows += [self._row(phase_name, task.name, lang, split, m, v, len(records), phase.learning_rate)
                     for m, v in metrics.items()]
        return rows

    def _perturbed(self, model: TaskModel, task: TaskSpec, languages, phase: PhasePlan) -> list[ResultRow]:
        """Each test language under each declared perturbation (xlt.perturb): the changed examples,
        predicted again and scored against the gold labels and the unperturbed predictions. Rows:
        phase `robustness`, metric `<kind>/<accuracy|clean_accuracy|consistency|changed>`."""
        fmt = self._fmt(task)
        rows = []
        for lang in languages:
            records, clean = self._test_outputs[lang]
            for p in self.plan.perturbations:
                changed = perturb(records, p, self.plan.perturbation_seed, f"{task.name}/{lang}")
                outputs = []
                if changed:
                    features = fmt.encode(task, [r for _, r in changed], self.tokenizer, self._max_length(task))
                    outputs = predict(model, fmt, features, batch_size=2 * phase.batch_size, pad_id=self.pad_id, rt=self.rt)
                scores = perturbation_scores([r["label"] for _, r in changed], [clean[i] for i, _ in changed], outputs,
                                             len(records))
                rows += [self._row("robustness", task.name, lang, "test", f"{p.kind}/{m}", v,
                                   len(records) if m == "changed" else len(changed), phase.learning_rate)
                         for m, v in scores.items()]
        return rows

    def _retrieve(self, task: TaskSpec, dev_languages, test_languages, phase: PhasePlan) -> list[ResultRow]:
        """Retrieval targets: the phase-2 encoder, evaluated directly by the format (dev where the task has it)."""
        encoder = encoder_of(self.encoder) if self.text else self.encoder  # retrieval embeds with the encoder part
        scored = FORMATS[task.format].evaluate(
            task, encoder, self.tokenizer, self, dev_languages, test_languages, layer=self.plan.retrieval_layer,
            pooling=self.plan.retrieval_pooling, max_length=self._max_length(task), batch_size=2 * phase.batch_size,
            rt=self.rt)
        return [self._row("zero_shot", task.name, s.language, s.split, m, v, s.n, 0.0)
                for s in scored for m, v in s.metrics.items()]

    # what retrieval evaluation reads (xlt.formats.retrieval.RetrievalData)
    def records(self, task: TaskSpec, language: str, split: str) -> list[dict]:
        return self.data.records(task, language, split)

    def bitext(self, task: TaskSpec, language: str, split: str):
        return load_bitext(task, language, split, self.plan.source)

    def pool(self, task: TaskSpec, split: str):
        return load_pool(task, split, self.plan.source)

    def write_predictions(self, task: TaskSpec, lang: str, predictions: str, gold: str, suffix: str | None = None) -> None:
        """XTREME layout: `<task>/test-<lang>.<tsv|json|jsonl>`; gold labels beside, once."""
        if self.rt.rank != 0 or not self.plan.predictions_dir:
            return
        name = f"{task.folder}/test-{lang}.{suffix or self._fmt(task).suffix}"
        write_text(self.plan.predictions_dir, name, predictions)
        if self.plan.labels_dir:
            write_text(self.plan.labels_dir, name, gold)

    def _row(self, phase, task, lang, split, metric, value, n, lr) -> ResultRow:
        row = self.plan.row(phase, task, lang, split, metric, value, n, lr, self.state.step)
        return row if row.head == self.head else replace(row, head=self.head)  # `native`, resolved


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
