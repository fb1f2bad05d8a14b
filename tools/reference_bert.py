#!/usr/bin/env python3
"""An independent reference for this library's BERT: Hugging Face BertForMaskedLM and BertForSequenceClassification
written out in plain Python (standard library only, float64), following transformers' modeling_bert.py (eager
attention, eval mode).

It draws random weights under transformers' tensor names, computes the logits of fixed inputs and writes two
checkpoint folders in the layout save_pretrained produces:

  Fixtures/reference-bert-mlm/  config.json, model.safetensors, inputs.safetensors, expected.safetensors ([2, 12, 256])
  Fixtures/reference-bert-cls/  the same for a three-label classifier ([2, 3])
  Fixtures/reference-moe-mlm/   a masked LM whose FFNs are Switch top-1 MoE layers of 4 experts, in this library's MoE
                                export layout (docs/huggingface-interop.md): output p_e(x)·expert_e(x), e = argmax p(x),
                                padding tokens not routed
  Fixtures/reference-moe-capacity/  the same MoE with capacity factor 1: each expert keeps its first ceil(real tokens / 4)
                                tokens in batch order, the overflow passes through the residual
  Fixtures/reference-adapter-cls/  a three-label classifier with Houlsby adapters (bottleneck 8) after both sublayers'
                                output projections, in this library's model-folder format (BertModelStore)
  Fixtures/reference-tcd/       the TCD relation losses of that MoE student against the reference-bert-mlm teacher on
                                the same inputs, with every real token sampled as one group: inputs.safetensors (with
                                relation_sample) and expected.safetensors (trunk, inner, attention and their terms,
                                and the student's load_balance)

HuggingFaceParityTests, AdapterReferenceTests and ReferenceRelationLossTests load them and must reproduce the logits
within 1e-4 (the losses within 1e-5). This is weaker evidence than logits computed by transformers itself
(tools/make_parity_fixture.py, which needs torch): it checks this library against the arithmetic below, which was
written from transformers' source, not run through it.

Usage (from the repository root):  python3 tools/reference_bert.py
"""
import argparse
import json
import math
import pathlib
import random
import struct

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "tests" / "Tcd.Models.Tests" / "Interop" / "Fixtures"
VOCAB, HIDDEN, HEADS, INNER, LAYERS, POSITIONS, EPS, EXPERTS = 256, 32, 2, 64, 2, 32, 1e-12, 4
LABELS = ["entailment", "neutral", "contradiction"]
CAPACITY_FACTOR = 1.0
ADAPTER = 8


def as_float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


