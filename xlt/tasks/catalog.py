"""Every task of the study, one declaration each. Adding a task: a few lines here plus a fixture.

Hub ids and configs are the real ones: with `data: {source: hub}` a user online gets the real data.
"""

from xlt.data.mewslix import unnest_mentions
from xlt.tasks import adapters as a
from xlt.tasks.registry import register
from xlt.tasks.spec import Defaults, HubSource, TaskSpec

NLI = ("entailment", "neutral", "contradiction")
UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
        "PUNCT", "SCONJ", "SYM", "VERB", "X")
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

# Target defaults are jiant's XTREME configuration, which the paper's X-STILTs runs follow
# (nyu-mll/jiant@daa5a258: jiant/scripts/benchmarks/xtreme/subscripts/{c,d,e}_*.sh): global batch
# 32 (QA 16) per optimizer step, lr 1e-5, 10% warm-up then linear decay, weight decay 0.01,
# clipping 1.0, dev evaluation every 1,000 steps on the first 500 examples of the training task's
# English dev set, patience 30, the best checkpoint kept; max length 256 (QA 384, retrieval 512).
CLASSIFY = Defaults(max_seq_length=256, epochs=2, batch_size=32)
PAIR_5 = Defaults(max_seq_length=256, epochs=5, batch_size=32)      # PAWS-X: 5 epochs
QA = Defaults(max_seq_length=384, epochs=2, batch_size=16)
TAG = Defaults(max_seq_length=256, epochs=10, batch_size=32)         # UDPOS, PAN-X: 10 epochs
RETRIEVE = Defaults(max_seq_length=512, epochs=0, batch_size=64)
POOL = Defaults(max_seq_length=128, epochs=0, batch_size=64)  # a query or a candidate with its context
# XTREME-R's XCOPA recipe (google-research/xtreme@838c13b scripts/train_xcopa.sh): SIQA then COPA,
# 5 epochs each, lr 3e-5, batch 2 x 16, max length 128, HF Trainer defaults otherwise (no
# warm-up, no weight decay, the last checkpoint).
XCOPA = Defaults(max_seq_length=128, epochs=5, batch_size=32, learning_rate=3e-5, warmup_ratio=0.0,
                 weight_decay=0.0, eval_every=None, patience=None, dev_subset=None)
# Intermediate training: jiant's X-STILTs guide (guides/projects/xstilts.md) runs its simple
# runscript with batch 4 and that script's defaults: 3 epochs, lr 1e-5, 10% warm-up, no mid-run
# evaluation (the last checkpoint). QA keeps 384 tokens (the script has one length for all tasks).
INTERMEDIATE = Defaults(max_seq_length=256, epochs=3, batch_size=4, eval_every=None, patience=None, dev_subset=None)
INTERMEDIATE_QA = Defaults(max_seq_length=384, epochs=3, batch_size=4, eval_every=None, patience=None, dev_subset=None)
# Generation (text-to-text path only): no reference protocol fine-tunes XLM-R-size models on these
# in xlt's setting; the defaults are mT5's fine-tuning learning rate (1e-4, Xue et al. 2021 use
# 1e-3 with Adafactor) with AdamW, one epoch, no mid-run selection (generating dev is costly).
GENERATE = Defaults(max_seq_length=256, epochs=1, batch_size=32, learning_rate=1e-4, eval_every=None, patience=None,
                    dev_subset=None)
GLUE = "nyu-mll/glue"

# --- intermediate (English) ---------------------------------------------------------------

register(TaskSpec(
    name="mnli", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource(GLUE, "mnli", splits={"validation": "validation_matched"}),),
    adapter=a.pair("premise", "hypothesis"), metric="accuracy", labels=NLI,
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="MultiNLI: English natural language inference over ten genres.",
), aliases=("multinli",))

register(TaskSpec(
    name="anli_plus", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource("facebook/anli", splits={"train": ("train_r1", "train_r2", "train_r3"),
                                            "validation": ("dev_r1", "dev_r2", "dev_r3")}),
         HubSource(GLUE, "mnli", splits={"validation": "validation_matched"}),
         HubSource("stanfordnlp/snli")),
    adapter=a.pair("premise", "hypothesis"), metric="accuracy", labels=NLI,
    splits=("train", "validation"), defaults=INTERMEDIATE,
    skip_rule="SNLI rows with label -1 (no annotator majority) are skipped",
    description="ANLI+: ANLI rounds 1-3, MNLI and SNLI concatenated.",
), aliases=("anli+",))

