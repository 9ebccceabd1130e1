#!/usr/bin/env python3
"""Cut the sharing subset of Microsoft Graph's v1.0 metadata and derive its JSON Schema.

Input: clean_v10_metadata/cleanMetadata.xml of microsoftgraph/msgraph-metadata (see README.md for the
commit). Output: sharing-csdl.xml and sharing-schema.json in OUTDIR (default: this script's folder).

    git -C msgraph-metadata show f54f11b60956ea7b185ca0447b2b80805836ec7b:clean_v10_metadata/cleanMetadata.xml > clean.xml
    python3 make_subset.py clean.xml [OUTDIR]

Python 3.9 or newer, standard library only. Not run by the build or the tests: the outputs are
committed, and the tests read those.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

EDM = "http://docs.oasis-open.org/odata/ns/edm"
EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
Q = "{%s}" % EDM

# The types the sharing commands and the emulator speak; the closure adds what they reach.
SEEDS = [
    "permission", "sharingLink", "sharingInvitation", "identitySet", "identity", "sharePointIdentitySet",
    "sharePointIdentity", "driveItem", "baseItem", "entity", "sharedDriveItem", "itemReference", "file",
    "folder", "hashes", "fileSystemInfo", "remoteItem", "shared", "folderView", "image", "photo", "video",
    "audio", "package", "root", "deleted", "searchResult", "specialFolder", "publicationFacet",
    "driveRecipient", "thumbnailSet", "thumbnail", "listItem", "list", "site", "drive",
]
# Actions kept: name -> binding parameter types. (The calls action `invite`, bound to
# Collection(graph.participant), is another action of the same name and is left out.)
ACTIONS = {"createLink": ["graph.driveItem", "graph.listItem"], "invite": ["graph.driveItem"],
           "grant": ["graph.permission"]}
# Types kept with their properties only: their navigation properties would pull in half of Graph.
PROPERTIES_ONLY = {"listItem", "list", "site", "drive"}
TYPE_TAGS = (Q + "EnumType", Q + "ComplexType", Q + "EntityType")

SCHEMA_COMMENT = (
    "Derived from microsoftgraph/msgraph-metadata clean_v10_metadata/cleanMetadata.xml at commit "
    "f54f11b60956ea7b185ca0447b2b80805836ec7b (MIT License, Copyright (c) 2018 Microsoft Graph). One $defs "
    "entry per type in sharing-csdl.xml, base types merged into derived ones, Property elements only (no "
    "navigation properties). Every property is optional (Graph omits unset ones); single values may be null "
    "unless the metadata says Nullable=false; resource types allow extra members (@odata annotations, open "
    "types), action bodies do not.")
EDM_JSON = {
    "Edm.String": {"type": "string"}, "Edm.Boolean": {"type": "boolean"}, "Edm.Int16": {"type": "integer"},
    "Edm.Int32": {"type": "integer"}, "Edm.Int64": {"type": "integer"}, "Edm.Double": {"type": "number"},
    "Edm.DateTimeOffset": {"type": "string", "format": "date-time"},
    "Edm.Stream": {"type": "string"},  # never inline in Graph JSON
}


def local(typ):
    """graph.x or Collection(graph.x) -> x; None for Edm types."""
    if typ.startswith("Collection(") and typ.endswith(")"):
        typ = typ[len("Collection("):-1]
    return typ[len("graph."):] if typ.startswith("graph.") else None


def kept_action(el):
    if el.tag != Q + "Action" or el.get("Name") not in ACTIONS:
        return False
    params = el.findall(Q + "Parameter")
    return bool(params) and params[0].get("Type") in ACTIONS[el.get("Name")]


def cut(root):
    services = root.find("{%s}DataServices" % EDMX)
    schema = None
    for s in list(services):  # keep microsoft.graph; drop callRecords, security, ...
        if s.get("Namespace") == "microsoft.graph":
            schema = s
        else:
            services.remove(s)
    types = {el.get("Name"): el for el in schema if el.tag in TYPE_TAGS}
    actions = [el for el in schema if kept_action(el)]

    want, todo = set(), list(SEEDS)
    for a in actions:
        todo += [local(p.get("Type")) for p in a.findall(Q + "Parameter")]
        todo += [local(r.get("Type")) for r in a.findall(Q + "ReturnType")]
    while todo:
        name = todo.pop()
        if name is None or name in want:
            continue
        if name not in types:
            sys.exit("type %s is not in the metadata" % name)
        want.add(name)
        el = types[name]
        if el.get("BaseType"):
            todo.append(local(el.get("BaseType")))
        todo += [local(p.get("Type")) for p in el.findall(Q + "Property")]

    for name in want:
        el = types[name]
        for nav in el.findall(Q + "NavigationProperty"):
            if name in PROPERTIES_ONLY or local(nav.get("Type")) not in want:
                el.remove(nav)
    for el in list(schema):
        keep = (el.tag in TYPE_TAGS and el.get("Name") in want) or el in actions
        if not keep:  # Annotations, EntityContainer, every other type and action
            schema.remove(el)
    return schema


def json_type(typ, nullable=True):
    coll = typ.startswith("Collection(")
    name = local(typ)
    if name is not None:
        t = {"$ref": "#/$defs/" + name}
    else:
        inner = typ[len("Collection("):-1] if coll else typ
        if inner not in EDM_JSON:
            sys.exit("no JSON mapping for " + inner)
        t = dict(EDM_JSON[inner])
    if coll:
        return {"type": "array", "items": t}
    if nullable:
        return {"anyOf": [t, {"type": "null"}]}
    return t


def json_schema(schema):
    types = {el.get("Name"): el for el in schema if el.tag in TYPE_TAGS}
    defs = {}
    for name, el in types.items():
        kind = el.tag[len(Q):]
        comment = "%s microsoft.graph.%s" % (kind, name)
        if kind == "EnumType":
            defs[name] = {"$comment": comment, "type": "string",
                          "enum": [m.get("Name") for m in el.findall(Q + "Member")]}
            continue
        chain = [el]
        while chain[0].get("BaseType"):
            chain.insert(0, types[local(chain[0].get("BaseType"))])
        if len(chain) > 1:
            comment += "; includes " + " and ".join(b.get("Name") for b in reversed(chain[:-1]))
        props = {}
        for t in chain:
            for p in t.findall(Q + "Property"):
                props[p.get("Name")] = json_type(p.get("Type"), p.get("Nullable") != "false")
        defs[name] = {"$comment": comment, "type": "object", "properties": props, "additionalProperties": True}

    for a in (el for el in schema if el.tag == Q + "Action"):
        params = a.findall(Q + "Parameter")
        binding = local(params[0].get("Type"))
        defs["%sRequest_%s" % (a.get("Name"), binding)] = {
            "$comment": "Action microsoft.graph.%s bound to %s. Body of POST .../%s/%s: the action's "
                        "non-binding parameters. All optional here; no other members (the metadata lists the "
                        "parameters exactly)." % (a.get("Name"), binding, binding, a.get("Name")),
            "type": "object",
            "properties": {p.get("Name"): json_type(p.get("Type")) for p in params[1:]},
            "additionalProperties": False,
        }
    # The body everyone means by "createLink": the driveItem-bound one.
    defs["createLinkRequest"] = defs["createLinkRequest_driveItem"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "graph-v1.0-sharing-schema.json",
        "$comment": SCHEMA_COMMENT,
        "$defs": {k: defs[k] for k in sorted(defs, key=str.lower)},
    }


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    ET.register_namespace("", EDM)
    ET.register_namespace("edmx", EDMX)
    tree = ET.parse(sys.argv[1])
    schema = cut(tree.getroot())
    ET.indent(tree, space="  ")
    tree.write(os.path.join(out, "sharing-csdl.xml"), encoding="utf-8", xml_declaration=True)
    with open(os.path.join(out, "sharing-csdl.xml"), "ab") as f:
        f.write(b"\n")
    with open(os.path.join(out, "sharing-schema.json"), "w", encoding="utf-8") as f:
        json.dump(json_schema(schema), f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