class Weights:
    """Random float32-representable weights by transformers name; shapes are [out, in] as nn.Linear stores them."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.tensors = {}

    def draw(self, name, shape, mean=0.0, std=0.1):
        count = math.prod(shape)
        values = [as_float32(self.rng.gauss(mean, std)) for _ in range(count)]
        self.tensors[name] = (shape, values)
        return self.matrix(name) if len(shape) == 2 else values

    def matrix(self, name):
        (rows, columns), values = self.tensors[name]
        return [values[r * columns:(r + 1) * columns] for r in range(rows)]

    def stacked(self, name, shape, std=0.1):
        """A [count, ...] stack drawn as one tensor; returns one matrix (or vector) per entry."""
        values = self.draw(name, shape, std=std)
        flat = [v for row in values for v in row] if len(shape) == 2 else values
        size = math.prod(shape[1:])
        entries = [flat[k * size:(k + 1) * size] for k in range(shape[0])]
        return entries if len(shape) == 2 else [[entry[r * shape[2]:(r + 1) * shape[2]] for r in range(shape[1])] for entry in entries]

    def linear(self, prefix, out_features, in_features, std=0.1):
        return self.draw(prefix + ".weight", [out_features, in_features], std=std), self.draw(prefix + ".bias", [out_features])

    def layer_norm(self, prefix):
        return self.draw(prefix + ".weight", [HIDDEN], mean=1.0), self.draw(prefix + ".bias", [HIDDEN])


def linear(x, weight_bias):
    weight, bias = weight_bias
    return [sum(w * v for w, v in zip(row, x)) + b for row, b in zip(weight, bias)]


def layer_norm(x, weight_bias):
    weight, bias = weight_bias
    mean = sum(x) / len(x)
    variance = sum((v - mean) ** 2 for v in x) / len(x)
    scale = 1.0 / math.sqrt(variance + EPS)
    return [(v - mean) * scale * w + b for v, w, b in zip(x, weight, bias)]


def gelu(x):
    return [0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x]


def softmax(x):
    top = max(x)
    exps = [math.exp(v - top) for v in x]
    total = sum(exps)
    return [e / total for e in exps]


def add(a, b):
    return [u + v for u, v in zip(a, b)]


def build_encoder(weights: Weights, experts: int = 0, adapter: int = 0):
    p = "bert."
    encoder = {
        "word": weights.draw(p + "embeddings.word_embeddings.weight", [VOCAB, HIDDEN], std=0.5),
        "position": weights.draw(p + "embeddings.position_embeddings.weight", [POSITIONS, HIDDEN], std=0.5),
        "type": weights.draw(p + "embeddings.token_type_embeddings.weight", [2, HIDDEN], std=0.5),
        "embedding_norm": weights.layer_norm(p + "embeddings.LayerNorm"),
        "layers": [],
    }
    for index in range(LAYERS):
        q = f"{p}encoder.layer.{index}."
        encoder["layers"].append({
            "query": weights.linear(q + "attention.self.query", HIDDEN, HIDDEN),
            "key": weights.linear(q + "attention.self.key", HIDDEN, HIDDEN),
            "value": weights.linear(q + "attention.self.value", HIDDEN, HIDDEN),
            "attention_output": weights.linear(q + "attention.output.dense", HIDDEN, HIDDEN),
            "attention_norm": weights.layer_norm(q + "attention.output.LayerNorm"),
            **(switch_moe(weights, q + "moe.", experts) if experts else {
                "intermediate": weights.linear(q + "intermediate.dense", INNER, HIDDEN),
                "output": weights.linear(q + "output.dense", HIDDEN, INNER),
            }),
            "output_norm": weights.layer_norm(q + "output.LayerNorm"),
            **({
                "attention_adapter": houlsby_adapter(weights, q + "attention.output.adapter.", adapter),
                "output_adapter": houlsby_adapter(weights, q + "output.adapter.", adapter),
            } if adapter else {}),
        })
    return encoder


def houlsby_adapter(weights: Weights, prefix, size):
    # Wider than the initialisation of a fresh adapter, so that a misplaced adapter changes the logits clearly.
    return weights.linear(prefix + "down", size, HIDDEN, std=0.3), weights.linear(prefix + "up", HIDDEN, size, std=0.3)


def adapted(layer, name, x):
    """Houlsby et al.: a bottleneck with its own skip, x + up(GELU(down(x))), on a sublayer output before the residual add."""
    if name not in layer:
        return x
    down, up = layer[name]
    return add(x, linear(gelu(linear(x, down)), up))


def switch_moe(weights: Weights, prefix, experts):
    # Router weights wider than the rest keep every token's top choice clear of the runner-up (checked in feed_forward).
    router = weights.linear(prefix + "router", experts, HIDDEN, std=1.0)
    w1 = weights.stacked(prefix + "experts.intermediate_weight", [experts, INNER, HIDDEN])
    b1 = weights.stacked(prefix + "experts.intermediate_bias", [experts, INNER])
    w2 = weights.stacked(prefix + "experts.output_weight", [experts, HIDDEN, INNER])
    b2 = weights.stacked(prefix + "experts.output_bias", [experts, HIDDEN])
    return {"router": router, "experts": [((w1[e], b1[e]), (w2[e], b2[e])) for e in range(experts)]}


def route(layer, x):
    """Switch top-1 routing of a real token: its router probabilities, the chosen expert e = argmax and its gate p_e."""
    probabilities = softmax(linear(x, layer["router"]))
    ranked = sorted(probabilities, reverse=True)
    if ranked[0] - ranked[1] < 1e-3:
        raise ValueError("two experts are nearly tied for a token; float32 routing could choose either: change --seed")
    return probabilities, probabilities.index(ranked[0]), ranked[0]


def feed_forward(layer, rows, masks, capacity_factor, routed):
    """
    The FFN sublayer of every position of the batch (rows[b][t]), before the residual add: the dense FFN, or the
    Switch MoE p_e · expert_e(x). In the MoE, padding gives 0 and is not routed; with a capacity factor each expert
    keeps its first ceil(factor · real tokens / experts) tokens in batch order (b, then t) and the rest give 0.
    The router probabilities of the real tokens are appended to routed.
    """
    if "router" not in layer:
        return [[linear(gelu(linear(x, layer["intermediate"])), layer["output"]) for x in row] for row in rows]
    outputs = [[[0.0] * HIDDEN for _ in row] for row in rows]
    real = [(b, t) for b, mask in enumerate(masks) for t, m in enumerate(mask) if m]
    capacity = math.inf if capacity_factor is None else math.ceil(capacity_factor * len(real) / len(layer["experts"]))
    kept = [0] * len(layer["experts"])
    for b, t in real:
        probabilities, chosen, gate = route(layer, rows[b][t])
        routed.append(probabilities)
        kept[chosen] += 1
        if kept[chosen] <= capacity:
            intermediate, output = layer["experts"][chosen]
            outputs[b][t] = [gate * v for v in linear(gelu(linear(rows[b][t], intermediate)), output)]
    return outputs


def attention(layer, hidden, mask):
    """One sequence's self-attention context (before the output projection), its queries and its keys."""
    head_size = HIDDEN // HEADS
    # transformers adds (1 - mask) * finfo(float32).min to the scores of padding keys, for every query.
    mask_bias = [0.0 if m else -3.4028234663852886e38 for m in mask]
    queries = [linear(h, layer["query"]) for h in hidden]
    keys = [linear(h, layer["key"]) for h in hidden]
    values = [linear(h, layer["value"]) for h in hidden]
    context = [[0.0] * HIDDEN for _ in hidden]
    for head in range(HEADS):
        span = slice(head * head_size, (head + 1) * head_size)
        for t, query in enumerate(queries):
            scores = [
                sum(a * b for a, b in zip(query[span], key[span])) / math.sqrt(head_size) + bias
                for key, bias in zip(keys, mask_bias)
            ]
            probabilities = softmax(scores)
            for j in range(span.start, span.stop):
                context[t][j] = sum(p * value[j] for p, value in zip(probabilities, values))
    return context, queries, keys


