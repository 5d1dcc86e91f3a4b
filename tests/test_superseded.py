"""An annotation set aside for another one is counted and said; accounts of different files are not merged.

The case found by a new user: a shipped export (``seeds-v1.json``, Label Studio project 2, task 6,
hand-written annotation 6 by user 1) and the user's own pull (``my-export.json``, another server:
project 1, task 1, annotation 1 by *its* user 1, newer). The newer annotation still wins; the build
now says that the seed annotation was set aside, the card lists its input files, and ``user:1`` of
the two files are two accounts (so agreement compares them).
"""

from __future__ import annotations

import json

import pytest

from fixtures.lsexport import ART1, ART2, Ann, annotation, task, write
from toolkit.dataset import build_dataset, compute_agreement
from toolkit.labelstudio.export import NOTE_REASONS, REASONS, ExportReader, IssueLog

STANCE = ("favor", "against", "neutral")
GOLD_TIME = "2026-11-23T01:11:46.201636Z"
USER_TIME = "2026-12-01T10:00:00Z"


def _ann(text, quote, speaker, stance, **kw):
    a = Ann(text, seed=f"{stance}-{kw['id']}")
    a.quote(quote, speaker, stance)
    return annotation(a, **kw)


def _task(text, *, id, article_id, project, annotations):
    t = task(text, id=id, article_id=article_id, annotations=annotations)
    t["project"] = project
    for a in t["annotations"]:
        a["project"] = project
    return t


def seeds_and_user_export(tmp_path):
    """seeds-v1.json: two articles (gold, older); my-export.json: the first one again, newer, another server."""
    gold = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=6, task=6, created_at=GOLD_TIME)
    other = _ann(ART2, "Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", id=7, task=7, created_at=GOLD_TIME)
    seeds = write(tmp_path / "seeds-v1.json", [_task(ART1, id=6, article_id="000_f881", project=2, annotations=[gold]),
                                               _task(ART2, id=7, article_id="001_e79d", project=2, annotations=[other])])
    mine = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=1, task=1, created_at=USER_TIME)
    user = write(tmp_path / "my-export.json", [_task(ART1, id=1, article_id="000_f881", project=1, annotations=[mine])])
    return seeds, user


def read(paths, annotator=None, strict=False):
    log = IssueLog(strict=strict)
    reader = ExportReader(paths, issues=log, stance_labels=STANCE, annotator=annotator)
    arts = list(reader.articles())
    return arts, log, reader.info


# --------------------------------------------------------------------------- 1. superseded is counted and said


def test_superseded_is_a_note_reason():
    assert "superseded" in REASONS and "superseded" in NOTE_REASONS


def test_annotation_from_another_file_set_aside_is_counted_and_named(tmp_path):
    seeds, user = seeds_and_user_export(tmp_path)
    for order in ([seeds, user], [user, seeds]):
        arts, log, info = read(order)
        a = next(x for x in arts if x.article_id == "000_f881")
        assert a.quotes[0].stance == "against"  # the latest still wins
        assert log.notes == {"superseded": 1} and log.total == 0  # a resolution: nothing skipped
        (reason, msg), = log.note_messages
        assert reason == "superseded"
        assert "000_f881" in msg
        assert f"kept annotation 1 from my-export.json (updated_at {USER_TIME})" in msg
        assert "set aside annotation 6 from seeds-v1.json" in msg and "latest" in msg
        assert info.superseded == {("my-export.json", "seeds-v1.json"): 1}


