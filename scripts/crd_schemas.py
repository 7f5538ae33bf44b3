"""Turn CustomResourceDefinitions into strict JSON schemas, one per kind and version, for check-jsonschema.

Usage: python scripts/crd_schemas.py OUT_DIR CRD.yaml...   (writes OUT_DIR/<kind>-<group>-<version>.json)

The CRD's openAPIV3Schema is the schema the API server checks; the API server also drops fields it does
not know, silently, so a misspelt field would vanish in a real cluster. To catch those offline, every object
that lists its properties (and does not keep unknown fields) is closed with ``additionalProperties: false``,
and apiVersion and kind are pinned to the CRD's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def _close(node: Any) -> Any:
    if isinstance(node, dict):
        closed = {key: _close(value) for key, value in node.items()}
        if (
            "properties" in closed
            and "additionalProperties" not in closed
            and not closed.get("x-kubernetes-preserve-unknown-fields")
        ):
            closed["additionalProperties"] = False
        return closed
    if isinstance(node, list):
        return [_close(item) for item in node]
    return node


def main(out_dir: str, *crds: str) -> None:
    for path in crds:
        crd = yaml.safe_load(Path(path).read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = _close(version["schema"]["openAPIV3Schema"])
            schema["properties"]["apiVersion"] = {"const": f"{group}/{version['name']}"}
            schema["properties"]["kind"] = {"const": kind}
            schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata", "spec"})
            schema["$schema"] = "http://json-schema.org/draft-07/schema#"
            target = Path(out_dir) / f"{kind.lower()}-{group.split('.')[0]}-{version['name']}.json"
            target.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
            print(f"{target}: {kind} {group}/{version['name']}")


if __name__ == "__main__":
    main(*sys.argv[1:])
