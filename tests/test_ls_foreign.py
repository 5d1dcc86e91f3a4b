"""Is a project's labeling config quotekit's? ``foreign_config_reason`` (toolkit.labelstudio.config),
used by ``ls pull``."""

from __future__ import annotations

import doctest

import pytest

from toolkit.labelstudio import config as lsconfig
from toolkit.labelstudio.config import build_label_config, foreign_config_reason

TEXT = '<Text name="text" value="$text"/>'
NER = ('<View>' + TEXT + '<Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/>'
       '<Label value="LOC"/><Label value="MISC"/></Labels></View>')
CLASSIFY = ('<View>' + TEXT + '<Choices name="sentiment" toName="text" choice="single">'
            '<Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/></Choices></View>')


def test_docstring_examples():
    assert doctest.testmod(lsconfig).failed == 0


def test_quotekit_configs_are_not_foreign_whatever_the_stance_and_speakers():
    assert foreign_config_reason(build_label_config()) is None
    assert foreign_config_reason(build_label_config(["Zed Zee"], ("pro", "con"), "the plan")) is None
    assert foreign_config_reason(build_label_config([], ("favor",), "x")) is None


@pytest.mark.parametrize("xml, named", [
    (NER, "Labels 'label' -> text (PER, ORG, LOC, MISC)"),
    (CLASSIFY, "Choices 'sentiment' -> text (Positive, Negative, Neutral)"),
    ("<View>" + TEXT + "</View>", "it has no control tag"),
    ("", "it has no labeling config"),
    ("<View><Text", "not readable XML"),
    ('<!DOCTYPE x [<!ENTITY a "aaaa">]><View>&a;</View>', "not readable XML (it declares a DOCTYPE"),
])  # fmt: skip
def test_foreign_configs_are_named_by_what_they_have(xml, named):
    reason = foreign_config_reason(xml)
    assert reason is not None and named in reason, reason


def test_a_quotekit_config_with_a_changed_label_set_or_an_extra_control_is_foreign():
    xml = build_label_config(["A B"], ("favor",), "x")
    assert "PERSON" in foreign_config_reason(xml.replace('<Label value="CUE"', '<Label value="PERSON"'))
    extra = xml.replace("</Relations>", '</Relations><TextArea name="comment" toName="text"/>')
    assert "TextArea 'comment' -> text" in foreign_config_reason(extra)
    no_stance = xml.replace('name="stance"', 'name="stance2"')
    assert "Choices 'stance2'" in foreign_config_reason(no_stance)


def test_an_older_quotekit_config_without_the_optional_controls_is_not_foreign():
    xml = build_label_config(["A B"], ("favor",), "x")
    start = xml.index('<Choices name="kind"')
    end = xml.index("</Choices>", start) + len("</Choices>")
    assert foreign_config_reason(xml[:start] + xml[end:]) is None
