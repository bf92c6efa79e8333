"""A roundup as Markdown for crossposting, and Markdown read back into a roundup.

``to_markdown`` writes what LessWrong's and the Alignment Forum's Markdown editor take (CommonMark:
headings, links, block quotes, emphasis). ``parse_markdown`` reads that back, and posts written
by hand the way roundups are written, into the fields of a draft. The export's shape:

    *Crossposted from [<title>](<absolute URL of the roundup>).*      <- first line, links back

    <intro>

    ## [<paper title>](<link>)
    *<authors> (<year>)*
    > <abstract>
    Code: <<code link>>
    **Related:**
    <related>
    **My opinion:** <opinion>

    ___
    <outro>

(blocks separated by blank lines). Text fields (titles, authors, abstracts) are escaped so they
read back exactly; Markdown fields (intro, outro, opinion, related) are copied as written.

Reading is looser, for posts written by hand: a paper starts at a heading that holds a link, at
a paragraph that is a (bold) link, or at a heading followed by a paragraph holding only a paper
link; its abstract is a block quote or the plain paragraphs before the opinion, its byline an
italic line or "Authors: ..."; the opinion runs from a "My opinion:" paragraph to the next paper.
The outro starts at a horizontal rule or a heading without a link after the last paper (in an
export, only at its ``___`` rule, so an opinion may hold rules and headings of its own). What
cannot be placed is listed in ``problems`` with its line. A first ``# Heading`` or the export's
"Crossposted from" line gives the title.
"""

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from . import references

# The rule before the outro. Underscores, which people rarely type for a rule, so that an opinion
# with a "---" or a heading of its own reads back whole: in an export (its first line links back)
# only this rule starts the outro.
OUTRO_RULE = "___"
_md = MarkdownIt("commonmark")
# Read link destinations exactly as written: this parser only reads (nothing here is rendered),
# the importer refuses links that are not http(s) itself and lists them, and the export's links
# must read back unchanged (markdown-it would percent-encode them).
_md.validateLink = lambda url: True
_md.normalizeLink = lambda url: url
# Inline characters that would start Markdown syntax in a text field: always escaped.
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>&~|])")
# What starts a block at the beginning of a line (a heading, a list, a quote): escaped there only.
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_LINE_START_NUMBER = re.compile(r"^(\s*\d+)([.)])")
_BLOCK_START = re.compile(r"^\s{0,3}(?:[-*+]\s|\d+[.)]\s|#|>|```|~~~|\||\s{4})")
_OPINION = re.compile(
    r"^\s*(?:\*\*|__|\*|_)?\s*(?:(?:my|[\w.]+['’]s)\s+)?opinion\s*(?::\s*(?:\*\*|__|\*|_)?|(?:\*\*|__|\*|_)\s*:)\s*",
    re.I,
)
_RELATED = re.compile(
    r"^\s*(?:\*\*|__)?\s*related(?: links| reading)?\s*:?\s*(?:\*\*|__)?\s*:?\s*$", re.I
)
_CODE = re.compile(
    r"^\s*(?:\*\*)?code(?:\*\*)?\s*:\s*(?:\*\*)?\s*<?(?P<url>https?://[^\s>]+)>?\s*$", re.I
)
_AUTHORS = re.compile(r"^\s*(?:\*\*)?authors?(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?P<authors>.+)$", re.I)
# A plain paragraph such as "Kevin Meng, David Bau (2022)": a byline, not an abstract.
_PLAIN_BYLINE = re.compile(r"^[^.\n]{1,300}\(\d{4}\)$")
_BYLINE = re.compile(r"^(?P<authors>.*?)\s*(?:[(,]\s*(?P<year>\d{4})\s*\)?)?\s*$", re.S)
_BACKLINK = re.compile(r"\b(?:crossposted|cross-posted|originally posted)\b", re.I)


# --- export ------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Plain text that Markdown shows exactly as written (and reads back unchanged)."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _INLINE_SPECIALS.sub(r"\\\1", line)
        line = _LINE_START.sub(lambda found: found[1] + "\\" + found[2], line)
        lines.append(_LINE_START_NUMBER.sub(lambda found: found[1] + "\\" + found[2], line))
    return "\n".join(lines)


def _destination(url: str) -> str:
    if re.search(r"[\s()<>\\]", url):
        return "<" + re.sub(r"([<>\\])", r"\\\1", url) + ">"
    return url


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escape(text).splitlines())


def _labelled(label: str, markdown: str) -> str:
    """``**Label:** text``, or the label on its own when the text starts with a block."""
    if _BLOCK_START.match(markdown):
        return f"**{label}:**\n\n{markdown}"
    return f"**{label}:** {markdown}"


