"""rules-5 (H-attr), attributions without a speech verb (features, analysis, interviews):
"In his view, S", "For X, a DESC, S", "To him, S" (toolkit.core.frames.perspective_frames);
"X put it plainly: “...”", "X offered a shorter reply: “...”" (colon_frames); a paragraph that
opens a quotation and does not close it takes the attribution of the paragraph that closes it
(attribute.paragraph_chain_end); a paragraph that only repeats words of another quotation is a
pull quote (attribute.is_pull_quote). Traps: "For years, ...", "In his car, ...", "The sign
read: “...”", a colon in a subordinate clause. Invented sentences; blank pipeline unless said.
"""

from __future__ import annotations


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker, q.kind) for q in nlp(text)._.quotes]


def test_in_his_view(nlp):
    text = "Keo Sarath, a political analyst, spoke at the forum. In his view, the opposition has lost the young voters."
    assert quotes(nlp, text) == [("the opposition has lost the young voters", "his", "Keo Sarath", "indirect")]


def test_for_name_with_appositive(nlp):
    text = "For Keo Sarath, a lecturer in law, the courts decided the last election."
    assert quotes(nlp, text) == [("the courts decided the last election", "Keo Sarath", "Keo Sarath", "indirect")]


def test_to_him_after_a_named_person(nlp):
    text = "Keo Sarath, a lecturer in law, sees it differently. To him, the courts decided the last election."
    got = quotes(nlp, text)
    assert got == [("the courts decided the last election", "him", "Keo Sarath", "indirect")]


def test_perspective_traps(nlp):
    text = (
        "For years, the opposition has been divided. In his car, the minister kept a radio. "
        "For Cambodia, the border is closed. To the north, the river floods."
    )
    assert quotes(nlp, text) == []


def test_colon_after_a_verbless_sentence(nlp):
    text = (
        "Ruling party spokesman Sok Eysan put it plainly: “The door is open to anyone who respects the constitution.”\n\n"
        "Candlelight Party vice president Thach Setha offered a shorter reply: “Without a fair election committee, we are only decoration.”"
    )
    got = quotes(nlp, text)
    assert [(g[0], g[2], g[3]) for g in got] == [
        ("The door is open to anyone who respects the constitution.", "Sok Eysan", "direct"),
        ("Without a fair election committee, we are only decoration.", "Thach Setha", "direct"),
    ]


def test_colon_traps(nlp):
    text = (
        "The plan was simple: “Build the road before the rains come.”\n\n"
        "She drove so badly that I had to change my answer: “Of course I will take the bus tomorrow.”"
    )
    assert quotes(nlp, text) == []


def test_said_colon_is_still_the_cue_frame(nlp):
    text = "Sok Eysan said on Monday: “The door is open to everyone.”"
    got = nlp(text)._.quotes
    assert len(got) == 1 and got[0].speaker == "Sok Eysan" and not got[0].rule.startswith("colon_quote")


def test_multi_paragraph_quote_takes_the_closing_attribution(nlp):
    text = (
        "Ath Thorn said the families were still waiting for justice.\n\n"
        "“Every January we light candles on that road. We will keep doing it.\n\n"
        "“The workers have not forgotten,” he said."
    )
    got = quotes(nlp, text)
    assert [(g[0], g[2]) for g in got] == [
        ("the families were still waiting for justice", "Ath Thorn"),
        ("Every January we light candles on that road. We will keep doing it.", "Ath Thorn"),
        ("The workers have not forgotten,", "Ath Thorn"),
    ]


def test_pull_quote_is_not_a_second_quote(nlp):
    text = (
        "“Your office belongs to the people of your commune, whoever they voted for,” Sar Kheng said.\n\n"
        "“Your office belongs to the people”\n\n"
        "The ceremony ended at noon."
    )
    assert [g[0] for g in quotes(nlp, text)] == ["Your office belongs to the people of your commune, whoever they voted for,"]


