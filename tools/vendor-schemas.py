#!/usr/bin/env python3
"""Regenerates hagen's vendored AWS resource schemas under `schemas/`.

Source: the CloudFormation resource provider schemas shipped inside the
cfn-lint wheel (licence MIT-0), already patched by cfn-lint:
`cfnlint/data/schemas/providers/<region>.json` maps a type name to a hash and
`cfnlint/data/schemas/resources/<hash>.json` is that type's schema.

Run it through `tools/vendor-schemas.sh`, which uses the pinned cfn-lint venv
(`tools/venv.sh cfn-lint`). The script refuses any other cfn-lint version than
PINNED, so that the data always records exactly where it came from.

What it writes:
- `schemas/manifest.json`: the source record (package, version, licence,
  schema date, region) and, per type name, `[offset, length]` into
  `resources.bin`.
- `schemas/resources.bin`: one zlib stream per type, concatenated in the
  manifest's order, so hagen can inflate just the types a template uses.
  Each stream is a JSON object:
    {"schema": <the schema, documentation stripped>,
     "attributes": {"<GetAtt name>": "<JSON type or ''>"},
     "attributePatterns": ["<regex>", ...]}
  `attributes` is the list of GetAtt names cfn-lint itself derives for the
  type (readOnlyProperties plus its known exceptions), with the JSON type of
  each attribute when the schema says it.
- `schemas/docs.bin`: what the L1 generator (`crates/hagen-codegen`) needs
  beyond validation and hagen never embeds: one zlib stream of a JSON object
    {"source": <the manifest's source record>,
     "types": {"<type>": {"description": "...",
                          "tagging": <the schema's tagging block or null>,
                          "docs": {"<JSON pointer>": "<description>"}}}}
  where each pointer (`/properties/VpcId`,
  `/definitions/Tag/properties/Key`) names a schema node that has a
  description.

Only documentation and provisioning metadata are dropped (descriptions,
titles, examples, handlers, permissions, tagging, formats); every keyword
that constrains a value is kept as cfn-lint ships it. Rewriting for
validation (intrinsic awareness, lenient types) happens in hagen at load time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zlib
from pathlib import Path

PINNED = "1.58.0"
REGION = "us-east-1"
FORMAT = 1

# Keywords whose value is a single schema.
SCHEMA_KEYS = {
    "items",
    "additionalItems",
    "additionalProperties",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
}
# Keywords whose value is a list of schemas.
SCHEMA_LIST_KEYS = {"allOf", "anyOf", "oneOf", "prefixItems"}
# Keywords whose value is a map of name -> schema.
SCHEMA_MAP_KEYS = {"properties", "patternProperties", "definitions"}
# Keywords kept as data (they constrain values but hold no schemas).
DATA_KEYS = {
    "type",
    "required",
    "enum",
    "const",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "$ref",
    "dependentRequired",
    "dependentExcluded",
    "requiredXor",
    "requiredOr",
    "enumCaseInsensitive",
    "uniqueKeys",
}
# Top-level resource metadata hagen uses.
TOP_KEYS = {
    "typeName",
    "readOnlyProperties",
    "createOnlyProperties",
    "writeOnlyProperties",
    "primaryIdentifier",
    "deprecatedProperties",
}


def trim(node):
    """A copy of a schema node with only validation keywords left."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise ValueError(f"not a schema: {node!r}")
    out = {}
    for key, value in node.items():
        if key in DATA_KEYS:
            out[key] = value
        elif key in SCHEMA_KEYS:
            if key == "items" and isinstance(value, list):
                out[key] = [trim(v) for v in value]
            else:
                out[key] = trim(value)
        elif key in SCHEMA_LIST_KEYS:
            out[key] = [trim(v) for v in value]
        elif key in SCHEMA_MAP_KEYS:
            out[key] = {k: trim(v) for k, v in value.items()}
        elif key == "dependencies":
            out[key] = {
                k: (v if isinstance(v, list) else trim(v)) for k, v in value.items()
            }
    return out


def trim_resource(schema):
    out = trim(schema)
    # Sorted: a set's iteration order changes with PYTHONHASHSEED, and the
    # bundle must come out byte-identical on every run.
    for key in sorted(TOP_KEYS):
        if key in schema:
            out[key] = schema[key]
    return out