def test_build_summary_and_card_say_what_was_set_aside_and_list_the_inputs(run_cli, tmp_path, monkeypatch, capsys):
    seeds, user = seeds_and_user_export(tmp_path)
    code, out, _ = run_cli(["build", seeds, user, "-o", tmp_path / "ds"])
    assert code == 0
    assert "resolved: superseded" in out and "set aside annotation 6 from seeds-v1.json" in out
    s = build_dataset([seeds, user], tmp_path / "ds2")
    assert s.articles == 2 and s.quotes == 2 and s.stance["against"] == 1
    assert s.notes == {"superseded": 1} and s.skipped == {}
    assert ("resolved: superseded", "1") in s.rows()
    assert s.inputs == [{"file": "seeds-v1.json", "tasks": 2, "kept": 1}, {"file": "my-export.json", "tasks": 1, "kept": 1}]
    d = s.to_dict()
    assert d["superseded"] == [{"kept_from": "my-export.json", "set_aside_from": "seeds-v1.json", "tasks": 1}]
    card = (tmp_path / "ds2" / "README.md").read_text(encoding="utf-8")
    assert "| `my-export.json` | `seeds-v1.json` | 1 |" in card
    assert "1 task(s) had their annotation chosen among several live annotations" in card
    assert "| `seeds-v1.json` | 2 | 1 |" in card and "| `my-export.json` | 1 | 1 |" in card
    assert "| `superseded` | 1 |" in card


def test_strict_build_does_not_fail_on_superseded(tmp_path):
    seeds, user = seeds_and_user_export(tmp_path)
    s = build_dataset([seeds, user], tmp_path / "ds", strict=True)
    assert s.notes == {"superseded": 1}


def test_the_same_annotation_in_two_snapshots_is_not_superseded(tmp_path):
    old = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=7, task=1, created_at="2026-01-01T10:00:00Z")
    new = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=7, task=1, created_at="2026-01-01T10:00:00Z", updated_at="2026-02-01T10:00:00Z")
    f1 = write(tmp_path / "jan.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[old])])
    f2 = write(tmp_path / "feb.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[new])])
    (art,), log, info = read([f1, f2])
    assert art.quotes[0].stance == "against"
    assert log.notes == {} and info.superseded == {}
    assert art.annotator == "user:1" and info.account_scopes == 1  # snapshots of one project: one account


def test_several_live_annotations_in_one_file_are_superseded_cancelled_ones_not(tmp_path):
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1, completed_by=1)
    b = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=2, task=1, completed_by=2, created_at="2026-01-03T00:00:00Z")
    c = _ann(ART1, "the plan would fail", "Phay Siphan", "neutral", id=3, task=1, completed_by=3, created_at="2026-01-05T00:00:00Z", was_cancelled=True)
    e = write(tmp_path / "e.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[a, b, c])])
    (art,), log, info = read([e])
    assert art.quotes[0].stance == "against"
    assert log.notes == {"superseded": 1}
    assert "kept annotation 2 from e.json" in log.note_messages[0][1] and "annotation 1 from e.json" in log.note_messages[0][1]
    assert "annotation 3" not in log.note_messages[0][1]  # cancelled: not a candidate
    assert info.superseded == {("e.json", "e.json"): 1}
    # only one live annotation (the other cancelled): nothing to note
    (art,), log, _ = read([write(tmp_path / "f.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[a, c])])])
    assert log.notes == {}


def test_ground_truth_kept_over_a_later_one_says_why(tmp_path):
    gt = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=6, task=6, created_at=GOLD_TIME, ground_truth=True)
    later = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=1, task=1, created_at=USER_TIME)
    seeds = write(tmp_path / "seeds-v1.json", [_task(ART1, id=6, article_id="a1", project=2, annotations=[gt])])
    user = write(tmp_path / "my-export.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[later])])
    (art,), log, info = read([seeds, user])
    assert art.quotes[0].stance == "favor"  # ground truth still wins
    msg = log.note_messages[0][1]
    assert "kept annotation 6 from seeds-v1.json" in msg and "ground truth" in msg and "set aside annotation 1 from my-export.json" in msg
    assert info.superseded == {("seeds-v1.json", "my-export.json"): 1}


# --------------------------------------------------------------------------- 3. accounts of different files


def test_user_ids_of_different_projects_are_different_accounts(tmp_path):
    seeds, user = seeds_and_user_export(tmp_path)
    arts, _, info = read([seeds, user])
    assert info.account_scopes == 2
    assert {a.article_id: a.annotator for a in arts} == {"000_f881": "user:1 (my-export.json)", "001_e79d": "user:1 (seeds-v1.json)"}
    s = build_dataset([seeds, user], tmp_path / "ds")
    assert s.accounts == {"user:1 (seeds-v1.json)": 1, "user:1 (my-export.json)": 1}
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "2 annotation(s) from 2 Label Studio account(s)" in card
    assert "identifies a person only within one Label Studio server" in card


def test_same_project_but_other_task_ids_is_another_server(tmp_path):
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1)
    b = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=2, task=5, created_at="2026-01-03T00:00:00Z")
    f1 = write(tmp_path / "a.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[a])])
    f2 = write(tmp_path / "b.json", [_task(ART1, id=5, article_id="a1", project=1, annotations=[b])])
    (art,), _, info = read([f1, f2])
    assert info.account_scopes == 2 and art.annotator == "user:1 (b.json)"


def test_same_project_and_task_ids_but_one_annotation_id_on_two_tasks_is_another_server(tmp_path):
    """The re-audit's case: a fresh server happened to number project and tasks like the seeds'.
    Annotation 6 is on article 000 in one file and on article 001 in the other: not one database."""
    g6 = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=6, task=6, created_at=GOLD_TIME)
    seeds = write(tmp_path / "seeds-v1.json", [_task(ART1, id=6, article_id="000_f881", project=2, annotations=[g6]),
                                               _task(ART2, id=7, article_id="001_e79d", project=2, annotations=[])])
    m5 = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=5, task=6, created_at=USER_TIME)
    m6 = _ann(ART2, "Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", id=6, task=7, created_at=USER_TIME)
    mine = write(tmp_path / "mine.json", [_task(ART1, id=6, article_id="000_f881", project=2, annotations=[m5]),
                                          _task(ART2, id=7, article_id="001_e79d", project=2, annotations=[m6])])
    arts, _, info = read([seeds, mine])
    assert info.account_scopes == 2
    assert {a.article_id: a.annotator for a in arts}["000_f881"] == "user:1 (mine.json)"
    agreement = compute_agreement([seeds, mine])
    assert agreement.tasks == 1  # 000 annotated by two people (the two user:1), compared


