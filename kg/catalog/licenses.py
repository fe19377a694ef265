"""Licence ids accepted in the ``license`` key, and the IRI each becomes.

SPDX identifiers become ``http://spdx.org/licenses/<id>``. Model licences that SPDX
does not list get an IRI under ``{base}/license/<id>``. To add a licence, add a line
here (and a source for it in the entries that use it).
"""
from __future__ import annotations

from kg.namespaces import SPDX_LICENSES, entity_iri

#: SPDX licence ids (case as SPDX spells them) -> label.
SPDX: dict[str, str] = {
    "Apache-2.0": "Apache License 2.0",
    "MIT": "MIT License",
    "BSD-2-Clause": "BSD 2-Clause License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "GPL-2.0-only": "GNU General Public License v2.0 only",
    "GPL-3.0-only": "GNU General Public License v3.0 only",
    "GPL-3.0-or-later": "GNU General Public License v3.0 or later",
    "AGPL-3.0-only": "GNU Affero General Public License v3.0 only",
    "LGPL-3.0-only": "GNU Lesser General Public License v3.0 only",
    "MPL-2.0": "Mozilla Public License 2.0",
    "CC-BY-4.0": "Creative Commons Attribution 4.0",
    "CC-BY-SA-3.0": "Creative Commons Attribution Share Alike 3.0",
    "CC-BY-SA-4.0": "Creative Commons Attribution Share Alike 4.0",
    "CC-BY-NC-4.0": "Creative Commons Attribution Non Commercial 4.0",
    "CC-BY-NC-SA-4.0": "Creative Commons Attribution Non Commercial Share Alike 4.0",
    "CC-BY-NC-ND-4.0": "Creative Commons Attribution Non Commercial No Derivatives 4.0",
    "CC0-1.0": "Creative Commons Zero v1.0 Universal",
    "CreativeML-OpenRAIL-M": "CreativeML Open RAIL-M",
    "OpenRAIL": "Open RAIL",
    "Unlicense": "The Unlicense",
}

#: Model licences outside SPDX -> label.
MODEL_LICENSES: dict[str, str] = {
    "llama-community": "LLaMA non-commercial research licence",
    "llama-2-community": "Llama 2 Community License",
    "llama-3-community": "Meta Llama 3 Community License",
    "llama-3.1-community": "Llama 3.1 Community License",
    "llama-3.2-community": "Llama 3.2 Community License",
    "llama-3.3-community": "Llama 3.3 Community License",
    "llama-4-community": "Llama 4 Community License",
    "gemma-terms": "Gemma Terms of Use",
    "bigscience-openrail-m": "BigScience OpenRAIL-M",
    "bigscience-bloom-rail-1.0": "BigScience BLOOM RAIL 1.0",
    "tii-falcon-llm": "TII Falcon LLM License",
    "falcon-180b-tii": "Falcon-180B TII License",
    "qwen": "Qwen License Agreement",
    "deepseek": "DeepSeek License Agreement",
    "mistral-research": "Mistral AI Research License",
    "modified-mit": "Modified MIT License",
    "openai-gpt2-modified-mit": "Modified MIT License (OpenAI GPT-2)",
    "non-commercial": "Non-commercial use only",
    "research-only": "Research use only",
    "proprietary": "Proprietary (no public weights licence)",
}

ALL_LICENSES: dict[str, str] = {**SPDX, **MODEL_LICENSES}


def license_iri(license_id: str, base: str) -> str:
    """The IRI of a known licence id (raises KeyError for an unknown one)."""
    if license_id in SPDX:
        return SPDX_LICENSES + license_id
    if license_id in MODEL_LICENSES:
        return entity_iri(base, "license", license_id)
    raise KeyError(license_id)
