"""The client's statement sanitizer, run in the browser on the real module: nothing that runs survives it.

The server cleans statements first (nh3); this is the second line, so each case here is one the browser
itself would execute if the markup got through.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]

# what the sanitizer leaves, parsed again and described: tag names and every attribute
SANITIZE = """async (dirty) => {
  const { sanitizeHtml } = await import("/web/app/sanitize.js");
  const doc = new DOMParser().parseFromString(`<body>${sanitizeHtml(dirty)}</body>`, "text/html");
  return [...doc.body.querySelectorAll("*")].map((el) => ({
    tag: el.tagName.toLowerCase(),
    attrs: Object.fromEntries([...el.attributes].map((a) => [a.name.toLowerCase(), a.value])),
  }));
}"""
RUNS = {"script", "iframe", "object", "embed", "form", "base", "meta", "link", "frame", "frameset"}
# SVG animation sets an attribute (an <a>'s href) after the sanitizer looked at it
ANIMATES = {"animate", "set", "animatemotion", "animatetransform"}


@pytest.mark.parametrize(
    "dirty",
    [
        '<p onclick="x()">a<script>x()</script></p><img src="a.png" onerror="x()">',
        '<a href="javascript:x()">j</a><a href=" JaVa\tscript:x()">k</a><iframe src="//e"></iframe>',
        '<svg><a><animate attributeName="href" values="javascript:x()"/><text y="20">click</text></a></svg>',
        '<svg><a><set attributeName="href" to="javascript:x()"/><text y="20">click</text></a></svg>',
        '<svg><a xlink:href="#"><animateMotion dur="1s" path="M0 0"/><animateTransform attributeName="transform"'
        ' type="rotate" from="0" to="90" dur="1s"/><text y="20">x</text></a></svg>',
        '<svg><a href="javascript:x()"><text y="20">x</text></a></svg><math><mi onmouseover="x()">x</mi></math>',
        '<object data="x"></object><embed src="x"><form action="javascript:x()"><button formaction="x">b</button>',
    ],
)
async def test_nothing_that_runs_survives_the_client_sanitizer(client_page: Page, dirty: str) -> None:
    left = await client_page.evaluate(SANITIZE, dirty)
    for element in left:
        assert element["tag"] not in RUNS | ANIMATES, element
        for name, value in element["attrs"].items():
            assert not name.startswith("on"), element
            assert "javascript" not in value.replace(" ", "").replace("\t", "").lower(), element


async def test_markup_and_links_stay_and_open_in_a_new_tab(client_page: Page) -> None:
    left = await client_page.evaluate(
        SANITIZE, '<p><b>bold</b> <a href="https://icpc.global">ok</a></p><svg><a href="#x"><text>t</text></a></svg>'
    )
    tags = [e["tag"] for e in left]
    assert tags == ["p", "b", "a", "svg", "a", "text"]
    for link in (e for e in left if e["tag"] == "a"):
        assert link["attrs"]["target"] == "_blank" and link["attrs"]["rel"] == "noopener noreferrer"
    assert left[2]["attrs"]["href"] == "https://icpc.global"