def encode(encoder, inputs, capacity_factor=None, taps=None):
    """
    BertModel's last hidden states of a batch: per sequence a list of HIDDEN-vectors, one per position. With a taps
    list, also records per sequence (one dict each) and layer the trunk states (each LayerNorm output), the inner states
    (each sublayer output before the residual add), the queries and keys, and per layer the router probabilities of
    the batch's real tokens.
    """
    hidden = [
        [
            layer_norm(add(add(encoder["word"][i], encoder["position"][t]), encoder["type"][s]), encoder["embedding_norm"])
            for t, (i, s) in enumerate(zip(ids, types))
        ]
        for ids, types, _ in inputs
    ]
    masks = [mask for _, _, mask in inputs]
    if taps is not None:
        taps.extend({"trunk": [], "inner": [], "queries": [], "keys": []} for _ in inputs)
    router = []
    for layer in encoder["layers"]:
        attended, attention_inner = [], []
        for b, mask in enumerate(masks):
            context, queries, keys = attention(layer, hidden[b], mask)
            attention_inner.append([adapted(layer, "attention_adapter", linear(c, layer["attention_output"])) for c in context])
            attended.append([layer_norm(add(inner, h), layer["attention_norm"]) for inner, h in zip(attention_inner[b], hidden[b])])
            if taps is not None:
                taps[b]["queries"].append(queries)
                taps[b]["keys"].append(keys)
        routed = []
        ffn_inner = [[adapted(layer, "output_adapter", x) for x in row] for row in feed_forward(layer, attended, masks, capacity_factor, routed)]
        router.append(routed)
        hidden = [
            [layer_norm(add(inner, a), layer["output_norm"]) for inner, a in zip(ffn_inner[b], attended[b])]
            for b in range(len(inputs))
        ]
        if taps is not None:
            for b in range(len(inputs)):
                taps[b]["trunk"].extend([attended[b], hidden[b]])
                taps[b]["inner"].extend([attention_inner[b], ffn_inner[b]])
    return hidden, router


def masked_lm_logits(weights: Weights, encoder, inputs, capacity_factor=None):
    transform = weights.linear("cls.predictions.transform.dense", HIDDEN, HIDDEN)
    transform_norm = weights.layer_norm("cls.predictions.transform.LayerNorm")
    decoder_bias = weights.draw("cls.predictions.bias", [VOCAB])
    # The decoder weight is the word-embedding matrix (tied), so save_pretrained does not store it again.
    decoder = (encoder["word"], decoder_bias)
    hidden, _ = encode(encoder, inputs, capacity_factor)
    return [[linear(layer_norm(gelu(linear(h, transform)), transform_norm), decoder) for h in row] for row in hidden]


def classifier_logits(weights: Weights, encoder, inputs):
    # Wider weights than the encoder's give logits of order 1, so that a small error in the encoder shows.
    pooler = weights.linear("bert.pooler.dense", HIDDEN, HIDDEN, std=0.3)
    classifier = weights.linear("classifier", len(LABELS), HIDDEN, std=1.0)
    hidden, _ = encode(encoder, inputs)
    return [linear([math.tanh(v) for v in linear(row[0], pooler)], classifier) for row in hidden]