def test_an_email_of_one_file_does_not_name_a_bare_id_of_another_server(tmp_path):
    alice = {"id": 3, "email": "alice@example.org"}
    a = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=1, task=1, completed_by=alice)
    b = _ann(ART2, "Sam Rainsy had reached Jakarta", "Mu Sochua", "neutral", id=1, task=1, completed_by=3)
    f1 = write(tmp_path / "a.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[a])])
    f2 = write(tmp_path / "b.json", [_task(ART2, id=1, article_id="a2", project=9, annotations=[b])])
    arts, _, _ = read([f1, f2])
    assert {x.article_id: x.annotator for x in arts} == {"a1": "alice@example.org", "a2": "user:3 (b.json)"}
    # within one scope, the e-mail still names the bare id
    f3 = write(tmp_path / "c.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[a]),
                                      _task(ART2, id=2, article_id="a2", project=1, annotations=[b])])
    arts, _, _ = read([f3])
    assert {x.annotator for x in arts} == {"alice@example.org"}


# --------------------------------------------------------------------------- 4. agreement


def test_agreement_compares_the_annotations_of_two_servers(run_cli, tmp_path, monkeypatch, capsys):
    seeds, user = seeds_and_user_export(tmp_path)
    rep = compute_agreement([seeds, user])
    assert rep.tasks == 1 and rep.annotators == ["user:1 (my-export.json)", "user:1 (seeds-v1.json)"]
    assert rep.matched == 1 and rep.stance_observed == 0.0
    code, out, _ = run_cli(["agreement", "--json", seeds, user])
    assert code == 0 and json.loads(out)["tasks"] == 1


