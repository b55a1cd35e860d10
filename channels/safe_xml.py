"""Checks untrusted XML before any other parser sees it. WeChat bodies are small flat documents; anything with
a DOCTYPE, an entity declaration or an external reference (billion laughs, XXE), or that is too big or not
well-formed, is refused here, so wechatpy's xmltodict only ever parses documents that defusedxml accepted."""
from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_XML_BYTES = 64 * 1024  # a WeChat message is a few hundred bytes; an encrypted one a few KB


class UnsafeXml(ValueError):
    """The body is not a small, well-formed XML document without DTD or entities."""


def checked_xml(data: bytes, root: str = "xml", max_bytes: int = MAX_XML_BYTES) -> Element:
    """Returns the parsed root element, or raises UnsafeXml saying why not."""
    if len(data) > max_bytes:
        raise UnsafeXml(f"XML body larger than {max_bytes} bytes")
    if not data.strip():
        raise UnsafeXml("empty XML body")
    try:
        data.decode("utf-8")  # WeChat sends UTF-8; xmltodict later decodes it as such
    except UnicodeDecodeError:
        raise UnsafeXml("XML body is not UTF-8") from None
    try:
        element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise UnsafeXml(f"forbidden XML construct: {type(error).__name__}") from None
    except (ParseError, ValueError) as error:
        raise UnsafeXml(f"malformed XML: {error}") from None
    if element.tag != root:
        raise UnsafeXml(f"expected a <{root}> document, got <{element.tag}>")
    return element
