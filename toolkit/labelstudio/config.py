"""The Label Studio labeling config, generated from ``configs/`` and the names in ``names.py``.

``configs/label_config.xml`` is this module's output, committed so a reviewer sees what the
annotators see; ``quotekit ls config`` regenerates it and a test fails when it is stale.

Widget choices (see ``docs/labelstudio.md``, "Labeling screen"): the canonical speaker of a
SPEAKER region is first a per-region radio ``Choices`` of the article's candidate speakers, whose
options come from the task data (Label Studio's dynamic choices, ``$speaker_candidates``:
``toolkit.labelstudio.tasks.speaker_candidates``), then a per-region ``Taxonomy`` of the whole
registry (a drop-down with a search box: typing filters, only a click or Enter picks, at most one
name) for a name not among them, plus a per-region ``TextArea`` for a name the registry lacks
(which one wins: ``names.SPEAKER_PRECEDENCE``). Projects made before keep their speaker control
(:func:`speaker_control_of`); their exports are still read (``toolkit.labelstudio.export.annotation``).
Stance, kind and the "speaker unknown" flag are per-region ``Choices`` shown only on QUOTE regions.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

from toolkit.config import REPO_ROOT, configs_dir, load_registry, load_stance
from toolkit.labelstudio import names as N
from toolkit.types import QUOTE_KINDS

GUIDELINES_PATH = "annotations/GUIDELINES.md"
GUIDELINES_HINT = "Guidelines: the Instructions button (top right). QUOTE -said_by-> SPEAKER, QUOTE -cue-> CUE."
STANCE_REQUIRED_MESSAGE = (
    "Every QUOTE needs a stance: the quote without one is now selected; pick favor, against or neutral "
    "in the right column (or delete the region if it is not a quote)."
)
# Two columns (measured in Label Studio 1.23.2, tests/browser/test_ls_layout.py): the article on the
# left, the labels and the selected region's controls in a right column that sticks to the top of
# the scrolling labeling area, so a QUOTE selected low in a long article shows its stance without
# scrolling.
LAYOUT_STYLE = "display: flex; align-items: flex-start; gap: 16px"
TEXT_COLUMN_STYLE = "flex: 1; min-width: 0"
# The column is no taller than the part of the labeling area between Label Studio's top bars (about
# 90 px, plus its padding) and its bottom bar (about 45 px): at 100vh its last 135 px were out of reach. It is a flex
# column whose review panel takes the room the selected region's controls leave, and scrolls alone.
SIDE_COLUMN_STYLE = (
    "position: sticky; top: 0; width: 320px; flex: none; max-height: calc(100vh - 180px); overflow-y: auto; "
    "display: flex; flex-direction: column; padding-left: 12px; border-left: 1px solid #ddd"
)

# Relations (measured in Label Studio 1.23.2, tests/browser/test_ls_screen.py). Its overlay draws
# every relation in one orange with a purple tag, 18 px above the regions it links: over the line
# above, like a strikethrough. So (docs/labelstudio.md, "Labeling screen"): the article's lines are
# spaced so that the arcs run in the gap between two lines (as brat draws them), the tags are
# smaller, and the type shows as a colour. Label Studio's overlay has no per-type style, only the
# relation's direction (its arrow heads): build_result draws said_by with one arrow (to the
# speaker: "right", the editor's default) and cue with two ("bi"); the CSS colours them by that.
# The line height is the smallest that keeps every arc's bar off the glyphs (measured on the five
# sample tasks in chromium, 1400x1000: at 40 px the bars clear the glyph boxes by 2 px or more,
# at 38 px one touches them, at 36 px 54 of 77 cross a line; 46 px, the first choice, left 8 px
# and made the articles 12% taller, which the annotator pays in scrolling).
ARTICLE_CLASS = "qk-article"
ARTICLE_LINE_HEIGHT_PX = 40
RELATION_COLOURS = {N.SAID_BY: "#1677ff", N.CUE_OF: "#389e0d"}
RELATION_DIRECTIONS = {N.SAID_BY: "right", N.CUE_OF: "bi"}
SCREEN_CSS = (
    f".{ARTICLE_CLASS} .lsf-richtext__line {{ line-height: {ARTICLE_LINE_HEIGHT_PX}px; }} "
    f".relations-overlay path[marker-end] {{ stroke: {RELATION_COLOURS[N.SAID_BY]}; }} "
    f".relations-overlay path[marker-start] {{ stroke: {RELATION_COLOURS[N.CUE_OF]}; }} "
    f".relations-overlay g:has(path[marker-end]) marker path {{ fill: {RELATION_COLOURS[N.SAID_BY]}; }} "
    f".relations-overlay g:has(path[marker-start]) marker path {{ fill: {RELATION_COLOURS[N.CUE_OF]}; }} "
    # an arc drawn beside two regions (they overlap horizontally on two lines) can cross a line: faint
    '.relations-overlay path[opacity="0.6"] { opacity: 0.45; stroke-width: 1.5px; } '
    ".relations-overlay g g text { font-size: 9px !important; } "
    ".relations-overlay g g rect { fill: #595959; opacity: 0.75; }"
)

SPEAKER_PLACEHOLDER = "Search the registry..."
#: the View around the candidate radios (a stable selector: ``.qk-candidates input[name="<name>"]``)
CANDIDATES_CLASS = "qk-candidates"
#: Label Studio's Header takes a style (it replaces its 10 px margins); its smallest size is 16 px bold
SPEAKER_HEADER_STYLE = "margin: 6px 0 2px 0; font-size: 13px; line-height: 18px"
REVIEW_PANEL_STYLE = ("margin-top: 8px; padding-top: 6px; border-top: 1px solid #ddd; flex: 1 1 auto; "
                      "min-height: 160px; overflow-y: auto")

LABEL_STYLE = {
    N.QUOTE: ("#ffa39e", "q"),
    N.SPEAKER: ("#91caff", "s"),
    N.CUE: ("#b7eb8f", "c"),
}
STANCE_HINTS = {
    "favor": "praises, defends or justifies the government, or frames the opposition as a threat",
    "against": "criticises the government, or advances the opposition's challenge",
    "neutral": "logistics, facts and figures (whoever gives them, unless judged), odds and forecasts, disputes inside the opposition",
}


def default_config_path() -> Path:
    return configs_dir() / "label_config.xml"


def _a(value: str) -> str:
    return quoteattr(value)


def sorted_speaker_names(names: list[str]) -> list[str]:
    """Registry names in alphabetical order, case-insensitive (the values themselves unchanged)."""
    return sorted(names, key=lambda n: (n.casefold(), n))


def build_label_config(speaker_names: list[str] | None = None, stance_labels: tuple[str, ...] | None = None,
                       stance_target: str | None = None, speaker_control: str = "Candidates") -> str:
    """The labeling config XML (deterministic: the same configs give the same bytes).

    ``speaker_control`` (:data:`SPEAKER_CONTROLS`): ``"Candidates"``, today's screen (the
    article's candidates, then the searchable registry); ``"Taxonomy"``, the screen of issue 18
    before the candidates (the searchable registry only); ``"Choices"`` the older speaker
    drop-down, for a project made before the speaker became a Taxonomy (:func:`speaker_control_of`):
    Label Studio 1.23's editor crashes when a Taxonomy meets an annotation's ``choices`` result
    (measured), so such a project keeps it.
    """
    if speaker_control not in SPEAKER_CONTROLS:
        raise ValueError(f"speaker_control {speaker_control!r}: one of {', '.join(SPEAKER_CONTROLS)}")
    if speaker_names is None:
        speaker_names = load_registry().names()
    if stance_labels is None or stance_target is None:
        scheme = load_stance()
        stance_labels = stance_labels or scheme.labels
        stance_target = stance_target or scheme.target.description
    when_quote = f'whenTagName="{N.LABELS}" whenLabelValue="{N.QUOTE}"'
    when_speaker = f'whenTagName="{N.LABELS}" whenLabelValue="{N.SPEAKER}"'
    lines = [
        "<View>",
        "  <!-- Generated by `quotekit ls config` from configs/stance.yaml and configs/speakers.yaml",
        "       and toolkit/labelstudio/names.py. Do not edit: regenerate. -->",
        # two columns: the article (under its title) on the left, the labels, the per-region controls
        # of the selected region and the review panel in a right column that stays in view while
        # the article scrolls; the title is in the left column so that the right one starts at
        # the top and all of it can be reached from the first screen
        f"  <Style>{SCREEN_CSS}</Style>",
        f'  <View style={_a(LAYOUT_STYLE)}>',
        f'    <View className="{ARTICLE_CLASS}" style={_a(TEXT_COLUMN_STYLE)}>',
        '      <View style="padding: 0 0 8px 0; border-bottom: 1px solid #ddd; margin-bottom: 8px">',
        '        <Header name="title" value="$title" size="4"/>',
        '        <View style="display: flex; gap: 1.5em; color: #555">',
        '          <Header name="outlet" value="$outlet" size="6"/>',
        '          <Header name="date" value="$date" size="6"/>',
        '          <Header name="article_id" value="$article_id" size="6"/>',
        "        </View>",
        f'        <Header name="guidelines" value={_a(GUIDELINES_HINT)} size="6"/>',
        "      </View>",
        f'      <Text name="{N.TEXT}" value="${N.TEXT}"/>',
        "    </View>",
        f'    <View style={_a(SIDE_COLUMN_STYLE)}>',
        f'      <Labels name="{N.LABELS}" toName="{N.TEXT}">',
    ]
    for label in N.REGION_LABELS:
        color, key = LABEL_STYLE[label]
        lines.append(f'        <Label value="{label}" background="{color}" hotkey="{key}"/>')
    lines += [
        "      </Labels>",
        "      <Relations>",
        f'        <Relation value="{N.SAID_BY}" background="{RELATION_COLOURS[N.SAID_BY]}"/>',
        f'        <Relation value="{N.CUE_OF}" background="{RELATION_COLOURS[N.CUE_OF]}"/>',
        "      </Relations>",
        f'      <View visibleWhen="region-selected" {when_quote}>',
        f"        <Header value={_a('Stance toward ' + stance_target)} size=\"6\"/>",
        f'        <Choices name="{N.STANCE}" toName="{N.TEXT}" perRegion="true" {when_quote} choice="single-radio"'
        f' showInline="true" required="true" requiredMessage={_a(STANCE_REQUIRED_MESSAGE)}>',
    ]
    for label in stance_labels:
        hint = STANCE_HINTS.get(label, label)
        lines.append(f"          <Choice value={_a(label)} hint={_a(hint)}/>")
    lines += [
        "        </Choices>",
        '        <Header value="Kind" size="6"/>',
        f'        <Choices name="{N.KIND}" toName="{N.TEXT}" perRegion="true" {when_quote} choice="single-radio" showInline="true">',
    ]
    for kind in QUOTE_KINDS:
        lines.append(f"          <Choice value={_a(kind)}/>")
    lines += [
        "        </Choices>",
        f'        <Choices name="{N.QUOTE_FLAGS}" toName="{N.TEXT}" perRegion="true" {when_quote} choice="multiple" showInline="true">',
        f"          <Choice value={_a(N.SPEAKER_UNKNOWN)} hint=\"no speaker in the text: leave the quote without a said_by link\"/>",
        "        </Choices>",
        "      </View>",
        f'      <View visibleWhen="region-selected" {when_speaker}>',
    ]
    if speaker_control == "Candidates":
        # the article's candidate speakers (task data, one radio each): fixing a speaker is a click
        # compact headers (one line each): the review panel below gets the room they leave
        lines += [
            f'        <Header value="Speaker: click a name of this article" size="6" style={_a(SPEAKER_HEADER_STYLE)}/>',
            f'        <View className="{CANDIDATES_CLASS}">',
            f'          <Choices name="{N.SPEAKER_PICK}" toName="{N.TEXT}" value="${N.SPEAKER_CANDIDATES}" perRegion="true"'
            f' {when_speaker} choice="single-radio" showInline="true"/>',
            "        </View>",
            f'        <Header value="Else search the registry (wins over these)" size="6" style={_a(SPEAKER_HEADER_STYLE)}/>',
        ]
    elif speaker_control == "Taxonomy":
        lines.append('        <Header value="Canonical speaker: click the box, type a few letters to filter, click the name" size="6"/>')
    if speaker_control in ("Candidates", "Taxonomy"):
        lines += [
            # a searchable list (Taxonomy: typing only filters, a click or Enter picks), at most one name
            f'        <Taxonomy name="{N.SPEAKER_NAME}" toName="{N.TEXT}" perRegion="true" {when_speaker} maxUsages="1"'
            f' leafsOnly="true" placeholder={_a(SPEAKER_PLACEHOLDER)} minWidth="290px" maxWidth="300px">',
        ]
    else:  # the older drop-down (no search), kept for a project whose annotations use it
        lines += [
            '        <Header value="Canonical speaker (registry, A-Z: click a name, do not type)" size="6"/>',
            f'        <Choices name="{N.SPEAKER_NAME}" toName="{N.TEXT}" perRegion="true" {when_speaker} choice="single" layout="select">',
        ]
    for name in sorted_speaker_names(speaker_names):
        lines.append(f"          <Choice value={_a(name)}/>")
    lines += [
        f"        </{'Choices' if speaker_control == 'Choices' else 'Taxonomy'}>",
        f'        <Header value="Else type a new name (wins over both)" size="6" style={_a(SPEAKER_HEADER_STYLE)}/>'
        if speaker_control == "Candidates" else
        '        <Header value="Not in the list? Type the canonical name (wins over the list)" size="6"/>',
        f'        <TextArea name="{N.SPEAKER_NEW}" toName="{N.TEXT}" perRegion="true" {when_speaker} maxSubmissions="1" editable="true" rows="1" placeholder="e.g. anonymous police officer"/>',
        "      </View>",
        # the proposal at a glance: every proposed quote's speaker, stance and doubt, without a click
        f'      <View style={_a(REVIEW_PANEL_STYLE)}>',
        f'        <HyperText name="{N.REVIEW}" value="${N.REVIEW}" inline="true" selectionEnabled="false" saveTextResult="no"/>',
        "      </View>",
        "    </View>",
        "  </View>",
        "</View>",
    ]
    return "\n".join(lines) + "\n"


def guidelines_html() -> str:
    """The annotator guidelines (``annotations/GUIDELINES.md``) as HTML, for the project's Instructions.

    Label Studio sanitises the instructions with bleach (no ``style`` attribute, so a ``<pre>``
    cannot wrap): the Markdown is converted to plain HTML tags that the Instructions window
    renders and wraps (``markdown_to_html``).
    """
    path = REPO_ROOT / GUIDELINES_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return f"<p>See {html.escape(GUIDELINES_PATH)} in the quotekit repository.</p>"
    return f'<style>{GUIDE_CSS}</style>\n<div class="quotekit-guide">\n{markdown_to_html(text)}</div>\n'


# Label Studio's page CSS resets lists, table borders and heading margins, and bleach strips
# ``style`` attributes but keeps a <style> element: this one is scoped to the guidelines' div.
GUIDE_CSS = (
    ".quotekit-guide h1,.quotekit-guide h2,.quotekit-guide h3{margin:1em 0 .4em;line-height:1.25}"
    ".quotekit-guide p{margin:.5em 0}"
    ".quotekit-guide ul{list-style:disc;padding-left:1.5em;margin:.5em 0}"
    ".quotekit-guide ol{list-style:decimal;padding-left:1.5em;margin:.5em 0}"
    ".quotekit-guide li{margin:.25em 0}"
    ".quotekit-guide table{border-collapse:collapse;margin:.5em 0}"
    ".quotekit-guide th,.quotekit-guide td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}"
    ".quotekit-guide code{background:rgba(127,127,127,.15);padding:0 3px;border-radius:3px}"
)


_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s+(.*)$")


def _inline(text: str) -> str:
    """Inline Markdown: `code`, **bold**, *italics*; everything else escaped."""
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos:m.start()], quote=False))
        code, bold, italic = m.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code, quote=False)}</code>")
        elif bold is not None:
            out.append(f"<strong>{_inline(bold)}</strong>")
        else:
            out.append(f"<em>{_inline(italic)}</em>")
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [c.strip() for c in row.split("|")]


def markdown_to_html(text: str) -> str:
    """The Markdown subset the guidelines use, as HTML: ``#`` headings, paragraphs, ``-``/``1.``
    lists (continuation lines indented), pipe tables, fenced code, ``---`` rules and inline
    code/bold/italics. Deterministic; no raw HTML passes through (it is escaped)."""
    lines = text.splitlines()
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush_para() -> None:
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush_para()
            i += 1
        elif stripped.startswith("```"):
            flush_para()
            i += 1
            code = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(code), quote=False)}</code></pre>")
        elif m := re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped):
            flush_para()
            level = len(m.group(1))
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
            i += 1
        elif re.fullmatch(r"(-\s*){3,}|(\*\s*){3,}", stripped):
            flush_para()
            out.append("<hr/>")
            i += 1
        elif stripped.startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1].strip()):
            flush_para()
            head = _cells(stripped)
            i += 2
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append('<table border="1" cellpadding="4" cellspacing="0">')
            out.append("<tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>")
            for row in rows:
                out.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
            out.append("</table>")
        elif _LIST_ITEM.match(stripped) and not line.startswith((" ", "\t")):
            flush_para()
            ordered = stripped[0].isdigit()
            items: list[str] = []
            while i < len(lines):
                cur = lines[i]
                m = _LIST_ITEM.match(cur.strip())
                if m and not cur.startswith((" ", "\t")):
                    items.append(m.group(2))
                elif cur.strip() and cur.startswith((" ", "\t")) and items:
                    items[-1] += " " + cur.strip()
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(x)}</li>" for x in items) + f"</{tag}>")
        else:
            para.append(stripped)
            i += 1
    flush_para()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- is this project quotekit's?

#: Controls a quotekit config must have (the others, e.g. kind or speaker_new, may be missing
#: from a project made by an older quotekit).
REQUIRED_CONTROLS = (N.LABELS, N.STANCE)


def _describe(tag: str, name: str, to_name: str | None, values: list[str], shown: int = 6) -> str:
    """``Labels 'label' -> text (PER, ORG, LOC, MISC)``: one control, for messages."""
    out = f"{tag} {name!r}" if name else tag
    if to_name:
        out += f" -> {to_name}"
    if values:
        more = f", ... ({len(values) - shown} more)" if len(values) > shown else ""
        out += f" ({', '.join(values[:shown])}{more})"
    return out


def config_controls(config_xml: str) -> list[tuple[str, str, str | None, list[str]]]:
    """The control tags of a labeling config, in document order: ``(tag, name, toName, values)``.

    A control tag is one with a ``toName`` attribute (``Labels``, ``Choices``, ``TextArea``,
    ``RectangleLabels``, ``Rating``...) or ``Relations``; ``values`` are its children's ``value``
    attributes (the labels or choices). Raises ``ValueError`` for text that is not XML.

    >>> config_controls('<View><Text name="t" value="$t"/><Labels name="ner" toName="t">'
    ...                 '<Label value="PER"/><Label value="ORG"/></Labels></View>')
    [('Labels', 'ner', 't', ['PER', 'ORG'])]
    """
    import xml.etree.ElementTree as ET

    if "<!DOCTYPE" in config_xml.upper() or "<!ENTITY" in config_xml.upper():
        raise ValueError("it declares a DOCTYPE or entities")
    try:
        root = ET.fromstring(config_xml)
    except ET.ParseError as exc:
        raise ValueError(str(exc)) from None
    found = []
    for el in root.iter():
        if el.get("toName") is not None or el.tag == "Relations":
            values = [c.get("value") for c in el if c.get("value") is not None]
            found.append((el.tag, el.get("name") or "", el.get("toName"), values))
    return found


def quotekit_config_controls() -> dict[str, tuple[str, str | None, list[str]]]:
    """quotekit's controls, read from the config :func:`build_label_config` generates (their one
    home): name -> (tag, toName, values); the speaker and stance values are left empty (they come
    from ``configs/`` and may differ between projects); ``Relations`` is keyed ``""``."""
    controls = config_controls(build_label_config([], ("-",), "-"))
    return {name: (tag, to_name, values if name == N.LABELS else []) for tag, name, to_name, values in controls}


#: The speaker controls of a quotekit config, newest first: the article's candidates + the
#: searchable registry; the searchable registry alone (issue 18's first screen); the older drop-down.
SPEAKER_CONTROLS = ("Candidates", "Taxonomy", "Choices")


def speaker_control_of(config_xml: str | None) -> str:
    """Which speaker screen a project's config has (:data:`SPEAKER_CONTROLS`): ``"Choices"`` for a
    project made before the speaker became a Taxonomy, ``"Taxonomy"`` for one made before the
    candidate list, else ``"Candidates"`` (also for no or unreadable config). A prediction for
    the project must use only the controls its config has (``tasks.build_result``).

    >>> speaker_control_of(build_label_config(["A B"], speaker_control="Choices")), speaker_control_of(None)
    ('Choices', 'Candidates')
    >>> speaker_control_of(build_label_config(["A B"], speaker_control="Taxonomy"))
    'Taxonomy'
    """
    try:
        controls = config_controls(config_xml) if config_xml and config_xml.strip() else []
    except ValueError:
        controls = []
    tags = [tag for tag, name, _, _ in controls if name == N.SPEAKER_NAME]
    if tags == ["Choices"]:
        return "Choices"
    if controls and not any(name == N.SPEAKER_PICK for _, name, _, _ in controls):
        return "Taxonomy"
    return "Candidates"


#: Tags older quotekit configs gave a control: the speaker was a ``Choices`` drop-down before
#: issue 18 (a project made then is still quotekit's: ``ls push`` updates its config, ``ls pull``
#: exports it, and the export parser reads its ``choices``).
OLDER_TAGS = {N.SPEAKER_NAME: ("Choices",)}


def foreign_config_reason(config_xml: str | None) -> str | None:
    """None when ``config_xml`` is a quotekit labeling config, else why not, naming what it has.

    quotekit's config (:func:`quotekit_config_controls`) has a ``Labels`` named ``label`` on the
    ``text`` whose labels are exactly QUOTE, SPEAKER and CUE, and a ``Choices`` named ``stance``;
    its other controls (kind, quote_flags, speaker, speaker_new) may be missing (an older
    project), but any control quotekit's config does not have, or has with another tag or
    target, makes the config foreign: its results could not be read. The stance choices and
    speaker names may differ (they come from ``configs/``). Used by ``ls pull`` (refused unless
    ``--allow-foreign``) and meant for any reader of a project's config (an export file holds no
    config: see ``toolkit.labelstudio.export.foreign`` for the check on results).

    >>> foreign_config_reason(build_label_config(["A B"], ("favor", "against"), "the government")) is None
    True
    >>> foreign_config_reason(build_label_config(["A B"], speaker_control="Choices")) is None  # an older project
    True
    >>> foreign_config_reason('<View><Text name="text" value="$text"/>'
    ...     '<Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels></View>')
    "its controls are Labels 'label' -> text (PER, ORG); quotekit's are Labels 'label' -> text (QUOTE, SPEAKER, CUE) and Choices 'stance' -> text"
    """
    if config_xml is None or not config_xml.strip():
        return "it has no labeling config"
    try:
        controls = config_controls(config_xml)
    except ValueError as exc:
        return f"its labeling config is not readable XML ({exc})"
    ours = quotekit_config_controls()
    names = {name for _, name, _, _ in controls}
    foreign = any(name not in names for name in REQUIRED_CONTROLS)
    for tag, name, to_name, values in controls:
        mine = ours.get(name)
        if mine is None or (mine[0] != tag and tag not in OLDER_TAGS.get(name, ())) or mine[1] != to_name:
            foreign = True
        elif name == N.LABELS and sorted(values) != sorted(mine[2]):
            foreign = True
    if not foreign:
        return None
    need = " and ".join(_describe(ours[n][0], n, ours[n][1], ours[n][2]) for n in REQUIRED_CONTROLS)
    if not controls:
        return f"it has no control tag; quotekit's are {need}"
    shown = 6
    more = f"; ... ({len(controls) - shown} more)" if len(controls) > shown else ""
    return f"its controls are {'; '.join(_describe(*c) for c in controls[:shown])}{more}; quotekit's are {need}"
