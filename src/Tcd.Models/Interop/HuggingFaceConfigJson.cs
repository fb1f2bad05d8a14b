using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>A parsed Hugging Face <c>config.json</c>.</summary>
/// <param name="Config">The model shape.</param>
/// <param name="ArchitectureName">The first entry of <c>architectures</c>, or null when absent.</param>
/// <param name="LabelNames">Class names by id from <c>id2label</c>, or null when absent.</param>
/// <param name="ProblemType">The <c>problem_type</c> of a classifier (e.g. <c>single_label_classification</c>), or null when absent.</param>
internal sealed record HuggingFaceConfigFile(BertConfig Config, string? ArchitectureName, IReadOnlyList<string>? LabelNames, string? ProblemType);

/// <summary>
/// Translates between <see cref="BertConfig"/> and Hugging Face <c>config.json</c>: checks that a file describes a
/// model this library computes identically (BERT, exact GELU, absolute positions) and adds the fields
/// <c>transformers</c> needs (<c>architectures</c>, <c>model_type</c>, <c>id2label</c>, ...).
/// </summary>
internal static class HuggingFaceConfigJson
{
    /// <summary>The <c>problem_type</c> of a multi-label classifier, whose labels transformers scores each with a sigmoid.</summary>
    public const string MultiLabelProblemType = "multi_label_classification";

    private const string NumExperts = "num_experts";
    private const string ExpertCount = "expert_count";

