"""The shipped speaker registry (configs/speakers.yaml) as data: complete enough, and safe to
match against (no name or alias that could attach a mention to the wrong entry)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from toolkit.config import load_registry
from toolkit.core.speakers import MentionLexicon, words
from toolkit.types import AFFILIATIONS

REPO = Path(__file__).resolve().parents[1]
SPEAKERS = REPO / "configs" / "speakers.yaml"
MENTIONS = REPO / "configs" / "mentions.yaml"


@pytest.fixture(scope="module")
def reg():
    return load_registry(SPEAKERS)


@pytest.fixture(scope="module")
def raw() -> list[dict]:
    return yaml.safe_load(SPEAKERS.read_text(encoding="utf-8"))["speakers"]


@pytest.fixture(scope="module")
def titles() -> frozenset[str]:
    return MentionLexicon.from_dict(yaml.safe_load(MENTIONS.read_text(encoding="utf-8")), MENTIONS).titles


def _name_words(form: str, titles: frozenset[str]) -> tuple[str, ...]:
    """The words of ``form`` after its leading titles ("Samdech Techo Hun Sen" -> Hun, Sen),
    possessives dropped."""
    w = words(form)
    k = 0
    while k < len(w) and w[k].casefold() in titles:
        k += 1
    return w[k:]


def _key(form: str, titles: frozenset[str]) -> str:
    """How a mention of ``form`` is compared: leading titles stripped, case folded."""
    return " ".join(_name_words(form, titles)).casefold()


def test_at_least_150_entries_without_duplicate_names(reg):
    names = [sp.name.casefold() for sp in reg]
    assert len(names) >= 150
    assert len(set(names)) == len(names)


def test_no_form_clashes_with_another_entry_even_after_title_stripping(reg, titles):
    owners: dict[str, set[str]] = defaultdict(set)
    for sp in reg:
        for form in sp.surface_forms:
            owners[form.casefold()].add(sp.name)
            if sp.kind == "person":  # organisation names are mostly title words ("Interior Ministry")
                owners[_key(form, titles)].add(sp.name)
    clashes = {form: sorted(who) for form, who in owners.items() if len(who) > 1}
    assert not clashes


def test_person_forms_are_full_names_not_bare_words(reg, titles):
    """A one-word person alias ("Rainsy", "Hun") would be matched on its own, and a bare surname
    is shared by many people: the surname step handles single words, with the article's context."""
    bad = []
    for sp in reg:
        if sp.kind != "person":
            continue
        for form in sp.surface_forms:
            if len(_name_words(form, titles)) < 2:
                bad.append((sp.name, form))
    assert not bad


# Aliases that look like names but name something else, or too many things.
GENERIC = {
    "ap", "afp", "gdp", "ldp", "hun", "sok", "kem", "sam", "sar", "the ministry", "ministry", "the court",
    "court", "the party", "party", "the tribunal", "the embassy", "embassy", "police", "the police",
    "the spokesman", "the minister", "the prime minister", "the president", "the king", "the prince",
    "the army", "the military", "the group", "the union", "the committee", "the commission", "he", "she", "it",
}


def test_no_generic_or_too_short_alias(reg):
    bad = []
    for sp in reg:
        for alias in sp.aliases:
            if alias.casefold() in GENERIC or len(alias.replace(".", "")) < 2:
                bad.append((sp.name, alias))
            if sp.kind == "organisation" and alias.isupper() and len(alias) < 3 and alias not in ("EU", "UN", "US"):
                bad.append((sp.name, alias))  # two-letter acronyms collide; the three kept are unambiguous
    assert not bad


def test_no_alias_that_only_repeats_the_name_in_another_case(reg):
    """Lookups are case-insensitive: such an alias is clutter (and hides the real variants)."""
    bad = [(sp.name, a) for sp in reg for a in sp.aliases if a.casefold() == sp.name.casefold()]
    assert not bad


def test_affiliations_genders_and_kinds_are_known(reg):
    for sp in reg:
        assert sp.affiliation in AFFILIATIONS, sp.name
        assert sp.kind in ("person", "organisation"), sp.name
        assert sp.gender in ("male", "female", None), sp.name
        if sp.kind == "organisation":
            assert sp.gender is None, sp.name
        for period in sp.affiliations:
            assert period.affiliation in AFFILIATIONS, sp.name
            assert period.affiliation != sp.affiliation, f"{sp.name}: a dated period repeating the plain affiliation"


def _parse(date: str) -> dt.date:
    form = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}[len(date)]
    return dt.datetime.strptime(date, form).date()