def cosine_matrix(rows, columns):
    def unit(vector):
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector]
    rows, columns = [unit(r) for r in rows], [unit(c) for c in columns]
    return [[sum(a * b for a, b in zip(r, c)) for c in columns] for r in rows]


def mse(first, second):
    squares = [(a - b) ** 2 for row_a, row_b in zip(first, second) for a, b in zip(row_a, row_b)]
    return sum(squares) / len(squares)


def relation_losses(student, teacher, inputs):
    """
    L_T and L_I with one group of every real token (flat index b·T + t, in order); L_A: per layer the mean over heads
    and sequences of the MSE between the query-key cosine matrices of each sequence's real tokens; and the student's
    load-balance loss L_B.
    """
    student_taps, teacher_taps = [], []
    _, router = encode(student, inputs, taps=student_taps)
    encode(teacher, inputs, taps=teacher_taps)
    length = len(inputs[0][0])
    sample = [(b, t) for b, (_, _, mask) in enumerate(inputs) for t, real in enumerate(mask) if real]

    def relation_terms(kind):
        terms = []
        for position in range(2 * LAYERS):
            def sampled(taps):
                return [taps[b][kind][position][t] for b, t in sample]
            student_vectors, teacher_vectors = sampled(student_taps), sampled(teacher_taps)
            terms.append(mse(cosine_matrix(student_vectors, student_vectors), cosine_matrix(teacher_vectors, teacher_vectors)))
        return terms

    head_size = HIDDEN // HEADS
    attention_terms = []
    for layer in range(LAYERS):
        per_head_and_sequence = []
        for head in range(HEADS):
            span = slice(head * head_size, (head + 1) * head_size)
            for b, (_, _, mask) in enumerate(inputs):
                real = [t for t, m in enumerate(mask) if m]
                def relations(taps):
                    queries = [taps[b]["queries"][layer][t][span] for t in real]
                    keys = [taps[b]["keys"][layer][t][span] for t in real]
                    return cosine_matrix(queries, keys)
                per_head_and_sequence.append(mse(relations(student_taps), relations(teacher_taps)))
        attention_terms.append(sum(per_head_and_sequence) / len(per_head_and_sequence))
    # L_B = KL(u || q) with q the mean router probability over the batch's real tokens, averaged over MoE layers.
    load_balance_terms = []
    for layer in range(LAYERS):
        q = [sum(p[e] for p in router[layer]) / len(router[layer]) for e in range(EXPERTS)]
        load_balance_terms.append(sum((1.0 / EXPERTS) * (math.log(1.0 / EXPERTS) - math.log(q_e)) for q_e in q))
    trunk, inner = relation_terms("trunk"), relation_terms("inner")
    return [b * length + t for b, t in sample], {
        "load_balance": [sum(load_balance_terms) / LAYERS],
        "trunk": [sum(trunk)], "inner": [sum(inner)], "attention": [sum(attention_terms)],
        "trunk_terms": trunk, "inner_terms": inner, "attention_terms": attention_terms,
    }


