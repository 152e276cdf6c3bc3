"""Clean rendered statement HTML (nh3, the Ammonia sanitizer) and point its images at the package's files.

The web client injects statements into its page, where an `onerror=` or a `javascript:` link would run:
only plain text markup, tables, images and MathML survive, and an image must be a file of the
statement folder (the spec forbids external resources), which the asset route then serves.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import nh3

from ..models import ASSET_MARKER

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
MATHML_TAGS = frozenset(
    [
        "math",
        "semantics",
        "annotation",
        "annotation-xml",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "mfrac",
        "msqrt",
        "mroot",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "menclose",
        "mfenced",
        "maction",
    ]
)
MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "xmlns",
        "mathvariant",
        "mathsize",
        "stretchy",
        "fence",
        "separator",
        "form",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "movablelimits",
        "largeop",
        "symmetric",
        "accent",
        "accentunder",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "linethickness",
        "encoding",
        "scriptlevel",
        "displaystyle",
        "width",
        "height",
        "depth",
        "voffset",
        "notation",
        "open",
        "close",
        "separators",
    ]
)
TAGS = (nh3.ALLOWED_TAGS | MATHML_TAGS | {"section", "figure", "figcaption"}) - {"map", "area"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "style"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
    "ol": {"start", "type"},
    **{tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
}
STYLE_PROPERTIES = {"width", "height", "max-width", "text-align", "vertical-align"}


class AssetRewriter:
    """Turns an image reference into the asset marker when it names a file of the statement folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder.resolve() if folder is not None else None
        self.files: set[str] = set()

    def resolve(self, reference: str) -> str | None:
        """The served name of a referenced image, or None when it is not a file of the folder."""
        if self.folder is None:
            return None
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc or not parts.path:
            return None  # external or data: references are not allowed in statements
        relative = PurePosixPath(unquote(parts.path))
        if relative.is_absolute() or ".." in relative.parts:
            return None
        candidates = [relative] if relative.suffix else [relative.with_suffix(s) for s in IMAGE_SUFFIXES]
        for candidate in candidates:
            path = (self.folder / candidate).resolve()
            if path.is_relative_to(self.folder) and path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                name = path.relative_to(self.folder).as_posix()
                self.files.add(name)
                return name
        return None

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            name = self.resolve(value)
            return ASSET_MARKER + quote(name) if name is not None else None
        if tag == "a" and attribute == "href":
            scheme = urlsplit(value).scheme.lower()
            return value if scheme in ("", "http", "https", "mailto") else None
        return value


def sanitize(html: str, rewriter: AssetRewriter) -> str:
    """Statement HTML with only safe markup left and its images renamed to served assets."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        attribute_filter=rewriter,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties=STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