def entry_markdown(entry) -> str:
    parts = [f"## [{escape(entry.title)}]({_destination(entry.url)})"]
    byline = " ".join(
        part for part in (entry.authors, f"({entry.year})" if entry.year else "") if part
    )
    if byline:
        parts.append(f"*{escape(byline)}*")
    if entry.abstract:
        parts.append(_quote(entry.abstract))
    if entry.code_url:
        parts.append(f"Code: <{entry.code_url}>")
    if entry.related:
        parts.append(f"**Related:**\n\n{entry.related}")
    if entry.opinion:
        parts.append(_labelled("My opinion", entry.opinion))
    return "\n\n".join(parts)


def to_markdown(roundup, entries, *, url: str) -> str:
    """The roundup as Markdown, its first line linking back to ``url`` (absolute)."""
    parts = [f"*Crossposted from [{escape(roundup.title)}]({_destination(url)}).*"]
    if roundup.intro.strip():
        parts.append(roundup.intro.strip())
    parts += [entry_markdown(entry) for entry in entries]
    if roundup.outro.strip():
        parts.append(f"{OUTRO_RULE}\n\n" + roundup.outro.strip())
    return "\n\n".join(parts) + "\n"


# --- import ------------------------------------------------------------------------------------


@dataclass
class Block:
    """One top-level Markdown block: its kind, source lines [start, end) and tokens."""

    kind: str  # paragraph, heading, blockquote, hr, bullet_list, fence, ...
    start: int
    end: int
    tokens: list
    level: int = 0  # heading level
    markup: str = ""  # a rule's characters ("___")

    @property
    def inline(self):
        """The inline children of a paragraph or heading."""
        return self.tokens[0].children if self.tokens and self.tokens[0].type == "inline" else []


@dataclass
class Paper:
    line: int
    title: str
    url: str
    fields: dict = field(default_factory=dict)
    mode: str = ""  # "related" or "opinion" once their label was read
    spans: dict = field(default_factory=dict)  # related/opinion: [start, end, first-line cut]


@dataclass
class ParsedRoundup:
    title: str = ""
    intro: str = ""
    outro: str = ""
    entries: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[Block]:
    tokens = _md.parse(text)
    blocks, index = [], 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.map is None:
            index += 1
            continue
        end = index  # a leaf block (rule, fence, code, html) is one token
        if token.nesting == 1:
            closing = token.type.replace("_open", "_close")
            while not (tokens[end].type == closing and tokens[end].level == 0):
                end += 1
        level = int(token.tag[1]) if token.type == "heading_open" else 0
        kind = token.type.removesuffix("_open")
        inner = tokens[index + 1 : end]
        blocks.append(Block(kind, token.map[0], token.map[1], inner, level, token.markup))
        index = end + 1
    return blocks


def inline_text(children) -> str:
    """What inline tokens read as plain text (escapes resolved, markup dropped)."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _link(children) -> tuple[str, str] | None:
    """(text, href) if the inline content is one link, alone or wrapped in emphasis."""
    significant = [
        child
        for child in children
        if child.type not in ("strong_open", "strong_close", "em_open", "em_close")
        and not (child.type == "text" and not child.content.strip())
    ]
    if len(significant) < 2 or significant[0].type != "link_open":
        return None
    if significant[-1].type != "link_close":
        return None
    inner = significant[1:-1]
    if any(child.type == "link_open" for child in inner):
        return None
    return inline_text(inner).strip(), significant[0].attrs.get("href", "")


def _link_at(children, start: int) -> tuple[str, str]:
    """The text and href of the link whose ``link_open`` is ``children[start]``."""
    end = next(
        index for index in range(start, len(children)) if children[index].type == "link_close"
    )
    return inline_text(children[start + 1 : end]).strip(), children[start].attrs.get("href", "")


def _heading_link(block: Block) -> tuple[str, str] | None:
    """A heading holding one link: the paper's title (the link's text, else the heading's)."""
    children = block.inline
    opens = [index for index, child in enumerate(children) if child.type == "link_open"]
    if len(opens) != 1:
        return None
    text, href = _link_at(children, opens[0])
    return text or inline_text(children).strip(), href


def _lone_reference(block: Block, lines: list[str]) -> str:
    """The paper link of a paragraph that holds only that (``Link: https://...`` counts)."""
    if block.kind != "paragraph":
        return ""
    source = " ".join(lines[block.start : block.end]).strip()
    found = references.find(source)
    if len(found) != 1:
        return ""
    rest = source.replace(found[0].text, "", 1)
    rest = re.sub(r"[\[\]()<>*_:]|\b(?:link|paper|url|pdf|arxiv|doi)\b", "", rest, flags=re.I)
    return found[0].reference.link if not rest.strip() else ""


def _paper_start(blocks: list[Block], index: int, lines: list[str]) -> tuple[Paper | None, int]:
    """A paper starting at ``blocks[index]``, and how many blocks its start took."""
    block = blocks[index]
    if block.kind == "heading":
        found = _heading_link(block)
        if found and found[0]:
            return Paper(block.start + 1, found[0], found[1]), 1
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        link = _lone_reference(following, lines) if following else ""
        title = inline_text(block.inline).strip()
        if link and title:
            return Paper(block.start + 1, title, link), 2
    if block.kind == "paragraph":
        found = _link(block.inline)
        if found and found[0] and found[0] != found[1]:
            return Paper(block.start + 1, found[0], found[1]), 1
    return None, 0


