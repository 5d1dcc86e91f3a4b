"""The names shared by the labeling config, the predictions we import and the exports we parse.

One place, so the config XML, ``ls push`` and ``build`` cannot drift apart. The config itself is
generated from these names by ``toolkit.labelstudio.config`` into ``configs/label_config.xml``.

Result items in a Label Studio annotation/prediction (``result`` list):

- region:   ``{"id", "from_name": LABELS, "to_name": TEXT, "type": "labels",
              "value": {"start", "end", "text", "labels": [QUOTE|SPEAKER|CUE]}}``
- per-region choice on a QUOTE: ``{"id": <region id>, "from_name": STANCE | KIND | QUOTE_FLAGS,
              "to_name": TEXT, "type": "choices", "value": {"start", "end", "text", "choices": [...]}}``
- per-region canonical speaker on a SPEAKER, from up to three controls: SPEAKER_PICK (``type``
  "choices", ``value.choices`` = [name]: a radio among the article's candidate speakers, task data
  SPEAKER_CANDIDATES), SPEAKER_NAME (``type`` "taxonomy", ``value.taxonomy`` = [[registry name]]:
  the searchable registry; exports of older projects: ``type`` "choices", ``value.choices`` =
  [name]) and SPEAKER_NEW (``type`` "textarea", ``value.text`` = [typed name]) for a name not in
  the registry. When a region has several, SPEAKER_PRECEDENCE decides (the export reader's
  ``resolve_speaker``).
- relation: ``{"type": "relation", "from_id": <QUOTE region id>, "to_id": <SPEAKER region id>,
              "direction": "right", "labels": [SAID_BY]}``; the QUOTE's cue is linked the same way
  with label CUE_OF (``from_id`` QUOTE, ``to_id`` CUE).
"""

TEXT = "text"  # the <Text name=...> tag; task data key is also "text"
LABELS = "label"  # the <Labels> tag
QUOTE = "QUOTE"
SPEAKER = "SPEAKER"
CUE = "CUE"
REGION_LABELS = (QUOTE, SPEAKER, CUE)

STANCE = "stance"  # per-region <Choices> shown on QUOTE regions
KIND = "kind"  # per-region <Choices> on QUOTE regions: direct / indirect / mixed
QUOTE_FLAGS = "quote_flags"  # per-region <Choices> on QUOTE regions, e.g. SPEAKER_UNKNOWN
SPEAKER_UNKNOWN = "speaker unknown"
SPEAKER_NAME = "speaker"  # per-region <Taxonomy> (registry names, searchable) on SPEAKER regions
SPEAKER_NEW = "speaker_new"  # per-region <TextArea> on SPEAKER regions, for a name not in the registry
SPEAKER_PICK = "speaker_pick"  # per-region radio <Choices> on SPEAKER regions: the article's candidates
SPEAKER_CANDIDATES = "speaker_candidates"  # task data: [{"value": name}, ...], the options of SPEAKER_PICK

#: Which speaker control names a SPEAKER region that has several (one place; read by the export
#: reader's ``resolve_speaker``, so pull, build, corrections, review and evaluate --export agree):
#: among the names the annotator set, a typed new name, then a registry (Taxonomy) pick, then a
#: candidate; an untouched pre-annotation yields to any name the annotator set (the pre-annotation
#: fills one control per region, so clicking another candidate is enough to change it). When the
#: annotator set none, the pre-annotation's registry name, then its candidate, then its typed name.
SPEAKER_PRECEDENCE = (SPEAKER_NEW, SPEAKER_NAME, SPEAKER_PICK)
SPEAKER_PRECEDENCE_UNTOUCHED = (SPEAKER_NAME, SPEAKER_PICK, SPEAKER_NEW)

SAID_BY = "said_by"
CUE_OF = "cue"

# Task data keys (besides TEXT) shown to the annotator and kept for provenance.
DATA_KEYS = ("article_id", "title", "outlet", "date", "text_sha256")

# Task data keys built from the proposal (``tasks.build_task``): the doubt figures the Data Manager
# sorts by, and the always-visible review panel of the proposed quotes (HTML; "" when none).
DOUBT = "doubt"  # 1 - (lowest quote score x (1 - share of quotes with stance left empty)), 0..1
LOWEST_SCORE = "lowest_score"  # the lowest proposed quote score (1.0 when nothing is proposed)
STANCE_EMPTY = "stance_empty"  # share of proposed quotes whose stance is left empty, 0..1
REVIEW = "review"  # the <HyperText> panel listing every proposed quote: speaker, stance, kind, doubt

#: Key of a QUOTE region's ``meta`` that carries the rule that proposed it (predictions only).
RULE_META = "quotekit_rule"
