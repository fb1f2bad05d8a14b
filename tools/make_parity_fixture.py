#!/usr/bin/env python3
"""Create the Hugging Face parity fixtures used by tests/Tcd.Models.Tests/Interop/HuggingFaceParityTests.cs.

A tiny random transformers BertForMaskedLM (hidden 32, 2 layers, 2 heads, FFN 64, vocabulary 1024) is saved
twice, with fixed inputs (one padded row) and the logits transformers computes for them:

  Fixtures/hf-tiny-bert/      config.json, model.safetensors (save_pretrained), inputs.safetensors, expected.safetensors
  Fixtures/hf-tiny-bert-bin/  config.json, pytorch_model.bin (torch.save of the full state dict, tied copies included),
                              inputs.safetensors, expected.safetensors

Requirements: python3 with torch, transformers and safetensors (pip install torch transformers safetensors).
Usage (from the repository root):  python3 tools/make_parity_fixture.py
The C# tests skip while these folders are absent and compare logits within 1e-4 once they exist.
"""
import argparse
import pathlib

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "Tcd.Models.Tests" / "Interop" / "Fixtures"
VOCAB = 1024


def build_model(seed: int) -> BertForMaskedLM:
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        type_vocab_size=2,
        hidden_act="gelu",
        layer_norm_eps=1e-12,
        pad_token_id=0,
    )
    model = BertForMaskedLM(config)
    # A fresh model has zero biases and unit LayerNorms; perturb every parameter so that a tensor loaded into
    # the wrong place (or not at all) changes the logits. The decoder weight is the tied word-embedding matrix.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    return model.eval()


def build_inputs(seed: int) -> dict:
    generator = torch.Generator().manual_seed(seed)
    length, real_second = 12, 7
    ids = torch.randint(104, VOCAB, (2, length), generator=generator)
    ids[:, 0] = 101  # [CLS]
    ids[0, length // 2] = 102  # [SEP] between the two segments of row 0
    ids[0, -1] = 102
    ids[1, real_second - 1] = 102
    ids[1, real_second:] = 0  # [PAD]
    types = torch.zeros_like(ids)
    types[0, length // 2 + 1:] = 1
    mask = torch.ones_like(ids)
    mask[1, real_second:] = 0
    return {"input_ids": ids.contiguous(), "token_type_ids": types.contiguous(), "attention_mask": mask.contiguous()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="fixtures folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args()

    model = build_model(args.seed)
    inputs = build_inputs(args.seed + 1)
    with torch.no_grad():
        logits = model(**inputs).logits.float().contiguous()

    safetensors_folder = args.out / "hf-tiny-bert"
    model.save_pretrained(safetensors_folder, safe_serialization=True)

    bin_folder = args.out / "hf-tiny-bert-bin"
    bin_folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(bin_folder)
    torch.save(model.state_dict(), bin_folder / "pytorch_model.bin")

    for folder in (safetensors_folder, bin_folder):
        save_file(inputs, folder / "inputs.safetensors")
        save_file({"logits": logits}, folder / "expected.safetensors")
        print(f"wrote {folder}")


if __name__ == "__main__":
    main()
