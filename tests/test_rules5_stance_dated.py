"""The speaker's side on the article's date: a record's ``date`` reaches the stance rules.

The registry writes a person's change of side as dated affiliations (configs/speakers.yaml:
``affiliations: [{affiliation, start, end}]``, :meth:`toolkit.config.Speaker.affiliation_on`).
The pre-annotator reads the side on the article's date (the record's ``date``, as ingest writes
it; ``doc._.article_date`` for a Doc), and the registry's plain affiliation when the date is not
known. Hang Puthea led an election-monitoring NGO (to 2014) and later spoke for the National
Election Committee: the same plain words read his side of the time.

The sentences are constructed for these tests (no article text)."""

import pytest

from toolkit.config import load_registry
from toolkit.pipeline import load_pipeline, preannotate_records

#: a remark with no telling word: the speaker's side decides the stance
REMARK = "“The process must respect the will of the voters,” Hang Puthea said."


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(None)  # spacy.blank + sentencizer + the component


def stances(nlp, text: str, date: str | None, jobs: int = 1) -> list[tuple[str, str | None]]:
    rec = {"article_id": "a", "text": text, **({"date": date} if date else {})}
    (out,) = preannotate_records([rec], nlp=nlp, jobs=jobs)
    return [(q["speaker"], q["stance"]) for q in out["quotes"]]


def test_the_registry_gives_a_changed_side_by_date():
    reg = load_registry()
    assert reg.affiliation("Hang Puthea", "2008-03-01") == "NGO"
    assert reg.affiliation("Hang Puthea", "2018-07-01") == "government"


def test_the_same_quote_reads_the_side_of_its_article_date(nlp):
    assert stances(nlp, REMARK, "2008-03-01") == [("Hang Puthea", "against")]  # NGO then
    assert stances(nlp, REMARK, "2018-07-01") == [("Hang Puthea", "favor")]  # the election committee later


def test_without_a_date_the_plain_affiliation_is_read(nlp):
    assert stances(nlp, REMARK, None) == stances(nlp, REMARK, "2018-07-01")


def test_a_doc_carries_its_date_through_the_extension(nlp):
    doc = nlp.make_doc(REMARK)
    doc._.article_date = "2008-03-01"
    assert [q.stance for q in nlp(doc)._.quotes] == ["against"]
    assert [q.stance for q in nlp(REMARK)._.quotes] == ["favor"]


def test_worker_processes_read_the_date_too(nlp):
    recs = [{"article_id": "old", "text": REMARK, "date": "2008-03-01"}, {"article_id": "new", "text": REMARK, "date": "2018-07-01"}, {"article_id": "none", "text": REMARK}]
    one = [r["quotes"] for r in preannotate_records(recs, nlp=nlp)]
    two = [r["quotes"] for r in preannotate_records(recs, nlp=nlp, jobs=2, batch_size=1)]
    assert two == one
    assert [q[0]["stance"] for q in two] == ["against", "favor", "favor"]


def test_rong_chhun_is_opposition_from_his_candlelight_party_years():
    reg = load_registry()
    assert reg.affiliation("Rong Chhun", "2020-08-01") == "NGO"  # union leader
    assert reg.affiliation("Rong Chhun", "2023-05-10") == "opposition"  # Candlelight Party vice-president


def test_a_date_spelt_otherwise_reads_the_plain_affiliation(nlp):
    # "1 July 2008" would compare wrongly with the registry's YYYY-MM-DD periods
    assert stances(nlp, REMARK, "1 July 2008") == stances(nlp, REMARK, None)
    assert stances(nlp, REMARK, "2008-07-01T09:30:00Z") == stances(nlp, REMARK, "2008-07-01")


def test_worker_processes_tokenise_dated_records(nlp):
    # a date must not make the main process tokenise and ship Docs (--jobs 2 would lose its gain)
    calls = []
    inner = nlp.tokenizer

    def counting(text):
        calls.append(len(text))  # in the main process only: a worker counts in its own copy
        return inner(text)

    nlp.tokenizer = counting
    try:
        out = list(preannotate_records([{"article_id": "a", "text": REMARK, "date": "2008-03-01"}] * 3, nlp=nlp, jobs=2))
    finally:
        nlp.tokenizer = inner
    assert calls == []
    assert [r["quotes"][0]["stance"] for r in out] == ["against"] * 3