register(TaskSpec(
    name="qqp", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource(GLUE, "qqp"),), adapter=a.pair("question1", "question2"), metric="accuracy",
    labels=("not_duplicate", "duplicate"), splits=("train", "validation"), defaults=INTERMEDIATE,
    description="Quora Question Pairs: are two questions duplicates?",
))

register(TaskSpec(
    name="sst2", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource(GLUE, "sst2"),), adapter=a.single("sentence"), metric="accuracy",
    labels=("negative", "positive"), splits=("train", "validation"), defaults=INTERMEDIATE,
    description="SST-2: sentence sentiment (used by the earlier version of the study).",
))

register(TaskSpec(
    name="squad_v1", role="intermediate", format="span_extraction", languages=("en",),
    hub=(HubSource("rajpurkar/squad"),), adapter=a.squad, metric="squad",
    splits=("train", "validation"), defaults=INTERMEDIATE_QA,
    description="SQuAD v1.1: extractive QA on Wikipedia paragraphs.",
), aliases=("squad",))

register(TaskSpec(
    name="squad_v2", role="intermediate", format="span_extraction", languages=("en",),
    hub=(HubSource("rajpurkar/squad_v2"),), adapter=a.squad, metric="squad_v2",
    splits=("train", "validation"), defaults=INTERMEDIATE_QA, allows_no_answer=True,
    description="SQuAD v2.0: SQuAD v1.1 plus unanswerable questions.",
))

register(TaskSpec(
    name="hellaswag", role="intermediate", format="multiple_choice", languages=("en",),
    hub=(HubSource("Rowan/hellaswag"),), adapter=a.hellaswag, metric="accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="HellaSwag: choose the plausible continuation of an event (4 endings).",
))

register(TaskSpec(
    name="cosmosqa", role="intermediate", format="multiple_choice", languages=("en",),
    # main holds only a loading script (refused by datasets >= 4): the hub's Parquet conversion
    hub=(HubSource("allenai/cosmos_qa", revision="refs/convert/parquet", data_dir="default"),), adapter=a.cosmosqa, metric="accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="CosmosQA: commonsense reading comprehension (4 answers).",
))

register(TaskSpec(
    name="commonsenseqa", role="intermediate", format="multiple_choice", languages=("en",),
    hub=(HubSource("tau/commonsense_qa"),), adapter=a.commonsenseqa, metric="accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="CommonsenseQA: commonsense questions over ConceptNet concepts (5 answers).",
), aliases=("csqa",))

register(TaskSpec(
    name="code_defect", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource("google/code_x_glue_cc_defect_detection"),), adapter=a.single("func", label="target"),
    metric="accuracy", labels=("clean", "defective"), defaults=INTERMEDIATE,
    description="CodeXGLUE defect detection (Devign): is this C function vulnerable? Code as intermediate data.",
), aliases=("devign",))

register(TaskSpec(
    name="code_to_text", role="intermediate", format="generation", languages=("en",),
    hub=(HubSource("google/code_x_glue_ct_code_to_text", "python"),), adapter=a.code_to_text,
    metric="codexglue_bleu", defaults=GENERATE,
    description="CodeXGLUE code-to-text (CodeSearchNet Python): write a function's docstring from its code tokens, "
                "scored by CodeXGLUE's smoothed BLEU-4. Code as intermediate data for the text-to-text path.",
), aliases=("code2text",))

register(TaskSpec(
    name="code_clone", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource("google/code_x_glue_cc_clone_detection_big_clone_bench"),), adapter=a.pair("func1", "func2"),
    metric="binary_f1", labels=("different", "clone"), defaults=INTERMEDIATE,
    description="CodeXGLUE clone detection (BigCloneBench): do two Java methods do the same thing? Pair classification, scored by binary P/R/F1 of 'clone' as its evaluator.",
), aliases=("bigclonebench",))

