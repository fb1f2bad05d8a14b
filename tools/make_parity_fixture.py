#!/usr/bin/env python3
"""Create the Hugging Face parity fixtures used by tests/Tcd.Models.Tests/Interop/HuggingFaceParityTests.cs.

A tiny random transformers BertForMaskedLM (hidden 32, 2 layers, 2 heads, FFN 64, vocabulary 1024) is saved
twice, and a BertForSequenceClassification of the same shape with three labels once, each with fixed inputs (one
padded row) and the logits transformers computes for them:

  Fixtures/hf-tiny-bert/      config.json, model.safetensors (save_pretrained), inputs.safetensors, expected.safetensors
  Fixtures/hf-tiny-bert-bin/  config.json, pytorch_model.bin (torch.save of the full state dict, tied copies included),
                              inputs.safetensors, expected.safetensors
  Fixtures/hf-tiny-bert-cls/  config.json, model.safetensors, inputs.safetensors, expected.safetensors ([2, 3] logits)

Requirements: python3 with torch, transformers and safetensors (pip install torch transformers safetensors).
Usage (from the repository root):  python3 tools/make_parity_fixture.py
The C# tests skip while these folders are absent and compare logits within 1e-4 once they exist.
"""
import argparse
import pathlib

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM, BertForSequenceClassification

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "Tcd.Models.Tests" / "Interop" / "Fixtures"
VOCAB = 1024


def tiny_config(**extra) -> BertConfig:
    return BertConfig(
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
        **extra,
    )


def perturbed(model):
    # A fresh model has zero biases and unit LayerNorms; perturb every parameter so that a tensor loaded into
    # the wrong place (or not at all) changes the logits. The decoder weight is the tied word-embedding matrix.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05 * torch.randn_like(parameter))
    return model.eval()


def build_masked_lm(seed: int) -> BertForMaskedLM:
    torch.manual_seed(seed)
    return perturbed(BertForMaskedLM(tiny_config()))


def build_classifier(seed: int) -> BertForSequenceClassification:
    torch.manual_seed(seed)
    labels = ["entailment", "neutral", "contradiction"]
    config = tiny_config(
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: index for index, label in enumerate(labels)},
    )
    return perturbed(BertForSequenceClassification(config))


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

    inputs = build_inputs(args.seed + 1)
    masked_lm = build_masked_lm(args.seed)
    classifier = build_classifier(args.seed + 2)

    # save_pretrained writes model.safetensors (the default since transformers 4.35).
    masked_lm_folder = args.out / "hf-tiny-bert"
    masked_lm.save_pretrained(masked_lm_folder)
    classifier_folder = args.out / "hf-tiny-bert-cls"
    classifier.save_pretrained(classifier_folder)
    for folder in (masked_lm_folder, classifier_folder):
        if not (folder / "model.safetensors").exists():
            raise SystemExit(f"save_pretrained wrote no model.safetensors in {folder}: use transformers 4.35 or later")

    bin_folder = args.out / "hf-tiny-bert-bin"
    bin_folder.mkdir(parents=True, exist_ok=True)
    masked_lm.config.save_pretrained(bin_folder)
    torch.save(masked_lm.state_dict(), bin_folder / "pytorch_model.bin")

    for folder, model in ((masked_lm_folder, masked_lm), (bin_folder, masked_lm), (classifier_folder, classifier)):
        with torch.no_grad():
            logits = model(**inputs).logits.float().contiguous()
        save_file(inputs, folder / "inputs.safetensors")
        save_file({"logits": logits}, folder / "expected.safetensors")
        print(f"wrote {folder}: logits {tuple(logits.shape)}")


if __name__ == "__main__":
    main()
