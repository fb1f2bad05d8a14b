#!/usr/bin/env python3
"""Load checkpoint folders written by this library's Hugging Face exporter with Python transformers and check them.

For each folder this script
  * loads the model with the transformers class named in config.json ("architectures"), strictly: a missing or
    unexpected tensor is an error;
  * if the folder holds inputs.safetensors, computes the logits and writes a parity fixture <out>/<folder name>/:
    config.json, model.safetensors and inputs.safetensors as exported, and expected.safetensors (the transformers
    logits); if the folder also holds tcd-logits.safetensors (this library's logits), reports the largest difference;
  * if the folder holds vocab.txt, loads the tokenizer (AutoTokenizer) and, given tokenization.json (texts and the
    ids this library produced), compares the ids.
A folder `tcd export-hf` wrote has no inputs or tokenization.json, so for it the script checks that model and
tokenizer load; MoE exports (model_type tcd-moe-bert) are this library's own layout and are reported, not loaded.

Requirements: python3 with torch, transformers and safetensors.
Usage:  python3 tools/check_hf_export.py --out FIXTURES FOLDER [FOLDER ...]
        (folders written by `dotnet run tools/make_export_fixture.cs -- FOLDER` or by `tcd export-hf`)
Exits 1 when any check fails.
"""
import argparse
import json
import pathlib
import shutil
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file

TOLERANCE = 1e-4


def check_model(folder: pathlib.Path, out: pathlib.Path) -> list:
    config = json.loads((folder / "config.json").read_text())
    architecture = config["architectures"][0]
    if config.get("model_type") == "tcd-moe-bert":
        print(f"{folder.name}: {architecture} is this library's own MoE layout, which transformers cannot load; not checked")
        return []
    model_class = getattr(transformers, architecture, None)
    if model_class is None:
        return [f"transformers {transformers.__version__} has no class {architecture} (config.json 'architectures')"]
    model, loading = model_class.from_pretrained(folder, output_loading_info=True)
    model.eval()
    problems = [f"{key}: {sorted(names)}" for key, names in loading.items() if names]
    print(f"{folder.name}: {architecture} loaded by transformers {transformers.__version__}"
          + ("" if not problems else f"; loading info {problems}"))
    if model_class.__name__ == "BertForSequenceClassification":
        print(f"  labels {[model.config.id2label[i] for i in range(model.config.num_labels)]}")

    inputs_file = folder / "inputs.safetensors"
    if inputs_file.exists():
        inputs = load_file(inputs_file)
        with torch.no_grad():
            logits = model(**inputs).logits.float().contiguous()
        fixture = out / folder.name
        fixture.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "model.safetensors", "inputs.safetensors"):
            shutil.copyfile(folder / name, fixture / name)
        save_file({"logits": logits}, fixture / "expected.safetensors")
        ours = folder / "tcd-logits.safetensors"
        if ours.exists():
            worst = (logits - load_file(ours)["logits"]).abs().max().item()
            print(f"  logits {tuple(logits.shape)}: largest difference from this library's {worst:.3g}")
            if worst > TOLERANCE:
                problems.append(f"logits differ by {worst:.3g} > {TOLERANCE}")
    return problems


def check_tokenizer(folder: pathlib.Path) -> list:
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    expected_file = folder / "tokenization.json"
    if not expected_file.exists():
        print(f"  tokenizer loaded ({len(tokenizer)} tokens)")
        return []
    expected = json.loads(expected_file.read_text())
    problems, differing = [], set()
    for index, texts in enumerate(expected["texts"]):
        encoded = tokenizer(*texts, truncation=True, max_length=64)
        for field in ("input_ids", "token_type_ids"):
            if encoded[field] != expected[field][index]:
                differing.add(index)
                problems.append(f"text {index} {field}: transformers {encoded[field]} vs this library {expected[field][index]}")
    print(f"  tokenizer ({len(tokenizer)} tokens): {len(expected['texts']) - len(differing)} of {len(expected['texts'])} texts tokenised identically")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True, help="where the parity fixture folders are written")
    args = parser.parse_args()

    failures = []
    for folder in args.folders:
        problems = check_model(folder, args.out)
        if (folder / "vocab.txt").exists():
            problems += check_tokenizer(folder)
        failures += [f"{folder.name}: {problem}" for problem in problems]
    for failure in failures:
        print(f"FAIL {failure}")
    print("all checks passed" if not failures else f"{len(failures)} check(s) failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