def test_agreement_says_why_one_accounts_annotations_are_not_compared(run_cli, tmp_path, monkeypatch, capsys):
    old = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=7, task=1)
    new = _ann(ART1, "the plan would fail", "Phay Siphan", "against", id=8, task=1, created_at="2026-02-01T10:00:00Z")
    f1 = write(tmp_path / "jan.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[old])])
    f2 = write(tmp_path / "feb.json", [_task(ART1, id=1, article_id="a1", project=1, annotations=[new])])
    rep = compute_agreement([f1, f2])
    assert rep.tasks == 0 and rep.same_account_tasks == 1 and rep.account_scopes == 1
    code, out, _ = run_cli(["agreement", f1, f2])
    assert code == 0
    assert "No task was annotated by several people" in out and "1 task(s) have several annotations by the same account" in out
    s = build_dataset([f1, f2], tmp_path / "ds")
    assert s.notes == {"superseded": 1}
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "no agreement figures. 1 task(s) have several annotations by the same account" in card
    assert "taken as snapshots of one project" in card


# --------------------------------------------------------------------------- 5. one annotation, two different versions


def conflicting_copies(tmp_path, *, same_time=True, same_result=False):
    """One task (id 6) in two files with annotation 6 in both: same updated_at, different stance."""
    first = _ann(ART1, "the plan would fail", "Phay Siphan", "favor", id=6, task=6, created_at=GOLD_TIME)
    second = _ann(ART1, "the plan would fail", "Phay Siphan", "favor" if same_result else "against", id=6, task=6,
                  created_at=GOLD_TIME, updated_at=GOLD_TIME if same_time else USER_TIME)
    second["lead_time"] = 99.0  # not what the build reads: never a conflict by itself
    a = write(tmp_path / "monday.json", [_task(ART1, id=6, article_id="000_f881", project=2, annotations=[first])])
    b = write(tmp_path / "tuesday.json", [_task(ART1, id=6, article_id="000_f881", project=2, annotations=[second])])
    return a, b


def test_two_different_versions_of_one_annotation_are_a_counted_conflict_naming_both(tmp_path):
    a, b = conflicting_copies(tmp_path)
    arts, log, _ = read([a, b])
    assert [x.quotes[0].stance for x in arts] == ["against"]  # the version read last is kept, as before
    assert log.counts == {"annotation_conflict": 1} and log.notes == {}  # one annotation: not a superseded choice
    ((reason, msg),) = log.messages
    assert "monday.json task 6" in msg and "tuesday.json task 6" in msg and "annotation 6" in msg and "000_f881" in msg
    assert "\n" not in msg
    arts, log, _ = read([b, a])  # the other order keeps the other version, and says so
    assert [x.quotes[0].stance for x in arts] == ["favor"] and "the one read last (monday.json task 6) is used" in log.messages[0][1]


def test_a_conflict_in_one_file_is_named_too(tmp_path):
    a, b = conflicting_copies(tmp_path)
    both = write(tmp_path / "both.json", json.loads(a.read_text()) + [{**json.loads(b.read_text())[0], "id": 9}])
    arts, log, _ = read([both])
    assert log.counts == {"annotation_conflict": 1}
    assert "both.json task 6" in log.messages[0][1] and "both.json task 9" in log.messages[0][1]


@pytest.mark.parametrize("case", ["same_result", "later_update"])
def test_identical_copies_and_later_edits_are_no_conflict(case, tmp_path):
    a, b = conflicting_copies(tmp_path, same_result=case == "same_result", same_time=case != "later_update")
    arts, log, _ = read([a, b], strict=True)
    assert log.counts == {} and log.notes == {} and len(arts) == 1


def test_conflict_fails_strict_and_is_reported_by_build(run_cli, tmp_path, monkeypatch, capsys):
    a, b = conflicting_copies(tmp_path)
    code, out, err = run_cli(["build", a, b, "-o", tmp_path / "ds", "--strict"])
    assert code == 4 and "annotation_conflict" in err and "monday.json" in err and "tuesday.json" in err
    assert not (tmp_path / "ds").exists()
    code, out, err = run_cli(["build", a, b, "-o", tmp_path / "ds"])
    assert code == 0 and "[annotation_conflict]" in out
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "| `annotation_conflict` | 1 |" in card
