using System.Text.Json.Nodes;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

/// <summary>Hand-made Hugging Face checkpoints with every tensor name written out, for a 2-layer tiny BERT.</summary>
internal static class HfCheckpoints
{
    public const int Vocab = 100, Hidden = 32, Inner = 64, Positions = 32, Layers = 2;

    /// <summary>The 16 tensors of one Hugging Face BertLayer.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Layer(int index)
    {
        var p = $"bert.encoder.layer.{index}.";
        return
        [
            (p + "attention.self.query.weight", [Hidden, Hidden]),
            (p + "attention.self.query.bias", [Hidden]),
            (p + "attention.self.key.weight", [Hidden, Hidden]),
            (p + "attention.self.key.bias", [Hidden]),
            (p + "attention.self.value.weight", [Hidden, Hidden]),
            (p + "attention.self.value.bias", [Hidden]),
            (p + "attention.output.dense.weight", [Hidden, Hidden]),
            (p + "attention.output.dense.bias", [Hidden]),
            (p + "attention.output.LayerNorm.weight", [Hidden]),
            (p + "attention.output.LayerNorm.bias", [Hidden]),
            (p + "intermediate.dense.weight", [Inner, Hidden]),
            (p + "intermediate.dense.bias", [Inner]),
            (p + "output.dense.weight", [Hidden, Inner]),
            (p + "output.dense.bias", [Hidden]),
            (p + "output.LayerNorm.weight", [Hidden]),
            (p + "output.LayerNorm.bias", [Hidden]),
        ];
    }

    /// <summary>Embedding parameters (without the <c>position_ids</c> buffer).</summary>
    public static readonly (string Name, long[] Shape)[] Embeddings =
    [
        ("bert.embeddings.word_embeddings.weight", [Vocab, Hidden]),
        ("bert.embeddings.position_embeddings.weight", [Positions, Hidden]),
        ("bert.embeddings.token_type_embeddings.weight", [2, Hidden]),
        ("bert.embeddings.LayerNorm.weight", [Hidden]),
        ("bert.embeddings.LayerNorm.bias", [Hidden]),
    ];

    public static readonly (string Name, long[] Shape)[] Pooler =
    [
        ("bert.pooler.dense.weight", [Hidden, Hidden]),
        ("bert.pooler.dense.bias", [Hidden]),
    ];

    /// <summary>The masked-LM head as <c>save_pretrained</c> stores it (tied decoder copies left out).</summary>
    public static readonly (string Name, long[] Shape)[] MlmHead =
    [
        ("cls.predictions.bias", [Vocab]),
        ("cls.predictions.transform.dense.weight", [Hidden, Hidden]),
        ("cls.predictions.transform.dense.bias", [Hidden]),
        ("cls.predictions.transform.LayerNorm.weight", [Hidden]),
        ("cls.predictions.transform.LayerNorm.bias", [Hidden]),
    ];

    public static readonly (string Name, long[] Shape)[] NextSentenceHead =
    [
        ("cls.seq_relationship.weight", [2, Hidden]),
        ("cls.seq_relationship.bias", [2]),
    ];

    /// <summary>Every tensor name Hugging Face <c>BertForMaskedLM.save_pretrained</c> writes for the tiny model.</summary>
    public static IEnumerable<(string Name, long[] Shape)> MaskedLm() =>
        Embeddings.Concat(Enumerable.Range(0, Layers).SelectMany(Layer)).Concat(MlmHead);

    public static BertConfig Config { get; } = new()
    {
        VocabSize = Vocab, HiddenSize = Hidden, NumLayers = Layers, NumHeads = 2, IntermediateSize = Inner, MaxPositions = Positions,
    };

    /// <summary>
    /// A full <c>BertForPreTraining</c> state dict as <c>torch.save</c> of old transformers versions stores it: random
    /// values for every parameter, the <c>position_ids</c> buffer and both tied decoder copies.
    /// </summary>
    public static Dictionary<string, Tensor> PreTrainingStateDict(long seed)
    {
        var generator = new Generator((ulong)seed);
        var tensors = MaskedLm().Concat(Pooler).Concat(NextSentenceHead)
            .ToDictionary(entry => entry.Name, entry => randn(entry.Shape, generator: generator), StringComparer.Ordinal);
        tensors["bert.embeddings.position_ids"] = arange(Positions, dtype: ScalarType.Int64).unsqueeze(0);
        tensors["cls.predictions.decoder.weight"] = tensors["bert.embeddings.word_embeddings.weight"].clone();
        tensors["cls.predictions.decoder.bias"] = tensors["cls.predictions.bias"].clone();
        return tensors;
    }

    /// <summary>A <c>config.json</c> as <c>transformers</c> writes it for the tiny model.</summary>
    public static JsonObject ConfigJson(string architecture) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["attention_probs_dropout_prob"] = 0.1,
        ["classifier_dropout"] = null,
        ["hidden_act"] = "gelu",
        ["hidden_dropout_prob"] = 0.1,
        ["hidden_size"] = Hidden,
        ["initializer_range"] = 0.02,
        ["intermediate_size"] = Inner,
        ["layer_norm_eps"] = 1e-12,
        ["max_position_embeddings"] = Positions,
        ["model_type"] = "bert",
        ["num_attention_heads"] = 2,
        ["num_hidden_layers"] = Layers,
        ["pad_token_id"] = 0,
        ["position_embedding_type"] = "absolute",
        ["torch_dtype"] = "float32",
        ["transformers_version"] = "4.44.2",
        ["type_vocab_size"] = 2,
        ["use_cache"] = true,
        ["vocab_size"] = Vocab,
    };

    /// <summary>Writes <paramref name="config"/> and <paramref name="tensors"/> as a safetensors checkpoint folder.</summary>
    public static string Write(string folder, JsonObject config, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        SafeTensorsFile.Write(Path.Combine(folder, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return folder;
    }

    /// <summary>True when both tensors have the same shape and the same values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