register(TaskSpec(
    name="code_search", role="intermediate", format="classification", languages=("en",),
    hub=(HubSource("google/code_x_glue_tc_nl_code_search_adv"),), adapter=a.code_search,
    expand=a.with_mismatched_code, metric="accuracy", labels=("mismatch", "match"), defaults=INTERMEDIATE,
    description="CodeXGLUE NL-code search (CodeSearchNet Python, AdvTest): does a docstring describe a function? "
                "Pair classification; each pair's negative is its docstring with another function's code.",
), aliases=("nl_code_search",))

register(TaskSpec(
    name="copa", role="intermediate", format="multiple_choice", languages=("en",),
    hub=(HubSource("aps/super_glue", revision="refs/convert/parquet", data_dir="copa"),), adapter=a.copa, metric="accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="COPA: choice of plausible alternatives (cause/effect), English; XCOPA's training data.",
))

register(TaskSpec(
    name="siqa", role="intermediate", format="multiple_choice", languages=("en",),
    hub=(HubSource("allenai/social_i_qa", revision="refs/convert/parquet", data_dir="default"),), adapter=a.siqa, metric="accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="Social IQa: commonsense reasoning about people (3 answers), English; XTREME-R trains XCOPA on "
                "it before COPA.",
), aliases=("socialiqa", "social_i_qa"))

register(TaskSpec(
    name="ccg", role="intermediate", format="tagging", languages=("en",),
    hub=(HubSource("local:ccgbank"),), adapter=a.tags("tags"), metric="token_accuracy",
    splits=("train", "validation"), defaults=INTERMEDIATE,
    description="CCGbank supertagging. No public hub copy: with source hub, set XLT_CCGBANK_DIR to a "
                "folder of train/validation files in CCGbank's AUTO (.auto) or tagged (.stagged) format.",
))

XNLI_LANGS_FOR_MLM = tuple("ar bg de el en es fr hi ru sw th tr ur vi zh".split())

register(TaskSpec(
    name="mlm", role="intermediate", format="masked_lm", languages=XNLI_LANGS_FOR_MLM,
    hub=(HubSource("wikimedia/wikipedia", "20231101.{lang}", splits={"validation": "train"}, streaming=100_000),),
    adapter=a.text("text"), metric="accuracy", splits=("train", "validation"),
    defaults=Defaults(max_seq_length=256, epochs=1, batch_size=32),
    description="Continued multilingual masked-LM on Wikipedia (first 100k articles a language; local: the "
                "shipped multilingual text). Pick languages with mlm@de,ur; include it in a mixture.",
))

# --- target (XTREME) ----------------------------------------------------------------------

XNLI_LANGS = tuple("ar bg de el en es fr hi ru sw th tr ur vi zh".split())
PAWSX_LANGS = tuple("de en es fr ja ko zh".split())
PANX_LANGS = tuple(("ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja "
                    "ka ko th sw yo my zh kk tr et fi hu").split())
UDPOS_LANGS = tuple(("af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl "
                     "tr ur vi yo zh").split())
XQUAD_LANGS = tuple("en es de el ru tr ar vi th zh hi".split())
MLQA_LANGS = tuple("en es de ar hi vi zh".split())
TYDIQA_LANGS = tuple("en ar bn fi id ko ru sw te".split())
TYDIQA_PREFIX = dict(en="english", ar="arabic", bn="bengali", fi="finnish", id="indonesian", ko="korean",
                     ru="russian", sw="swahili", te="telugu")
TATOEBA_CODES = dict(ar="ara", he="heb", vi="vie", id="ind", jv="jav", tl="tgl", eu="eus", ml="mal", ta="tam",
                     te="tel", af="afr", nl="nld", de="deu", el="ell", bn="ben", hi="hin", mr="mar", ur="urd",
                     fa="pes", fr="fra", it="ita", pt="por", es="spa", bg="bul", ru="rus", ja="jpn", ka="kat",
                     ko="kor", th="tha", sw="swh", zh="cmn", kk="kaz", tr="tur", et="est", fi="fin", hu="hun")