def attribute_type(manager_schema, pointer):
    """The JSON type an attribute's pointer resolves to, or '' when unknown."""
    try:
        resolved = manager_schema.resolver.resolve_cfn_pointer(pointer)
        while isinstance(resolved, dict) and "$ref" in resolved and "type" not in resolved:
            _, resolved = manager_schema.resolver.resolve(resolved["$ref"])
    except Exception:  # noqa: BLE001 - an unresolvable pointer just has no type
        return ""
    if not isinstance(resolved, dict):
        return ""
    t = resolved.get("type", "")
    if isinstance(t, list):
        return t[0] if len(t) == 1 else ""
    return t if isinstance(t, str) else ""


def descriptions(node, pointer, out):
    """Every `description` under a schema node, by the JSON pointer of the
    node that carries it."""
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str) and text.strip() and pointer:
            out[pointer] = text
        for key, value in node.items():
            if key in SCHEMA_MAP_KEYS and isinstance(value, dict):
                for name, child in value.items():
                    descriptions(child, f"{pointer}/{key}/{escape(name)}", out)
            elif key in SCHEMA_KEYS:
                descriptions(value, f"{pointer}/{key}", out)
            elif key in SCHEMA_LIST_KEYS and isinstance(value, list):
                for i, child in enumerate(value):
                    descriptions(child, f"{pointer}/{key}/{i}", out)


def escape(name):
    """A JSON pointer token (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")


def render_manifest(manifest):
    """The manifest as JSON with one line per type, so that a regeneration
    diffs as one changed line per changed type."""
    lines = ["{"]
    lines.append(f' "format": {json.dumps(manifest["format"])},')
    lines.append(f' "source": {json.dumps(manifest["source"])},')
    lines.append(' "types": {')
    entries = list(manifest["types"].items())
    for i, (name, span) in enumerate(entries):
        comma = "," if i + 1 < len(entries) else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(span)}{comma}")
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent.parent / "schemas"),
        help="output directory (default: schemas/ at the repository root)",
    )
    args = parser.parse_args()

    import cfnlint
    from cfnlint.schema.manager import ProviderSchemaManager
    from cfnlint.version import __version__

    if __version__ != PINNED:
        sys.exit(
            f"vendor-schemas: cfn-lint {__version__} found, {PINNED} pinned; "
            "run through tools/vendor-schemas.sh"
        )

    data = Path(os.path.dirname(cfnlint.__file__)) / "data" / "schemas"
    providers = json.loads((data / "providers" / f"{REGION}.json").read_text())
    version = json.loads((data / "version.json").read_text())
    # The bundled directories, explicitly: never a newer user cache.
    manager = ProviderSchemaManager(
        providers_dir=data / "providers", resources_dir=data / "resources"
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    blob = bytearray()
    index = {}
    docs = {}
    for type_name in sorted(providers):
        raw = json.loads((data / "resources" / f"{providers[type_name]}.json").read_text())
        schema = manager.get_resource_schema(REGION, type_name)
        attributes = {}
        patterns = []
        for name, pointer in schema.get_atts.items():
            # cfn-lint writes open-ended attributes (a stack's `Outputs.X`,
            # anything of a custom resource) as regular expressions.
            if "\\" in name or "*" in name:
                patterns.append(name)
            else:
                attributes[name] = attribute_type(schema, pointer)
        entry = {
            "schema": trim_resource(raw),
            "attributes": dict(sorted(attributes.items())),
            "attributePatterns": sorted(patterns),
        }
        pointers = {}
        descriptions(raw, "", pointers)
        docs[type_name] = {
            "description": raw.get("description", ""),
            "tagging": raw.get("tagging"),
            "docs": dict(sorted(pointers.items())),
        }
        text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()
        packed = zlib.compress(text, 9)
        index[type_name] = [len(blob), len(packed)]
        blob.extend(packed)

    manifest = {
        "format": FORMAT,
        "source": {
            "package": "cfn-lint",
            "version": __version__,
            "licence": "MIT-0",
            "path": f"cfnlint/data/schemas/providers/{REGION}.json and cfnlint/data/schemas/resources/<hash>.json",
            "schemaDate": version.get("schema_date", ""),
            "region": REGION,
        },
        "types": index,
    }
    (out / "resources.bin").write_bytes(bytes(blob))
    docs_text = json.dumps(
        {"source": manifest["source"], "types": docs},
        separators=(",", ":"),
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    (out / "docs.bin").write_bytes(zlib.compress(docs_text, 9))
    (out / "manifest.json").write_text(render_manifest(manifest))
    print(
        f"vendor-schemas: {len(index)} types from cfn-lint {__version__} "
        f"({REGION}), {len(blob)} bytes compressed, into {out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
