"""rules-5 (H-attr2), someone or something of a registry person is not that person: "The party of
Hun Sen described ...", "A lawyer for Kem Sokha said ...", "A spokesman for Prime Minister Hun
Sen said ..." are proposed as written (step description_of, low score), not as Hun Sen or Kem
Sokha (the registry step took the trailing name, and with the tagger the PERSON entity did),
as a possessive already was ("Rainsy’s spokesman"). Invented sentences; blank and trained.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("which", ["nlp", "trained_nlp"])
@pytest.mark.parametrize("text, mention", [
    ("The party of Hun Sen described the vote count as full of irregularities.", "The party of Hun Sen"),
    ("A lawyer for Kem Sokha said the charges were political.", "A lawyer for Kem Sokha"),
    ("A spokesman for Prime Minister Hun Sen said the charges were political.", "A spokesman for Prime Minister Hun Sen"),
])
def test_of_a_registry_person_is_not_the_person(request, which, text, mention):
    [q] = request.getfixturevalue(which)(text)._.quotes
    assert (text[q.speaker_start : q.speaker_end], q.speaker) == (mention, mention)
    assert q.rule.endswith("+description_of")


@pytest.mark.parametrize("text, name", [
    ("The Ministry of Interior said the march was banned.", "Ministry of Interior"),
    ("Eang Sophalleth, a spokesman for Prime Minister Hun Sen, said the charges were political.", "Eang Sophalleth"),
    ("Prime Minister Hun Sen said the charges were lawful.", "Hun Sen"),
])
def test_names_themselves_still_resolve(nlp, text, name):
    [q] = nlp(text)._.quotes
    assert q.speaker == name