def test_colon_speaker_with_the_trained_pipeline(trained_nlp):
    text = "Sam Rainsy posted a short message on Facebook after the vote: “A race with one runner is not a race.”"
    got = trained_nlp(text)._.quotes
    assert [(q.text, q.speaker) for q in got] == [("A race with one runner is not a race.", "Sam Rainsy")]


def test_in_his_words_and_as_he_puts_it(nlp):
    text = (
        "Fisheries director Pheap Kosal defended the ban. In his words, the lake “cannot feed everybody if everybody takes everything”.\n\n"
        "As Khun Tharo, a researcher with an environmental group, puts it: “The big companies fish at night and nobody stops them.”"
    )
    got = quotes(nlp, text)
    assert [(g[0], g[2], g[3]) for g in got] == [
        ("the lake “cannot feed everybody if everybody takes everything”", "Pheap Kosal", "mixed"),
        ("The big companies fish at night and nobody stops them.", "Khun Tharo", "direct"),
    ]


def test_to_name_with_a_relative_clause(nlp):
    text = "To Chheng Vanna, who heads a logistics firm in Battambang, the damage is already done."
    assert quotes(nlp, text) == [("the damage is already done", "Chheng Vanna", "Chheng Vanna", "indirect")]


def test_as_without_put_it_is_no_attribution(nlp):
    assert quotes(nlp, "As expected, the court ruled against him. As the rain fell, the crowd left.") == []


def test_in_her_assessment_with_a_present_verb(nlp):
    text = "Sok Leakhena, an economist, spoke on Monday. In her assessment, the closure hurts farmers more than traders."
    assert quotes(nlp, text)[-1][:3] == ("the closure hurts farmers more than traders", "her", "Sok Leakhena")


def test_colon_subject_when_the_parse_roots_the_quotation(trained_nlp):
    text = "Government spokesman Pen Bona had a short answer for Bangkok: “Cambodia will not beg.”"
    assert [(q.text, q.speaker) for q in trained_nlp(text)._.quotes] == [("Cambodia will not beg.", "Pen Bona")]


def test_figures_telling_their_story_is_the_narrator(nlp):
    assert quotes(nlp, "The figures tell their own story: rice prices at the border have fallen by a quarter.") == []


def test_quotation_introduced_by_the_paragraph_before(nlp):
    text = (
        "Sok Chanthy was 24 when she joined the strike.\n\n"
        "“Nobody had a weapon. Most of us just sat on the road.\n\n"
        "“Then the shooting started and everyone ran.”\n\n"
        "The ministry did not comment."
    )
    got = nlp(text)._.quotes
    assert [(q.text, q.speaker, q.rule.split("+")[0]) for q in got] == [
        ("Nobody had a weapon. Most of us just sat on the road.", "Sok Chanthy", "introduced"),
        ("Then the shooting started and everyone ran.", "Sok Chanthy", "introduced"),
    ]
    assert all(q.score < 0.5 for q in got)  # a reading to check


def test_no_introduction_without_a_person(nlp):
    text = (
        "Phnom Penh was quiet on Monday morning.\n\n"
        "“Nobody had a weapon. Most of us just sat on the road.”"
    )
    assert nlp(text)._.quotes == []


def test_in_the_view_of_name_with_a_relative_clause(nlp):
    text = "In the view of Ros Chantrea, who studies local government, the money will flow to projects chosen in the capital."
    assert quotes(nlp, text) == [("the money will flow to projects chosen in the capital", "Ros Chantrea", "Ros Chantrea", "indirect")]


def test_a_possessive_opening_a_colon_sentence_is_no_speaker(nlp):
    text = (
        "The ruling party’s deputy spokesman, Chhim Phalla, said councils had full control of the funds.\n\n"
        "Candlelight Party lawmaker Son Chhay saw it differently. His verdict, in a post on Facebook: “More money, same masters.”"
    )
    assert all(q[2] != "Chhim Phalla" for q in quotes(nlp, text) if q[0].startswith("More money"))