def test_dates_are_valid_ordered_and_in_the_period_covered(reg):
    today = dt.date.today()
    for sp in reg:
        for period in (*sp.roles, *sp.affiliations):
            start = _parse(period.start) if period.start else None
            end = _parse(period.end) if period.end else None
            for d in (start, end):
                assert d is None or dt.date(1940, 1, 1) <= d <= today, (sp.name, period)
            if start and end:
                assert start <= end, (sp.name, period)
        spans = sorted((a.start or "", a.end or "9999") for a in sp.affiliations)
        for (s1, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 < s2, f"{sp.name}: overlapping dated affiliations"


def test_no_wikidata_ids_invented(raw):
    """Ids are added only after checking them on wikidata.org; none has been checked yet."""
    assert not [e["name"] for e in raw if "wikidata" in e]


def test_dated_affiliation_changes_the_side_on_a_date(reg):
    rainsy = reg.get("Sam Rainsy")
    assert rainsy.affiliation_on("1994-03-01") == "government"  # finance minister 1993-94
    assert rainsy.affiliation_on("2013-07-28") == "opposition"
    assert reg.affiliation("Sam Rainsy") == "opposition"
    assert reg.affiliation("Mu Sochua", "2001-06-01") == "government"


# Every part of Cambodian politics the registry must cover (issue 13), with entries that must be
# in it: a missing one means the registry lost a category.
CATEGORIES = {
    "government and ministries": ["Hun Sen", "Hun Manet", "Sar Kheng", "Sok An", "Hor Namhong", "Prak Sokhonn", "Tea Banh",
                                  "Ministry of Interior", "Cambodian government"],
    "government spokespeople": ["Phay Siphan", "Pen Bona", "Khieu Kanharith", "Koy Kuong", "Chhay Kim Khoeun", "Keo Remy"],
    "ruling party": ["Cambodian People's Party", "Sok Eysan"],
    "opposition parties": ["Cambodia National Rescue Party", "Sam Rainsy Party", "Human Rights Party", "Candlelight Party",
                           "Sam Rainsy", "Kem Sokha", "Mu Sochua", "Yim Sovann", "Eng Chhay Eang", "Son Chhay", "Thach Setha"],
    "courts and prosecutors": ["Supreme Court of Cambodia", "Phnom Penh Municipal Court", "Court of Appeal", "Dith Munty"],
    "National Election Committee": ["National Election Committee", "Dim Sovannarom"],
    "armed forces and police": ["Royal Cambodian Armed Forces", "Cambodian National Police", "Pol Saroeun", "Kun Kim",
                                "Neth Savoeun", "Hing Bun Heang"],
    "rights groups": ["LICADHO", "ADHOC", "CCHR", "COMFREL", "CCIM", "Transparency International Cambodia", "Human Rights Watch",
                      "Amnesty International", "Am Sam Ath", "Naly Pilorge", "Ny Sokha", "Chak Sopheap", "Koul Panha",
                      "Phil Robertson", "Brad Adams"],
    "unions": ["Ath Thorn", "Rong Chhun", "Free Trade Union of Workers of the Kingdom of Cambodia"],
    "foreign governments and embassies": ["United States government", "US Embassy", "Chinese government", "Chinese Embassy",
                                          "Government of Thailand", "Vietnamese government", "Government of Japan",
                                          "Australian government", "W. Patrick Murphy", "William Heidt", "Wang Wentian"],
    "UN bodies": ["United Nations", "OHCHR", "Surya Subedi", "Rhona Smith", "Vitit Muntarbhorn"],
    "international bodies": ["European Union", "ASEAN"],
    "analysts": ["Ou Virak", "Lao Mong Hay", "Sebastian Strangio", "Astrid Noren-Nilsson", "Carl Thayer", "Kin Phea"],
    "media": ["Reuters", "Radio Free Asia"],
}

EXPECTED_AFFILIATION = {
    "government and ministries": "government", "government spokespeople": "government", "ruling party": "ruling party",
    "opposition parties": "opposition", "courts and prosecutors": "government", "National Election Committee": "government",
    "armed forces and police": "government", "rights groups": "NGO", "unions": "NGO",
    "foreign governments and embassies": "foreign government", "UN bodies": "international body",
    "international bodies": "international body", "analysts": "academic/analyst", "media": "media",
}


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_category_is_present(reg, category):
    for name in CATEGORIES[category]:
        sp = reg.get(name)
        assert sp is not None, f"{category}: {name} missing"
        assert sp.affiliation == EXPECTED_AFFILIATION[category], (category, name, sp.affiliation)


@pytest.mark.parametrize("variant,name", [
    ("Sar Keng", "Sar Kheng"), ("Samdech Techo Hun Sen", "Hun Sen"), ("Hun Xen", "Hun Sen"),
    ("Hor Nam Hong", "Hor Namhong"), ("Eng Chhai Eang", "Eng Chhai Eang"), ("Eng Chhay Eang", "Eng Chhai Eang"),
    ("Chheang Vannarith", "Vannarith Chheang"), ("Lok Chumteav Bun Rany", "Bun Rany"), ("Oknha Ly Yong Phat", "Ly Yong Phat"),
])
def test_romanisation_and_honorific_variants(reg, variant, name):
    assert reg.get(variant).name == name
