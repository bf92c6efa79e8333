"""The sanitizer: hostile input must come out inert, ordinary markdown must come out useful.

Safety is checked by parsing the output with html5lib (the HTML5 algorithm browsers use), never by
looking for substrings: "<script>" shown as text is fine, a real script element is not. The
allowlist here is written out again on purpose, so loosening the one in forum/markdown.py makes
these tests fail until someone updates both.
"""

import re
from pathlib import Path

import html5lib
import pytest
from django.conf import settings

from forum.markdown import render_markdown, sanitize_html

EXPECTED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
FORBIDDEN_TAGS = {
    "script", "style", "iframe", "svg", "math", "object", "embed", "form", "meta", "base",
    "link", "noscript", "img", "input", "button", "frame", "frameset", "template", "video",
    "audio", "source", "applet", "textarea", "select", "marquee", "xmp", "isindex",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "background", "poster", "data", "codebase",
    "cite", "srcset", "dynsrc", "lowsrc", "ping", "longdesc", "xlink:href",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
LINK_REL = {"nofollow", "ugc", "noopener"}


XLINK_NS = "{http://www.w3.org/1999/xlink}"
# What a browser ignores inside a URL before reading its scheme: ASCII whitespace and C0 controls
# anywhere (tab/newline are removed, leading/trailing controls are stripped).
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _local(name: str) -> str:
    """Drop an html5lib namespace prefix: '{http://www.w3.org/2000/svg}svg' -> 'svg'."""
    if name.startswith(XLINK_NS):
        return "xlink:" + name[len(XLINK_NS) :]
    return name.rsplit("}", 1)[-1].lower()


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see, after entity decoding (done by the parser) and cleanup."""
    cleaned = _URL_IGNORED.sub("", value)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def assert_inert(html: str) -> None:
    """Parse sanitizer output as a browser would and fail on anything that could run or restyle."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in fragment.iter():
        if element is fragment:
            continue
        if not isinstance(element.tag, str):  # comments and processing instructions
            raise AssertionError(f"non-element node survived: {element.tag!r} in {html!r}")
        tag = _local(element.tag)
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> survived in {html!r}"
        assert tag in EXPECTED_TAGS, f"<{tag}> is not in the allowlist: {html!r}"
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            assert not name.startswith("on"), f"event handler {name} on <{tag}>: {html!r}"
            assert name != "style", f"style attribute on <{tag}>: {html!r}"
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, (
                    f"{name}={value!r} on <{tag}> has scheme {scheme!r}: {html!r}"
                )
        if tag == "a":
            rel = set((element.get("rel") or "").split())
            assert rel == LINK_REL, f"<a> without rel={sorted(LINK_REL)}: {html!r}"


def test_checker_catches_what_it_should():
    """The checker itself must fail on live markup, or every test below proves nothing."""
    for bad in [
        "<script>alert(1)</script>",
        '<p onclick="x()">a</p>',
        '<a href=" jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="https://e.org">no rel</a>',
        '<p style="color:red">a</p>',
        "<svg><a xlink:href='javascript:1'>x</a></svg>",
        "<!-- c -->",
    ]:
        with pytest.raises(AssertionError):
            assert_inert(bad)
    assert_inert('<p><a href="/x" rel="ugc nofollow noopener">fine</a> &lt;script&gt;</p>')


HOSTILE = {
    # Script elements, in every spelling a browser accepts.
    "script_lower": "<script>alert(1)</script>",
    "script_upper": "<SCRIPT>alert(1)</SCRIPT>",
    "script_mixed_case": "<ScRiPt>alert(1)</sCrIpT>",
    "script_src": '<script src="https://evil.example/x.js"></script>',
    "script_unclosed": "<script>alert(1)",
    "script_with_attrs_and_slash": "<script/xss src=//evil.example/x.js></script>",
    "script_nested_split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script_null_byte": "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "script_in_markdown_inline": "Some *text* <script>alert(1)</script> more",
    "script_in_table_cell": "| a |\n|---|\n| <script>alert(1)</script> |",
    "script_in_blockquote": "> <script>alert(1)</script>",
    "script_extra_lt": "<<script>alert(1);//<</script>",
    # Event handlers.
    "onerror_img_raw": '<img src=x onerror="alert(1)">',
    "onmouseover_on_allowed_tag": '<b onmouseover="alert(1)">bold</b>',
    "onclick_on_link": '<a href="https://example.org" onclick="alert(1)">x</a>',
    "onload_body": "<body onload=alert(1)>",
    "onfocus_autofocus": "<p autofocus onfocus=alert(1) tabindex=0>x</p>",
    "event_handler_no_quotes_slash": "<a/onmouseover=alert(1)>x</a>",
    "markdown_image_onerror": '![x" onerror="alert(1)](https://example.org/a.png)',
    "markdown_image_title_breakout": '![a](https://example.org/a.png "t\\" onerror=\\"alert(1))',
    "markdown_image_javascript": "![a](javascript:alert(1))",
    # Dangerous URL schemes in markdown and raw HTML.
    "md_link_javascript": "[click](javascript:alert(1))",
    "md_link_javascript_mixed_case": "[click](JaVaScRiPt:alert(1))",
    "md_link_vbscript": "[click](vbscript:msgbox(1))",
    "md_link_data_html": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md_link_angle_javascript": "[click](<javascript:alert(1)>)",
    "md_link_title_breakout": '[x](https://example.org "a\\" onclick=\\"alert(1))',
    "md_reference_link_javascript": "[click][r]\n\n[r]: javascript:alert(1)",
    "md_reference_link_data": '[click][r]\n\n[r]: data:text/html,<script>alert(1)</script> "t"',
    "md_autolink_javascript": "<javascript:alert(1)>",
    "md_autolink_vbscript": "<vbscript:msgbox(1)>",
    "raw_a_javascript": '<a href="javascript:alert(1)">x</a>',
    "raw_a_tab_entity": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "raw_a_decimal_entity": '<a href="&#106;avascript:alert(1)">x</a>',
    "raw_a_all_entities": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'
    ),
    "raw_a_hex_entities_no_semicolon": '<a href="&#x6A&#x61&#x76&#x61script:alert(1)">x</a>',
    "raw_a_named_entities": '<a href="javascript&colon;alert(1)">x</a>',
    "raw_a_newline_entity": '<a href="java&NewLine;script:alert(1)">x</a>',
    "raw_a_leading_space_control": '<a href=" &#14;  javascript:alert(1)">x</a>',
    "raw_a_newline_split": '<a href="java\nscript:alert(1)">x</a>',
    "raw_a_tab_split": '<a href="java\tscript:alert(1)">x</a>',
    "raw_a_data": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "raw_a_vbscript_upper": '<a href="VBSCRIPT:msgbox(1)">x</a>',
    "raw_a_percent_encoded": '<a href="%6A%61%76%61script:alert(1)">x</a>',
    "raw_a_backtick_quote": "<a href=`javascript:alert(1)`>x</a>",
    # Linkify must never make a link out of a dangerous scheme.
    "linkify_javascript_text": "javascript:alert(1)",
    "linkify_javascript_url_like": "javascript://example.com/%0Aalert(1)",
    "linkify_data_url_like": "see data://example.com/x",
    "linkify_ftp": "ftp://example.com/file",
    "linkify_ssh": "ssh://example.com",
    "linkify_in_raw_html_attr": '<abbr title="http://example.com onmouseover=alert(1)">x</abbr>',
    # Foreign content and elements bleach has had trouble with.
    "svg_onload": "<svg onload=alert(1)>",
    "svg_script": "<svg><script>alert(1)</script></svg>",
    "svg_animate_href": (
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
        "<text x=20 y=20>x</text></a></svg>"
    ),
    "svg_use_xlink": '<svg><use xlink:href="data:image/svg+xml;base64,PHN2Zz4=#x"/></svg>',
    "math_xlink": '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x',
    "math_mglyph_style_mutation": (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    ),
    "noscript_mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "iframe_src": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe_srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "style_element": "<style>body{background:url(javascript:alert(1))}</style>",
    "style_element_import": "<style>@import 'https://evil.example/x.css';</style>",
    "style_attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style_attribute_expression": '<b style="width: expression(alert(1))">x</b>',
    "object_data": '<object data="javascript:alert(1)"></object>',
    "embed_src": '<embed src="data:image/svg+xml;base64,PHN2Zz4=">',
    "form_action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "button_formaction": '<button formaction="javascript:alert(1)">x</button>',
    "input_autofocus": "<input autofocus onfocus=alert(1)>",
    "meta_refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base_href": '<base href="javascript:alert(1)//">',
    "link_stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "template_element": "<template><script>alert(1)</script></template>",
    "video_source_onerror": "<video><source onerror=alert(1)></video>",
    "details_ontoggle": "<details open ontoggle=alert(1)>",
    "marquee_onstart": "<marquee onstart=alert(1)>x</marquee>",
    "xmp_breakout": '<xmp><p title="</xmp><svg onload=alert(1)>">',
    "textarea_breakout": '<textarea><p title="</textarea><img src=x onerror=alert(1)>">',
    # Comments, CDATA and parser confusion.
    "html_comment_hiding_script": "<!--<script>alert(1)</script>-->",
    "comment_breakout": "<!-- --!><img src=x onerror=alert(1)> -->",
    "conditional_comment": "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "cdata_script": "<![CDATA[<script>alert(1)</script>]]>",
    "cdata_in_svg": "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "bogus_comment_question": "<?xml version='1.0'?><script>alert(1)</script>",
    "processing_instruction_breakout": '<? foo="><script>alert(1)</script>">',
    # Malformed and unclosed tags.
    "unclosed_img": "<img src=x onerror=alert(1)//",
    "unclosed_a_attr": '<a href="javascript:alert(1)',
    "attribute_without_space": '<a href="https://example.org"onclick="alert(1)">x</a>',
    "double_open": "<<img src=x onerror=alert(1)>>",
    "nested_quotes": '<img """><script>alert(1)</script>">',
    "tag_in_attribute": '<abbr title="<script>alert(1)</script>">x</abbr>',
    "allowed_tag_breakout": '<code class="language-x" onclick=alert(1)>x</code>',
    "class_injection": '<code class="language-x foo">x</code><p class="admin-only">x</p>',
    "ol_start_injection": '<ol start="1 onclick=alert(1)"><li>x</li></ol>',
    "td_align_injection": '<table><tr><td align="left onclick=alert(1)">x</td></tr></table>',
    "target_blank": '<a href="https://example.org" target="_blank">x</a>',
    "deeply_nested": "<b>" * 50 + "<script>alert(1)</script>" + "</b>" * 50,
    "fenced_code_with_html": "```html\n<script>alert(1)</script>\n```",
    "markdown_html_block": '<div markdown="1">\n<script>alert(1)</script>\n</div>',
    "utf7_like": "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "fullwidth_brackets": "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
}


