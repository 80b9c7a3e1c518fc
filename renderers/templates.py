"""Word templates: finding them, checking their variables, rendering them safely.

Templates are docxtpl (Jinja inside Word) files. The shipped defaults live in
``form_templates/documents/<kind>.docx``; a council may upload its own per panel, so a
template is untrusted input: it renders in Jinja's sandbox (no ``_private`` or dunder
attributes), with autoescaping (a value can never inject Word XML), and every variable it
uses is checked against the document kind's context dataclass *at upload time*, so a
misspelt placeholder is refused with its name instead of leaving a gap in a letter.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import types
import typing
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from renderers.errors import TemplateError, TemplateNotFound, TemplateVariableError

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "form_templates" / "documents"
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Core properties docxtpl renders as templates too (render_properties).
_CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
# Filters that hand back the same sequence type (or its element), so attribute checks
# carry on through ``cases|sort(attribute="slot")`` or ``children|first``.
_SAME_TYPE_FILTERS = {"sort", "reverse", "list", "unique", "select", "reject", "selectattr",
                      "rejectattr", "default", "d"}
_ELEMENT_FILTERS = {"first", "last", "random"}


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, remembering compiled sources.

    docxtpl compiles each part of the Word file from a string on every render; a batch of
    100 letters from one template would compile it 100 times (about 40 % of render time).
    """

    _CACHE_SIZE = 128

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._cache_lock = threading.Lock()

    def from_string(self, source: str | nodes.Template, globals: MutableMapping[str, Any] | None = None,
                    template_class: type[Template] | None = None) -> Template:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        with self._cache_lock:
            cached = self._compiled.get(source)
            if cached is not None:
                self._compiled.move_to_end(source)
                return cached
        compiled = super().from_string(source)
        with self._cache_lock:
            self._compiled[source] = compiled
            while len(self._compiled) > self._CACHE_SIZE:
                self._compiled.popitem(last=False)
        return compiled


def make_environment(autoescape: bool = True) -> SandboxedEnvironment:
    """The one Jinja environment templates run in: sandboxed, strict about undefined names."""
    return _Sandbox(autoescape=autoescape, undefined=StrictUndefined)


_RENDER_ENV = make_environment()
_PROPERTIES_ENV = make_environment(autoescape=False)


def find_template(kind: str, override: Path | None = None) -> bytes:
    """Return the template bytes for a document kind: the panel's upload, else the default."""
    if override is not None:
        try:
            return override.read_bytes()
        except OSError:
            raise TemplateNotFound(f"the uploaded {kind} template could not be read") from None
    if not _KIND.fullmatch(kind):
        raise TemplateNotFound(f"no document kind called {kind!r}")
    path = TEMPLATES_DIR / f"{kind}.docx"
    if not path.is_file():
        raise TemplateNotFound(f"no shipped template for document kind {kind!r}")
    return path.read_bytes()


def template_sources(docx_bytes: bytes) -> list[str]:
    """Every piece of Jinja source docxtpl will render: body, headers, footers, footnotes, properties."""
    if not zipfile.is_zipfile(BytesIO(docx_bytes)):
        raise TemplateError("the template is not a Word (.docx) file")
    try:
        tpl = DocxTemplate(BytesIO(docx_bytes))
        tpl.init_docx()
        doc = tpl.docx
        sources = [tpl.patch_xml(tpl.xml_to_string(doc.element.body))]
        for rel in doc.part.rels.values():
            if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
                sources.append(tpl.patch_xml(rel.target_part.blob.decode("utf-8")))
        for part in doc.part.package.parts:
            if part.content_type == _FOOTNOTES:
                sources.append(tpl.patch_xml(part.blob.decode("utf-8")))
        props = doc.core_properties
        sources.extend(str(getattr(props, name) or "") for name in _CORE_PROPERTIES)
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise TemplateError(f"the Word template could not be read ({type(exc).__name__})") from None
    return sources


# --- variable checking -------------------------------------------------------------------------

class _Any:
    """Type of something the checker cannot follow (a macro argument, a filter result)."""


ANY: Any = _Any()