def build_inputs(seed: int):
    """Two rows of 12 tokens: a [CLS] a [SEP] b [SEP] pair, and a single segment padded after 7 tokens."""
    rng = random.Random(seed)
    length, real_second = 12, 7
    rows = []
    for row in range(2):
        ids = [rng.randrange(104, VOCAB) for _ in range(length)]
        ids[0] = 101
        types, mask = [0] * length, [1] * length
        if row == 0:
            ids[length // 2] = ids[-1] = 102
            types[length // 2 + 1:] = [1] * (length - length // 2 - 1)
        else:
            ids[real_second - 1] = 102
            ids[real_second:] = [0] * (length - real_second)
            mask[real_second:] = [0] * (length - real_second)
        rows.append((ids, types, mask))
    return rows


def flatten(values):
    return [v for item in values for v in flatten(item)] if isinstance(values, list) else [values]


def shape_of(values):
    return [len(values)] + shape_of(values[0]) if isinstance(values, list) else []


def write_safetensors(path: pathlib.Path, tensors: dict, dtype: str):
    """tensors: name -> (shape, flat values); dtype F32 or I64 for all of them."""
    code, size = {"F32": ("<f", 4), "I64": ("<q", 8)}[dtype]
    header, offset, payload = {"__metadata__": {"format": "pt"}}, 0, bytearray()
    for name, (shape, values) in tensors.items():
        data = struct.pack(f"{code[0]}{len(values)}{code[1]}", *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        payload += data
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + bytes(payload))


def write_inputs(folder: pathlib.Path, inputs, extra=None):
    columns = {name: [row[index] for row in inputs] for index, name in enumerate(("input_ids", "token_type_ids", "attention_mask"))}
    tensors = {name: (shape_of(rows), flatten(rows)) for name, rows in columns.items()}
    write_safetensors(folder / "inputs.safetensors", {**tensors, **(extra or {})}, "I64")


def write_fixture(folder: pathlib.Path, architecture: str, weights: Weights, inputs, logits, extra_config: dict):
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": [architecture], "model_type": "bert", "vocab_size": VOCAB, "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INNER,
        "max_position_embeddings": POSITIONS, "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": EPS,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "pad_token_id": 0,
        "position_embedding_type": "absolute", "torch_dtype": "float32", **extra_config,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_safetensors(folder / "model.safetensors", weights.tensors, "F32")
    write_inputs(folder, inputs)
    write_safetensors(folder / "expected.safetensors", {"logits": (shape_of(logits), [as_float32(v) for v in flatten(logits)])}, "F32")
    print(f"wrote {folder}: logits {shape_of(logits)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="fixtures folder (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    inputs = build_inputs(args.seed)

    weights = Weights(args.seed + 1)
    encoder = build_encoder(weights)
    logits = masked_lm_logits(weights, encoder, inputs)
    write_fixture(args.out / "reference-bert-mlm", "BertForMaskedLM", weights, inputs, logits, {})
    teacher = encoder

    weights = Weights(args.seed + 2)
    logits = classifier_logits(weights, build_encoder(weights), inputs)
    labels = {"id2label": dict(enumerate(LABELS)), "label2id": {label: index for index, label in enumerate(LABELS)}}
    write_fixture(args.out / "reference-bert-cls", "BertForSequenceClassification", weights, inputs, logits, labels)

    weights = Weights(args.seed + 3)
    student = build_encoder(weights, EXPERTS)
    logits = masked_lm_logits(weights, student, inputs)
    moe = {"model_type": "tcd-moe-bert", "num_experts": EXPERTS, "capacity_factor": None, "moe_router": "switch_top1", "moe_layout": "stacked_experts"}
    write_fixture(args.out / "reference-moe-mlm", "TcdMoeBertForMaskedLM", weights, inputs, logits, moe)

    # The same MoE with capacity factor 1: ceil(19 real tokens / 4 experts) = 5 tokens per expert and layer.
    weights = Weights(args.seed + 3)
    capped = build_encoder(weights, EXPERTS)
    logits = masked_lm_logits(weights, capped, inputs, CAPACITY_FACTOR)
    _, router = encode(capped, inputs, CAPACITY_FACTOR)
    capacity = math.ceil(CAPACITY_FACTOR * len(router[0]) / EXPERTS)
    dropped = [sum(max(0, [p.index(max(p)) for p in layer].count(e) - capacity) for e in range(EXPERTS)) for layer in router]
    if min(dropped) == 0:
        raise ValueError("the capacity factor drops no token in some layer, so the fixture would not test dropping: change --seed")
    write_fixture(args.out / "reference-moe-capacity", "TcdMoeBertForMaskedLM", weights, inputs, logits, {**moe, "capacity_factor": CAPACITY_FACTOR})
    print(f"  capacity {capacity} tokens per expert; tokens dropped per layer: {dropped}")

    # A classifier with Houlsby adapters of bottleneck 8, in this library's own model-folder format (BertModelStore):
    # Hugging Face BERT has no place for adapters.
    weights = Weights(args.seed + 4)
    logits = classifier_logits(weights, build_encoder(weights, adapter=ADAPTER), inputs)
    write_fixture(args.out / "reference-adapter-cls", "BertForSequenceClassification", weights, inputs, logits, {**labels, "adapter_size": ADAPTER})

    sample, losses = relation_losses(student, teacher, inputs)
    folder = args.out / "reference-tcd"
    folder.mkdir(parents=True, exist_ok=True)
    write_inputs(folder, inputs, {"relation_sample": ([1, len(sample)], sample)})
    write_safetensors(folder / "expected.safetensors", {name: ([len(v)], [as_float32(x) for x in v]) for name, v in losses.items()}, "F32")
    print(f"wrote {folder}: " + ", ".join(f"{name} {values[0]:.6g}" for name, values in losses.items() if len(values) == 1))


if __name__ == "__main__":
    main()
