"""Write each custom resource of a rendered manifest that has a schema here to DIR/<group>_<version>/<Kind>/N.json.

Usage: python k8s/schemas/split.py RENDERED.yaml DIR  (prints one ``SCHEMA FILE`` pair a line, for check-jsonschema)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

SCHEMAS = Path(__file__).parent


def main(rendered: str, out: str) -> None:
    for n, document in enumerate(yaml.safe_load_all(Path(rendered).read_text())):
        if not document:
            continue
        schema = SCHEMAS / document["apiVersion"].replace("/", "_") / f"{document['kind']}.json"
        if not schema.exists():
            continue
        target = Path(out) / schema.parent.name / document["kind"] / f"{n}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document))
        print(schema, target)


if __name__ == "__main__":
    main(*sys.argv[1:])
