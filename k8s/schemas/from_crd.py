"""Turn a CustomResourceDefinition into a JSON schema per served version, for check-jsonschema.

Usage: python k8s/schemas/from_crd.py CRD.yaml SOURCE  (writes k8s/schemas/<group>_<version>/<Kind>.json)

The schema is the CRD's own ``openAPIV3Schema``. Objects that declare their
properties get ``additionalProperties: false`` unless the CRD lets unknown
fields through (``x-kubernetes-preserve-unknown-fields``), which is what an API
server with strict field validation refuses; ``int-or-string`` becomes either.
SOURCE (where the CRD came from, e.g. repository@commit:path) is kept in ``$comment``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml


def strict(node: Any) -> Any:
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items() if key != "description"}  # prose: not checked
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def main(crd_path: str, source: str) -> None:
    crd = yaml.safe_load(Path(crd_path).read_text())
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    for version in crd["spec"]["versions"]:
        if not version.get("served"):
            continue
        schema = strict(version["schema"]["openAPIV3Schema"])
        schema["properties"]["apiVersion"] = {"const": f"{group}/{version['name']}"}
        schema["properties"]["kind"] = {"const": kind}
        schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata", "spec"})
        document = {"$schema": "http://json-schema.org/draft-07/schema#", "$comment": f"from {source}", **schema}
        target = Path(__file__).parent / f"{group}_{version['name']}" / f"{kind}.json"
        target.parent.mkdir(exist_ok=True)
        target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
        print(target)


if __name__ == "__main__":
    main(*sys.argv[1:])