@pytest.mark.parametrize("payload", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_markdown_is_inert(payload):
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_html_is_inert(payload):
    """sanitize_html is public too; without markdown in front, raw HTML reaches bleach as is."""
    assert_inert(sanitize_html(payload))


def test_hostile_list_is_big_enough():
    assert len(HOSTILE) >= 30


def test_disallowed_tags_are_shown_as_text():
    """Escaping instead of stripping: the reader sees what was written, nothing runs."""
    html = render_markdown("I typed <script>alert(1)</script> here")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


def test_dangerous_link_keeps_its_text_but_loses_its_href():
    html = render_markdown("[click me](javascript:alert(1))")
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    links = fragment.findall(".//a")
    assert [a.text for a in links] == ["click me"]
    assert links[0].get("href") is None


XSS_DIR = Path(settings.BASE_DIR).parent / "shared" / "testdata" / "xss"


def _corpus():
    if not XSS_DIR.is_dir():
        return [pytest.param("", id="corpus-missing", marks=pytest.mark.skip(f"no {XSS_DIR}"))]
    cases = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip():
                cases.append(pytest.param(line, id=f"{path.stem}:{number}"))
    return cases


@pytest.mark.parametrize("payload", _corpus())
def test_public_xss_corpus_is_inert(payload):
    assert_inert(render_markdown(payload))
    assert_inert(sanitize_html(payload))


# What ordinary users write must still work.


def _parse(html):
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def test_bold_and_emphasis():
    html = render_markdown("**bold** and *em*")
    assert html == "<p><strong>bold</strong> and <em>em</em></p>"


def test_markdown_link_keeps_href_and_gets_rel():
    html = render_markdown('[paper](https://arxiv.org/abs/1706.03762 "Attention")')
    (link,) = _parse(html).findall(".//a")
    assert link.get("href") == "https://arxiv.org/abs/1706.03762"
    assert link.get("title") == "Attention"
    assert set(link.get("rel").split()) == LINK_REL
    assert link.text == "paper"


def test_relative_and_mailto_links_survive():
    html = render_markdown("[home](/roundups/x/) and [mail](mailto:a@example.org)")
    hrefs = [a.get("href") for a in _parse(html).findall(".//a")]
    assert hrefs == ["/roundups/x/", "mailto:a@example.org"]
    assert_inert(html)


def test_email_autolink_becomes_mailto():
    """Python-Markdown hides the address behind entities; it must still be a working mailto."""
    html = render_markdown("<someone@example.org>")
    (link,) = _parse(html).findall(".//a")
    assert link.get("href") == "mailto:someone@example.org"
    assert_inert(html)


def test_fenced_code_block_keeps_language_and_escapes_html():
    html = render_markdown("```python\nif a < b:\n    print('<b>')\n```")
    code = _parse(html).find(".//pre/code")
    assert code.get("class") == "language-python"
    assert code.text == "if a < b:\n    print('<b>')\n"
    assert_inert(html)


def test_indented_code_block():
    html = render_markdown("Text\n\n    x = 1\n")
    assert _parse(html).find(".//pre/code").text == "x = 1\n"


def test_table_with_alignment():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    tree = _parse(html)
    assert [th.text for th in tree.findall(".//thead/tr/th")] == ["a", "b"]
    assert [td.get("align") for td in tree.findall(".//tbody/tr/td")] == ["left", "right"]
    assert_inert(html)


def test_lists_ordered_unordered_and_start():
    html = render_markdown("- one\n- two\n\n3. three\n4. four")
    tree = _parse(html)
    assert [li.text for li in tree.findall(".//ul/li")] == ["one", "two"]
    assert tree.find(".//ol").get("start") == "3"


def test_blockquote_headings_and_rules():
    html = render_markdown("## Heading\n\n> quoted\n\n---")
    tree = _parse(html)
    assert tree.find(".//h2").text == "Heading"
    assert tree.find(".//blockquote/p").text == "quoted"
    assert tree.find(".//hr") is not None


def test_bare_url_is_linkified():
    html = render_markdown("See https://arxiv.org/abs/2005.14165 for details.")
    (link,) = _parse(html).findall(".//a")
    assert link.get("href") == "https://arxiv.org/abs/2005.14165"
    assert set(link.get("rel").split()) == LINK_REL


def test_bare_www_domain_is_linkified_as_http():
    (link,) = _parse(render_markdown("www.example.org")).findall(".//a")
    assert link.get("href") == "http://www.example.org"


def test_code_is_not_linkified():
    html = render_markdown(
        "```\nhttps://example.org/in-block\n```\n\nand `https://example.org/inline`"
    )
    tree = _parse(html)
    assert tree.findall(".//a") == []
    assert tree.find(".//pre/code").text == "https://example.org/in-block\n"


def test_existing_link_is_not_double_linked_and_target_is_dropped():
    html = sanitize_html('<a href="https://example.org" target="_blank">https://example.org</a>')
    links = _parse(html).findall(".//a")
    assert len(links) == 1
    assert links[0].get("target") is None


def test_empty_and_blank_input():
    assert render_markdown("") == ""
    assert render_markdown("   \n\t") == ""