def _strip_optional(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return args[0] if len(args) == 1 else ANY
    return tp


def _element_type(tp: Any) -> Any:
    """What iterating ``tp`` yields, when it is a typed sequence; else ANY."""
    tp = _strip_optional(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, tuple, set, frozenset, Sequence, Iterable) and args:
        return _strip_optional(args[0])
    return ANY


def _attribute_type(tp: Any, attr: str) -> Any | None:
    """Type of ``tp.attr``, ANY when unknowable, None when ``tp`` certainly has no such attribute."""
    tp = _strip_optional(tp)
    if tp is ANY or attr.startswith("_"):
        return ANY if tp is ANY else None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        if attr in hints and attr in {f.name for f in dataclasses.fields(tp)}:
            return hints[attr]
        member = getattr(tp, attr, None)
        if isinstance(member, property):
            return typing.get_type_hints(member.fget).get("return", ANY) if member.fget else ANY
        return None
    origin = typing.get_origin(tp) or tp
    if isinstance(origin, type):
        return ANY if hasattr(origin, attr) else None
    return ANY


class _Checker:
    """Walks a parsed template, resolving each name and attribute against the context's types."""

    def __init__(self, env: SandboxedEnvironment, top: Mapping[str, Any] | None) -> None:
        self.env = env
        self.top = top
        self.unknown: set[str] = set()
        self.unsafe: set[str] = set()

    def check(self, tree: nodes.Template) -> None:
        self._body(tree.body, [{}])

    # scopes: innermost last; each maps a local name to its type
    def _body(self, body: Iterable[nodes.Node], scopes: list[dict[str, Any]]) -> None:
        for node in body:
            self._node(node, scopes)

    def _node(self, node: nodes.Node, scopes: list[dict[str, Any]]) -> None:
        if isinstance(node, nodes.For):
            iter_type = self._expr(node.iter, scopes)
            inner: dict[str, Any] = {"loop": ANY}
            self._bind(node.target, _element_type(iter_type) if iter_type is not ANY else ANY, inner)
            if node.test is not None:
                self._expr(node.test, [*scopes, inner])
            self._body(node.body, [*scopes, inner])
            self._body(node.else_, scopes)
        elif isinstance(node, nodes.Assign):
            value_type = self._expr(node.node, scopes)
            self._bind(node.target, value_type, scopes[-1])
        elif isinstance(node, nodes.AssignBlock):
            self._body(node.body, scopes)
            self._bind(node.target, ANY, scopes[-1])
        elif isinstance(node, nodes.With):
            inner = {}
            for target, value in zip(node.targets, node.values, strict=False):
                self._bind(target, self._expr(value, scopes), inner)
            self._body(node.body, [*scopes, inner])
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = {"caller": ANY, "varargs": ANY, "kwargs": ANY}
            for arg in node.args:
                inner[arg.name] = ANY
            for default in node.defaults:
                self._expr(default, scopes)
            if isinstance(node, nodes.Macro):
                scopes[-1][node.name] = ANY
            else:
                self._expr(node.call, scopes)
            self._body(node.body, [*scopes, inner])
        elif isinstance(node, nodes.Expr):
            self._expr(node, scopes)
        else:
            for child in node.iter_child_nodes():
                self._node(child, scopes)

    def _bind(self, target: nodes.Node, tp: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = tp
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, ANY, scope)
        elif isinstance(target, nodes.NSRef):
            pass

    def _lookup(self, name: str, scopes: list[dict[str, Any]]) -> Any | None:
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        if self.top is None or name in self.top:
            return ANY if self.top is None else self.top[name]
        if name in self.env.globals:
            return ANY
        return None

    def _expr(self, node: nodes.Node, scopes: list[dict[str, Any]]) -> Any:
        if isinstance(node, nodes.Name):
            found = self._lookup(node.name, scopes)
            if found is None:
                self.unknown.add(node.name)
                return ANY
            return found
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            base = self._expr(node.node, scopes)
            if isinstance(node, nodes.Getitem):
                if not isinstance(node.arg, nodes.Const) or not isinstance(node.arg.value, str):
                    self._expr(node.arg, scopes)
                    return _element_type(base)
                attr = node.arg.value
            else:
                attr = node.attr
            if attr.startswith("_"):
                self.unsafe.add(f"{_dotted(node.node)}.{attr}")
                return ANY
            found = _attribute_type(base, attr)
            if found is None:
                self.unknown.add(f"{_dotted(node.node)}.{attr}")
                return ANY
            return found
        if isinstance(node, nodes.Filter):
            if node.name not in self.env.filters:
                self.unknown.add(f"filter {node.name}")
            base = self._expr(node.node, scopes) if node.node is not None else ANY
            self._children(node, scopes, skip=node.node)
            if node.name in _SAME_TYPE_FILTERS:
                return base
            if node.name in _ELEMENT_FILTERS:
                return _element_type(base)
            return ANY
        if isinstance(node, nodes.Test):
            if node.name not in self.env.tests:
                self.unknown.add(f"test {node.name}")
            self._children(node, scopes)
            return ANY
        if isinstance(node, nodes.CondExpr):
            self._children(node, scopes)
            return ANY
        self._children(node, scopes)
        return ANY

    def _children(self, node: nodes.Node, scopes: list[dict[str, Any]],
                  skip: nodes.Node | None = None) -> None:
        for child in node.iter_child_nodes():
            if child is not skip:
                self._expr(child, scopes)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}.{node.arg.value}"
    return "…"