def parse_markdown(text: str) -> ParsedRoundup:
    """The fields of a roundup written in Markdown (see the module docstring)."""
    lines = text.splitlines()
    blocks = _blocks(text)
    parsed = ParsedRoundup()
    start, exported = _title(blocks, parsed)
    papers: list[Paper] = []
    intro_end = outro_start = None
    index = start
    while index < len(blocks):
        block = blocks[index]
        paper, taken = (None, 0) if outro_start is not None else _paper_start(blocks, index, lines)
        if paper:
            papers.append(paper)
            index += taken
            continue
        if not papers:
            intro_end = block.end
        elif outro_start is None and _starts_outro(block, exported):
            outro_start = block.end if block.kind == "hr" else block.start
        elif outro_start is None:
            _read_into(papers[-1], block, lines, parsed.problems)
        index += 1
    intro_start = blocks[start].start if start < len(blocks) else 0
    parsed.intro = _source(lines, intro_start, intro_end) if intro_end else ""
    parsed.outro = _source(lines, outro_start, len(lines)) if outro_start is not None else ""
    parsed.entries = [_entry(paper, lines) for paper in papers]
    return parsed


def _title(blocks: list[Block], parsed: ParsedRoundup) -> tuple[int, bool]:
    """Read the title from the first block (a backlink line or a level-1 heading): the blocks
    used, and whether the text is an export of this site (its first line links back)."""
    if not blocks:
        return 0, False
    first = blocks[0]
    if first.kind == "paragraph" and _BACKLINK.search(inline_text(first.inline)):
        opens = [index for index, child in enumerate(first.inline) if child.type == "link_open"]
        if opens:
            parsed.title = _link_at(first.inline, opens[0])[0]
            return 1, True
    if first.kind == "heading" and first.level == 1 and not _heading_link(first):
        parsed.title = inline_text(first.inline).strip()
        return 1, False
    return 0, False


def _starts_outro(block: Block, exported: bool) -> bool:
    if exported:
        # (markdown-it-py reports a rule's markup one character longer than written)
        return block.kind == "hr" and block.markup[:1] == OUTRO_RULE[0]
    return block.kind in ("hr", "heading")


def _source(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip()


def _read_into(paper: Paper, block: Block, lines: list[str], problems: list[str]) -> None:
    """Place one block under a paper: byline, abstract, code, related or opinion."""
    source = _source(lines, block.start, block.end)
    label = _OPINION.match(lines[block.start]) if block.kind == "paragraph" else None
    if paper.mode == "opinion" or label:
        _extend(paper, "opinion", block, label if paper.mode != "opinion" else None)
        return
    if block.kind == "paragraph" and _RELATED.match(source):
        paper.mode = "related"
        return
    if paper.mode == "related":
        _extend(paper, "related", block, None)
        return
    if _read_field(paper, block, source):
        return
    problems.append(
        f"Line {block.start + 1}: a {block.kind.replace('_', ' ')} under “{paper.title}” "
        "that is neither its abstract nor its opinion was left out."
    )


def _extend(paper: Paper, name: str, block: Block, label) -> None:
    paper.mode = name
    if name not in paper.spans:
        paper.spans[name] = [block.start, block.end, label.end() if label else 0]
    paper.spans[name][1] = block.end


def _read_field(paper: Paper, block: Block, source: str) -> bool:
    fields = paper.fields
    if block.kind == "blockquote":
        paragraphs = [
            inline_text(token.children) for token in block.tokens if token.type == "inline"
        ]
        fields["abstract"] = "\n\n".join(part.strip() for part in paragraphs if part.strip())
        return True
    if block.kind != "paragraph":
        return False
    if found := _CODE.match(source):
        fields["code_url"] = found["url"]
        return True
    children = block.inline
    if found := _AUTHORS.match(inline_text(children)):
        fields["authors"] = found["authors"].strip()
        return True
    italic = children and children[0].type == "em_open" and children[-1].type == "em_close"
    if italic or _PLAIN_BYLINE.match(inline_text(children).strip()):
        byline = _BYLINE.match(inline_text(children[1:-1] if italic else children).strip())
        fields["authors"] = byline["authors"].strip().strip(",")
        fields["year"] = int(byline["year"]) if byline["year"] else None
        return True
    text = inline_text(children).strip()
    fields["abstract"] = "\n\n".join(part for part in (fields.get("abstract"), text) if part)
    return True


def _entry(paper: Paper, lines: list[str]) -> dict:
    entry = {"title": paper.title, "url": paper.url, "line": paper.line} | paper.fields
    for name, (start, end, cut) in paper.spans.items():
        first = lines[start][cut:] if cut else lines[start]
        entry[name] = "\n".join([first, *lines[start + 1 : end]]).strip()
    return entry