    /// <summary>Reads and checks <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file and field.</summary>
    public static HuggingFaceConfigFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The checkpoint folder has no config.json ('{path}'); a Hugging Face model folder holds config.json next to model.safetensors or pytorch_model.bin.",
                path);
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new InvalidDataException($"'{path}' is not a JSON object; expected a Hugging Face config.json.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {UserMessages.JsonProblem(ex)}", ex);
        }

        var modelType = Text(json, "model_type", path);
        var moe = modelType == HuggingFaceCheckpoint.MoeModelType;
        if (modelType is not null and not HuggingFaceCheckpoint.BertModelType && !moe)
        {
            throw new InvalidDataException(
                $"'{path}' describes a model_type \"{modelType}\" model; only BERT checkpoints (model_type \"{HuggingFaceCheckpoint.BertModelType}\") " +
                $"and this library's MoE exports (\"{HuggingFaceCheckpoint.MoeModelType}\") can be imported. Architectures such as RoBERTa, " +
                "DistilBERT or ALBERT name and compute their layers differently; convert the weights to a BERT checkpoint first.");
        }

        // gelu_python is transformers' own implementation of the same exact GELU.
        RequireValue(json, "hidden_act", ["gelu", "gelu_python"], path, "this library's BERT uses the exact (erf) GELU");
        RequireValue(json, "position_embedding_type", ["absolute"], path, "this library's BERT uses learned absolute position embeddings");
        if (json["is_decoder"] is JsonValue decoder && decoder.TryGetValue<bool>(out var isDecoder) && isDecoder)
        {
            throw new InvalidDataException(
                $"'{path}' sets \"is_decoder\": true, so transformers lets each token attend only to the tokens before it (a causal mask), " +
                "while this library's BERT attends in both directions; such a checkpoint cannot be imported.");
        }

        if (json[NumExperts] is { } experts)
        {
            json[ExpertCount] = experts.DeepClone();
        }

        BertConfig config;
        try
        {
            config = BertConfig.FromJson(json.ToJsonString());
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {UserMessages.JsonValueProblem(ex)}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {UserMessages.Readable(ex)}", ex);
        }

        if (moe && !config.IsMoe)
        {
            throw new InvalidDataException($"'{path}' has model_type \"{HuggingFaceCheckpoint.MoeModelType}\" but no positive \"{NumExperts}\"; add the number of experts per layer.");
        }

        var architectures = json["architectures"] as JsonArray;
        var architecture = architectures is { Count: > 0 } ? architectures[0]?.GetValue<string>() : null;
        return new HuggingFaceConfigFile(config, architecture, LabelNames(json, path), Text(json, "problem_type", path));
    }

    /// <summary>Writes the Hugging Face <c>config.json</c> text for a model of class <paramref name="architecture"/>.</summary>
    public static string Write(BertConfig config, HuggingFaceArchitecture architecture, ScalarType dtype, IReadOnlyList<string>? labelNames)
    {
        var json = JsonNode.Parse(config.Validate().ToJson())!.AsObject();
        json.Remove(ExpertCount);
        json.Remove("adapter_size");
        json["architectures"] = new JsonArray(ArchitectureName(architecture, config.IsMoe));
        json["model_type"] = config.IsMoe ? HuggingFaceCheckpoint.MoeModelType : HuggingFaceCheckpoint.BertModelType;
        json["hidden_act"] = "gelu";
        json["position_embedding_type"] = "absolute";
        json["torch_dtype"] = dtype switch
        {
            ScalarType.Float16 => "float16",
            ScalarType.BFloat16 => "bfloat16",
            _ => "float32",
        };
        if (config.IsMoe)
        {
            json[NumExperts] = config.ExpertCount;
            json["moe_router"] = "switch_top1";
            json["moe_layout"] = "stacked_experts";
        }
        else
        {
            json.Remove("capacity_factor");
        }

        if (labelNames is not null)
        {
            json["id2label"] = new JsonObject(labelNames.Select((name, id) =>
                KeyValuePair.Create(id.ToString(CultureInfo.InvariantCulture), (JsonNode?)JsonValue.Create(name))));
            json["label2id"] = new JsonObject(labelNames.Select((name, id) => KeyValuePair.Create(name, (JsonNode?)JsonValue.Create(id))));
            json["problem_type"] = labelNames.Count == 1 ? "regression" : "single_label_classification";
        }

        return json.ToJsonString(TcdJson.Indented);
    }

    /// <summary>
    /// The class name written to <c>architectures</c>: the Hugging Face name for vanilla BERT and, for MoE models
    /// (which <c>transformers</c> cannot run), the same name prefixed with <c>TcdMoe</c>.
    /// </summary>
    public static string ArchitectureName(HuggingFaceArchitecture architecture, bool moe) =>
        (moe ? HuggingFaceCheckpoint.MoeArchitecturePrefix : string.Empty) + architecture;

    /// <summary>Parses an <c>architectures</c> entry; null when it names a class this library cannot build.</summary>
    public static HuggingFaceArchitecture? ParseArchitecture(string name)
    {
        var bare = name.StartsWith(HuggingFaceCheckpoint.MoeArchitecturePrefix, StringComparison.Ordinal)
            ? name[HuggingFaceCheckpoint.MoeArchitecturePrefix.Length..]
            : name;
        return Enum.GetNames<HuggingFaceArchitecture>().Contains(bare, StringComparer.Ordinal)
            ? Enum.Parse<HuggingFaceArchitecture>(bare)
            : null;
    }

    private static string? Text(JsonObject json, string name, string path)
    {
        var node = json[name];
        if (node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new InvalidDataException($"'{path}' has a non-string \"{name}\"; expected text such as \"bert\".");
    }

    private static void RequireValue(JsonObject json, string name, IReadOnlyList<string> accepted, string path, string reason)
    {
        var actual = Text(json, name, path);
        if (actual is not null && !accepted.Contains(actual))
        {
            var expected = string.Join(" or ", accepted.Select(value => $"\"{value}\""));
            throw new InvalidDataException($"'{path}' sets \"{name}\": \"{actual}\", but {reason} (\"{name}\": {expected}); such a checkpoint cannot be imported.");
        }
    }

    private static List<string>? LabelNames(JsonObject json, string path)
    {
        if (json["id2label"] is not JsonObject id2label)
        {
            return null;
        }

        var byId = new SortedDictionary<int, string>();
        foreach (var (key, value) in id2label)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || value is not JsonValue name || !name.TryGetValue<string>(out var text))
            {
                throw new InvalidDataException($"'{path}' has an id2label entry \"{key}\" that is not \"<integer id>\": \"<label name>\".");
            }

            byId[id] = text;
        }

        if (byId.Keys.Select((id, index) => id == index).Any(consecutive => !consecutive))
        {
            throw new InvalidDataException($"'{path}' has id2label ids {string.Join(", ", byId.Keys)}; they must be 0, 1, ... without gaps.");
        }

        return byId.Values.ToList();
    }
}
