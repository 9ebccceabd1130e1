#!/usr/bin/env python3
"""Cut the sharing subset of Microsoft Graph's v1.0 OpenAPI description (openapi-sharing.yaml).

Inputs: two versions of openApiDocs/v1.0/Files.yml from microsoftgraph/msgraph-sdk-powershell (see
README.md for the commits): BASE, from which every path and component is taken, and NEWER, from which
only the createLink requestBody is taken. Output: openapi-sharing.yaml in OUTDIR (default: this
script's folder).

    python3 make_subset.py BASE_Files.yml NEWER_Files.yml [OUTDIR]

Needs PyYAML (Debian: python3-yaml). Keeps the paths in PATHS whole, in that order, and every
components entry they reach through $ref (transitively), sorted by name within each section; the
securitySchemes and the top-level security requirement are kept as they are. Not run by the build or
the tests: the output is committed, and the tests read it.
"""
import os
import sys

import yaml

try:
    from yaml import CSafeDumper as Dumper, CSafeLoader as Loader
except ImportError:  # PyYAML without libyaml writes the same text, more slowly
    from yaml import SafeDumper as Dumper, SafeLoader as Loader

BASE_COMMIT = "98ab6553524c40db46485c81fc92bca619418d55"
NEWER_COMMIT = "02242be7aba44788d8fd0901c0dc7fba51d299b2"
ITEM = "/drives/{drive-id}/items/{driveItem-id}"
SHARE = "/shares/{sharedDriveItem-id}"
PATHS = [
    ITEM,
    ITEM + "/children",
    ITEM + "/microsoft.graph.createLink",
    ITEM + "/microsoft.graph.invite",
    ITEM + "/permissions",
    ITEM + "/permissions/{permission-id}",
    ITEM + "/permissions/{permission-id}/microsoft.graph.grant",
    "/shares",
    SHARE,
    SHARE + "/driveItem",
    SHARE + "/root",
    SHARE + "/items",
    SHARE + "/items/{driveItem-id}",
    SHARE + "/permission",
    SHARE + "/permission/microsoft.graph.grant",
]
CREATE_LINK = ITEM + "/microsoft.graph.createLink"
DESCRIPTION = (
    "Cut from Microsoft's published OpenAPI description of Graph v1.0 (PowerShell SDK split file "
    "openApiDocs/v1.0/Files.yml, microsoftgraph/msgraph-sdk-powershell commit %s, docs refreshed 2023-10-30), "
    "keeping the sharing paths and every component they reference. One substitution: the createLink "
    "requestBody comes from the newer published Files.yml at commit %s (see x-odshare-provenance). See "
    "README.md beside this file." % (BASE_COMMIT, NEWER_COMMIT))
PROVENANCE = (
    "requestBody replaced verbatim by the one in microsoftgraph/msgraph-sdk-powershell "
    "openApiDocs/v1.0/Files.yml at commit %s (adds recipients and sendNotification, makes type nullable); "
    "the rest of this operation is from the base file." % NEWER_COMMIT)


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/"):
                out.add(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def load(path):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=Loader)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    base, newer = load(sys.argv[1]), load(sys.argv[2])
    out_dir = sys.argv[3] if len(sys.argv) == 4 else os.path.dirname(os.path.abspath(__file__))

    paths = {p: base["paths"][p] for p in PATHS}
    post = paths[CREATE_LINK]["post"]
    post["requestBody"] = newer["paths"][CREATE_LINK]["post"]["requestBody"]
    post.pop("x-odshare-provenance", None)  # re-cutting our own output puts it back at the end
    post["x-odshare-provenance"] = PROVENANCE

    comps = base["components"]
    want, todo = set(), set()
    refs(paths, todo)
    while todo:
        ref = todo.pop()
        if ref in want:
            continue
        want.add(ref)
        _, _, section, name = ref.split("/", 3)
        if name not in comps.get(section, {}):
            sys.exit("unresolved $ref " + ref)
        refs(comps[section][name], todo)
    components = {}
    for section in ("schemas", "responses", "parameters"):
        kept = sorted(n for n in comps.get(section, {}) if "#/components/%s/%s" % (section, n) in want)
        components[section] = {n: comps[section][n] for n in kept}
    components["securitySchemes"] = comps["securitySchemes"]

    doc = {
        "openapi": base["openapi"],
        "info": {"title": "Microsoft Graph v1.0 - sharing subset (odshare)", "version": base["info"]["version"],
                 "description": DESCRIPTION},
        "servers": base["servers"],
        "paths": paths,
        "components": components,
        "security": base["security"],
    }
    with open(os.path.join(out_dir, "openapi-sharing.yaml"), "w", encoding="utf-8") as f:
        yaml.dump(doc, f, Dumper=Dumper, sort_keys=False, width=120, allow_unicode=True)


if __name__ == "__main__":
    main()