register(TaskSpec(
    name="xnli", role="target", format="classification", languages=XNLI_LANGS,
    hub=(HubSource("facebook/xnli", "{lang}"),), adapter=a.pair("premise", "hypothesis"), metric="accuracy",
    labels=NLI, train_from="mnli", defaults=CLASSIFY,
    description="XNLI: inference in 15 languages; trains on MNLI (as the paper), zero-shot on the rest.",
))

register(TaskSpec(
    name="xnli_tt", role="intermediate", format="classification", languages=XNLI_LANGS,
    hub=(HubSource("facebook/xnli", "{lang}"),), adapter=a.pair("premise", "hypothesis"), metric="accuracy",
    labels=NLI, splits=("train", "validation"), defaults=CLASSIFY,
    description="XNLI translate-train: MultiNLI machine-translated into each XNLI language, as intermediate "
                "data in that language (`xnli_tt@es`, `xnli_tt@ur`; the English original is `mnli`).",
), aliases=("xnli_translate_train",))

register(TaskSpec(
    name="pawsx_tt", role="intermediate", format="classification", languages=PAWSX_LANGS,
    hub=(HubSource("google-research-datasets/paws-x", "{lang}"),), adapter=a.pair("sentence1", "sentence2"),
    metric="accuracy", labels=("not_paraphrase", "paraphrase"), splits=("train", "validation"), defaults=CLASSIFY,
    description="PAWS-X translate-train: the PAWS training set machine-translated into each PAWS-X language, as "
                "intermediate data in that language (`pawsx_tt@ja`; `pawsx_tt@en` is the English original).",
))

XCOPA_LANGS = tuple("et ht id it qu sw ta th tr vi zh".split())
XGLUE = "local:xglue"  # XGLUE's release files at $XLT_XGLUE_DIR (xlt/data/xglue.py): the hub copy is a script
# XGLUE's test labels are held by its leaderboard: its labelled evaluation sets are the
# per-language validation splits, so those are xlt's test split, and English's is the dev set.
XGLUE_SPLITS = {"validation": "validation.en", "test": "validation.{lang}"}

# QG and NTG test targets are public (XGLUE's README, 2020-11-26: "release the test part"), and its
# scorer reads the test split by default: their test split is xlt's test split.
XGLUE_GENERATION_SPLITS = {"validation": "validation.en", "test": "test.{lang}"}

register(TaskSpec(
    name="xglue_qg", role="target", format="generation", languages=tuple("en de es fr it pt".split()),
    hub=(HubSource(XGLUE, "qg", splits=XGLUE_GENERATION_SPLITS),), adapter=a.generation("answer_passage", "question"),
    metric="xglue_bleu", defaults=GENERATE,
    description="XGLUE question generation: a passage -> the question it answers, in 6 languages, BLEU-4 as "
                "xglue_evaluate.py computes it (text-to-text path only).",
))

register(TaskSpec(
    name="xglue_ntg", role="target", format="generation", languages=tuple("en de es fr ru".split()),
    hub=(HubSource(XGLUE, "ntg", splits=XGLUE_GENERATION_SPLITS),), adapter=a.generation("news_body", "news_title"),
    metric="xglue_bleu", defaults=GENERATE,
    description="XGLUE news title generation: a news body -> its title, in 5 languages, BLEU-4 as "
                "xglue_evaluate.py computes it (text-to-text path only).",
))

register(TaskSpec(
    name="xcopa", role="target", format="multiple_choice", languages=XCOPA_LANGS,
    hub=(HubSource("cambridgeltl/xcopa", "{lang}"),), adapter=a.copa, metric="accuracy",
    splits=("validation", "test"), train_from=("siqa", "copa"), defaults=XCOPA,
    description="XCOPA (XTREME-R): causal commonsense reasoning in 11 languages; trains on English SIQA, then "
                "COPA, as XTREME-R does.",
))

register(TaskSpec(
    name="xglue_ner", role="target", format="tagging", languages=("en", "de", "es", "nl"),
    hub=(HubSource(XGLUE, "ner", splits=XGLUE_SPLITS),), adapter=a.tags("ner", token_column="words"),
    metric="seqeval", labels=(*NER, "B-MISC", "I-MISC"), defaults=TAG,
    description="XGLUE NER: CoNLL-2002/2003 named entities (PER, ORG, LOC, MISC) in 4 languages, seqeval F1.",
))