def context_variables(context_type: type[Any]) -> dict[str, Any]:
    """The top-level variables a context dataclass provides, with their types."""
    if not (dataclasses.is_dataclass(context_type) and isinstance(context_type, type)):
        raise TypeError("a document context must be a dataclass type")
    hints = typing.get_type_hints(context_type)
    return {f.name: hints[f.name] for f in dataclasses.fields(context_type)}


def validate_template(docx_bytes: bytes, allowed: set[str] | type[Any], kind: str | None = None) -> None:
    """Refuse a template that uses a variable, attribute, filter or test its context lacks.

    ``allowed`` is either the context dataclass (attribute access is then checked through
    nested dataclasses, list element types, loop variables and ``{% set %}``), or a plain
    set of top-level names. Raises :class:`TemplateVariableError` naming every unknown
    variable (``case.initals``), :class:`TemplateError` for syntax errors and private or
    dunder attribute access.
    """
    top: dict[str, Any] = ({name: ANY for name in allowed} if isinstance(allowed, set)
                           else context_variables(allowed))
    env = make_environment()
    checker = _Checker(env, top)
    for source in template_sources(docx_bytes):
        if "{" not in source:
            continue
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"the template has a placeholder error: {exc.message}") from None
        checker.check(tree)
    if checker.unsafe:
        listed = ", ".join(sorted(checker.unsafe))
        raise TemplateError(f"the template reaches for private attributes ({listed}), which is not allowed")
    if checker.unknown:
        raise TemplateVariableError(sorted(checker.unknown), kind)


# --- rendering ---------------------------------------------------------------------------------

class _SafeDocxTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl with document properties rendered without XML escaping.

    Core properties are plain strings that python-docx escapes itself; rendering them
    with autoescape on would turn "Smith & Co" into "Smith &amp;amp; Co" in the title.
    """

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        super().render_properties(context, _PROPERTIES_ENV)


def context_mapping(context: Any) -> dict[str, Any]:
    """Top-level template variables from a context dataclass instance (objects kept, not copied)."""
    if not dataclasses.is_dataclass(context) or isinstance(context, type):
        raise TypeError("render_docx needs a dataclass instance as its context")
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def _set_language(tpl: DocxTemplate, language: str) -> None:
    """Make ``language`` the document's default: Word's proofing, and the PDF's /Lang."""
    rpr = tpl.docx.styles.element
    for tag in ("w:docDefaults", "w:rPrDefault", "w:rPr"):
        rpr = rpr.find(qn(tag))
        if rpr is None:
            return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def render_docx(template_bytes: bytes, context: Any, language: str | None = "en-GB") -> bytes:
    """Render a Word template with a context dataclass, sandboxed and autoescaped.

    ``language`` overrides the template's default language (an uploaded template saved
    by a US-English Word would otherwise give letters ``/Lang en-US``).
    """
    if not zipfile.is_zipfile(BytesIO(template_bytes)):
        raise TemplateError("the template is not a Word (.docx) file")
    tpl = _SafeDocxTemplate(BytesIO(template_bytes))
    try:
        tpl.render(context_mapping(context), jinja_env=_RENDER_ENV, autoescape=True)
    except SecurityError:
        raise TemplateError("the template reaches for attributes that are not allowed") from None
    except UndefinedError as exc:
        raise TemplateError(
            f"the template uses a value the document does not provide ({exc.message})") from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"the template could not be rendered ({type(exc).__name__})") from None
    if language:
        _set_language(tpl, language)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


def iter_shipped_templates() -> Iterator[tuple[str, Path]]:
    """(kind, path) of every shipped default template, for the drift test and start-up checks."""
    for path in sorted(TEMPLATES_DIR.glob("*.docx")):
        yield path.stem, path
