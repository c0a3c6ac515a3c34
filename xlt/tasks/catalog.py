"""Every task of the study, one declaration each. Adding a task: a few lines here plus a fixture."""

from xlt.tasks.registry import register
from xlt.tasks.spec import HubSource, TaskSpec

NLI_LABELS = ("entailment", "neutral", "contradiction")

# XTREME's 15 XNLI languages.
XNLI_LANGUAGES = (
    "en", "ar", "bg", "de", "el", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh",
)

register(TaskSpec(
    name="mnli",
    role="intermediate",
    format="pair_classification",
    languages=("en",),
    hub=HubSource("nyu-mll/glue", "mnli", splits={"validation": "validation_matched"}),
    columns=("premise", "hypothesis"),
    labels=NLI_LABELS,
    splits=("train", "validation"),
    description="MultiNLI: English natural language inference over ten genres.",
), aliases=("multinli",))

register(TaskSpec(
    name="xnli",
    role="target",
    format="pair_classification",
    languages=XNLI_LANGUAGES,
    hub=HubSource("facebook/xnli", "{lang}"),
    columns=("premise", "hypothesis"),
    labels=NLI_LABELS,
    description="XNLI: MNLI-style inference; English train, zero-shot test in 14 other languages.",
))