register(TaskSpec(
    name="xglue_pos", role="target", format="tagging",
    languages=tuple("en ar bg de el es fr hi it nl pl pt ru th tr ur vi zh".split()),  # the release has pt (its scorer scores it); the hub script left it out
    hub=(HubSource(XGLUE, "pos", splits=XGLUE_SPLITS),), adapter=a.tags("pos", token_column="words"),
    metric="seqeval_precision", labels=UPOS, defaults=TAG,
    description="XGLUE POS: Universal Dependencies part-of-speech tags in 18 languages, scored as XGLUE's "
                "xglue_evaluate.py does: seqeval precision over the bare tags (its README says accuracy).",
))

register(TaskSpec(
    name="xglue_wpr", role="target", format="ranking", languages=tuple("en de es fr it pt zh".split()),
    hub=(HubSource(XGLUE, "wpr", splits=XGLUE_SPLITS),), adapter=a.wpr, metric="ndcg",
    labels=("bad", "fair", "good", "excellent", "perfect"), defaults=CLASSIFY,
    description="XGLUE web page ranking: grade (query, page) pairs 0-4, rank pages per query, nDCG as XGLUE "
                "computes it (scikit-learn's ndcg_score per query over its whole list).",
))

register(TaskSpec(
    name="xglue_nc", role="target", format="classification", languages=tuple("en de es fr ru".split()),
    hub=(HubSource(XGLUE, "nc", splits=XGLUE_SPLITS),), adapter=a.pair("news_title", "news_body", label="news_category"),
    metric="accuracy", labels=("foodanddrink", "sports", "travel", "finance", "lifestyle", "news", "entertainment",
                               "health", "video", "autos"), defaults=CLASSIFY,
    description="XGLUE news classification: a news title and body -> one of 10 categories, in 5 languages.",
))

register(TaskSpec(
    name="xglue_qadsm", role="target", format="classification", languages=("en", "de", "fr"),
    hub=(HubSource(XGLUE, "qadsm", splits=XGLUE_SPLITS),), adapter=a.qadsm, metric="accuracy",
    labels=("bad", "good"), defaults=CLASSIFY,
    description="XGLUE query-ad matching: is the ad (title + description) relevant to the search query?",
))

register(TaskSpec(
    name="xglue_qam", role="target", format="classification", languages=("en", "de", "fr"),
    hub=(HubSource(XGLUE, "qam", splits=XGLUE_SPLITS),), adapter=a.pair("question", "answer"), metric="accuracy",
    labels=("irrelevant", "relevant"), defaults=CLASSIFY,
    description="XGLUE question-answer matching: does the passage answer the question?",
))

register(TaskSpec(
    name="pawsx", role="target", format="classification", languages=PAWSX_LANGS,
    hub=(HubSource("google-research-datasets/paws-x", "{lang}"),), adapter=a.pair("sentence1", "sentence2"),
    metric="accuracy", labels=("not_paraphrase", "paraphrase"), defaults=PAIR_5,
    description="PAWS-X: adversarial paraphrase identification in 7 languages.",
), aliases=("paws-x",))

register(TaskSpec(
    name="udpos", role="target", format="tagging", languages=UDPOS_LANGS,
    hub=(HubSource("google/xtreme", "udpos.{lang_name}"),), adapter=a.tags("pos_tags"), metric="seqeval",
    labels=UPOS, defaults=TAG, missing_splits={"validation": ("kk", "tl", "th", "yo"), "train": ("tl", "th", "yo")},
    description="Universal Dependencies POS tagging (XTREME's 33 languages), scored with seqeval F1 as XTREME does.",
))

register(TaskSpec(
    name="panx", role="target", format="tagging", languages=PANX_LANGS,
    hub=(HubSource("google/xtreme", "PAN-X.{lang}"),), adapter=a.tags("ner_tags"), metric="seqeval",
    labels=NER, defaults=TAG,
    description="PAN-X (WikiANN) named entities: PER, ORG, LOC in 40 languages.",
), aliases=("pan-x", "wikiann"))

register(TaskSpec(
    name="xquad", role="target", format="span_extraction", languages=XQUAD_LANGS,
    hub=(HubSource("google/xquad", "xquad.{lang}", splits={"test": "validation"}),), adapter=a.squad,
    metric="squad", splits=("test",), train_from="squad_v1", defaults=QA,
    description="XQuAD: SQuAD v1.1 dev translated into 10 languages; trains on SQuAD v1.1.",
))

register(TaskSpec(
    name="mlqa", role="target", format="span_extraction", languages=MLQA_LANGS,
    # facebook/mlqa is a loading script; google/xtreme holds MLQA as Parquet (validation, test)
    hub=(HubSource("google/xtreme", "MLQA.{lang}.{lang}"),), adapter=a.squad, metric="mlqa",
    splits=("validation", "test"), train_from="squad_v1", defaults=QA,
    description="MLQA: extractive QA in 7 languages, scored with MLQA's normalisation; trains on SQuAD v1.1.",
))

register(TaskSpec(
    name="tydiqa", role="target", format="span_extraction", languages=TYDIQA_LANGS,
    hub=(HubSource("google-research-datasets/tydiqa", "secondary_task",
                   splits={"test": "validation"}, id_prefix=TYDIQA_PREFIX),),
    adapter=a.squad, metric="squad", defaults=QA, dev_from_train=0.1,
    description="TyDiQA-GoldP: gold-passage QA in 9 typologically diverse languages; trains on its English train "
                "(its dev set is the test set, as in XTREME; English dev is 10% of the training set, held out).",
), aliases=("tydiqa-goldp",))

register(TaskSpec(
    name="bucc", role="target", format="retrieval", languages=("de", "fr", "ru", "zh"),
    hub=(HubSource("local:bucc2018"),), adapter=a.parallel, metric="bucc",
    splits=("validation", "test"), defaults=RETRIEVE, benchmark_folder="bucc2018",
    description="BUCC 2018: mine the parallel pairs (xx-en) from comparable corpora; XTREME's margin mining, "
                "threshold tuned on dev. No hub copy of the corpora: with source hub set XLT_BUCC_DIR (docs/tasks.md).",
), aliases=("bucc2018",))

register(TaskSpec(
    name="tatoeba", role="target", format="retrieval", languages=tuple(TATOEBA_CODES),
    hub=(HubSource("google/xtreme", "tatoeba.{lang_code}", splits={"test": "validation"}, codes=TATOEBA_CODES),),
    adapter=a.parallel, metric="accuracy", splits=("test",), defaults=RETRIEVE,
    description="Tatoeba: find the English translation of each sentence (36 languages); accuracy.",
))

MEWSLIX_LANGS = tuple("ar de en es fa ja pl ro ta tr uk".split())
LAREQA_LANGS = tuple("ar de el en es hi ru th tr vi zh".split())

register(TaskSpec(
    name="mewslix", role="target", format="retrieval", languages=MEWSLIX_LANGS,
    hub=(HubSource("local:mewslix"),), adapter=a.mewslix_mention, expand=unnest_mentions, metric="map@20",
    splits=("validation", "test"), defaults=POOL, candidate_pool="entities",
    description="Mewsli-X (XTREME-R): link WikiNews mentions in 11 languages to Wikidata entities, ranked over one "
                "candidate pool (descriptions in 50 languages); mAP@20. No hub copy: with source hub set XLT_MEWSLIX_DIR "
                "to the folder google-research's get-mewsli-x.sh writes (mewsli_x/output/dataset).",
), aliases=("mewsli-x",))

register(TaskSpec(
    name="lareqa", role="target", format="retrieval", languages=LAREQA_LANGS,
    hub=(HubSource("google-research-datasets/xquad_r", "{lang}", splits={"test": "validation"}),), adapter=a.lareqa,
    metric="map@20", splits=("test",), defaults=POOL, candidate_pool="answer_sentences",
    description="LAReQA (XTREME-R): questions of XQuAD-R in 11 languages retrieve their answer sentence, in "
                "every language, from one pool of all languages' sentences; mAP@20.",
), aliases=("xquad_r",))
