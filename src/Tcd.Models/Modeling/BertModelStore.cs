using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Saves and loads models as one folder holding <c>config.json</c> (<see cref="BertConfig"/>) and
/// <c>model.safetensors</c> (the state dict under Hugging Face key names). Save then load is bit-identical (a model computing in bfloat16 loads as fp32 holding the same values).
/// </summary>
public static class BertModelStore
{
    /// <summary>Name of the configuration file inside a model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Name of the weights file inside a model folder.</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string ClassifierWeightName = "classifier.weight";
    private const string MaskedLmHeadPrefix = "cls.predictions.";
    private const string EncoderPrefix = "bert.";

    /// <summary>The subfolder in which a run folder (of <c>tcd</c>, the quickstart) keeps its final model.</summary>
    public const string RunModelFolderName = "model";

    /// <summary>
    /// Writes <paramref name="config"/> and every tensor of <paramref name="module"/>'s state dict into <paramref name="folder"/>
    /// (created if needed). Floating-point weights are written in fp32 whatever format the module computes in (a model
    /// converted to bfloat16 for inference saves as fp32, its values those bfloat16 weights), so a model folder is always
    /// fp32, the format models train in; the module itself is not changed.
    /// </summary>
    public static void Save(nn.Module module, BertConfig config, string folder)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        OutputFolders.Create(folder, "model folder");
        File.WriteAllText(Path.Combine(folder, ConfigFileName), config.Validate().ToJson());
        using var scope = NewDisposeScope();
        var fp32 = module.state_dict().ToDictionary(
            entry => entry.Key,
            entry => entry.Value.is_floating_point() && entry.Value.dtype != ScalarType.Float32 ? entry.Value.to(ScalarType.Float32) : entry.Value);
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFileName), fp32);
    }

    /// <summary>Reads and validates <c>config.json</c> of a model folder.</summary>
    /// <exception cref="InvalidDataException">The configuration is invalid, or the folder is a Hugging Face checkpoint (import it with <c>HuggingFaceCheckpoint</c>).</exception>
    public static BertConfig LoadConfig(string folder)
    {
        var path = Path.Combine(RequireFolder(folder), ConfigFileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model folder '{folder}' has no {ConfigFileName}; save the model with BertModelStore.Save.", path);
        }

        var json = File.ReadAllText(path);
        if (HuggingFaceCheckpoint.IsCheckpointConfig(json))
        {
            // Its config.json parses as ours but means other things (hidden_act, a MoE export's layout), and its weights need renaming.
            throw new InvalidDataException(
                $"'{folder}' holds a Hugging Face checkpoint (its {ConfigFileName} has Hugging Face's keys, such as model_type, architectures or hidden_act), not a model folder of this library. " +
                $"Import it first: tcd import-hf --from {folder} --out <folder>, or HuggingFaceCheckpoint.Load (mlContext.Tcd().LoadPretrained reads it directly).");
        }

        try
        {
            return BertConfig.FromJson(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {UserMessages.JsonProblem(ex)}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid BERT configuration: {UserMessages.Readable(ex)}", ex);
        }
    }

    /// <summary>
    /// A fingerprint of the model saved in <paramref name="folder"/>: the SHA-256 (hex) of its configuration (as parsed,
    /// so a reformatted config.json keeps it), its weights file and its own tokenizer files, if it has any (the same
    /// weights read through another vocabulary are another model). Equal for the same model wherever it is copied;
    /// different once it is trained further or replaced, which is how stored results computed from a model (e.g. GLUE
    /// cells) notice that they are stale.
    /// </summary>
    /// <param name="folder">A model folder.</param>
    /// <param name="cancellationToken">Checked between reads of at most 1 MiB: a weights file can be gigabytes.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static string Fingerprint(string folder, CancellationToken cancellationToken = default)
    {
        using var hash = new ContentHash();
        hash.Append(System.Text.Encoding.UTF8.GetBytes(LoadConfig(folder).ToJson()));
        // Absent tokenizer files add nothing, so the fingerprint of a model of the embedded vocabulary is what it always was.
        foreach (var path in BertTextEncoder.TokenizerFileNames.Select(name => Path.Combine(folder, name)).Where(File.Exists).Prepend(WeightsPath(folder)))
        {
            hash.AppendFile(path, cancellationToken);
        }

        return hash.ToHex();
    }

    /// <summary>
    /// The folder holding the saved model of <paramref name="path"/>: the path itself when it holds a model
    /// (<see cref="ConfigFileName"/>), else its run's <see cref="RunModelFolderName"/> folder when that does; null when neither does.
    /// </summary>
    /// <param name="path">A model folder or a run folder.</param>
    public static string? FindModelFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(Path.Combine(path, ConfigFileName)))
        {
            return path;
        }

        var nested = Path.Combine(path, RunModelFolderName);
        return File.Exists(Path.Combine(nested, ConfigFileName)) ? nested : null;
    }

    /// <summary>Loads a <see cref="BertForMaskedLm"/> from <paramref name="folder"/> onto <paramref name="device"/> (default: CPU).</summary>
    public static BertForMaskedLm LoadMaskedLm(string folder, Device? device = null)
    {
        var config = LoadConfig(folder);
        RequireContents(folder, SavedModelKind.MaskedLanguageModel);
        var model = new BertForMaskedLm(config);
        return LoadedOn(model, folder, device);
    }

    /// <summary>
    /// Loads a <see cref="BertForSequenceClassification"/> from <paramref name="folder"/> onto <paramref name="device"/>;
    /// the number of labels is read from the shape of <c>classifier.weight</c>.
    /// </summary>
    public static BertForSequenceClassification LoadSequenceClassification(string folder, Device? device = null)
    {
        var config = LoadConfig(folder);
        var classifier = RequireContents(folder, SavedModelKind.SequenceClassifier).Single(entry => entry.Name == ClassifierWeightName);
        var model = new BertForSequenceClassification(config, (int)classifier.Shape[0]);
        return LoadedOn(model, folder, device);
    }

    /// <summary>Loads a bare <see cref="BertModel"/> (with a pooler when the file has one) from <paramref name="folder"/>.</summary>
    public static BertModel LoadBertModel(string folder, Device? device = null)
    {
        var config = LoadConfig(folder);
        var hasPooler = RequireContents(folder, SavedModelKind.Encoder).Any(entry => entry.Name == "pooler.dense.weight");
        var model = new BertModel(config, hasPooler);
        return LoadedOn(model, folder, device);
    }

    /// <summary>
    /// Copies the tensors of the folder's <c>model.safetensors</c> into <paramref name="module"/>, which must have
    /// exactly the same names and shapes; otherwise throws <see cref="StateDictMismatchException"/> listing every difference.
    /// Values are cast to each parameter's dtype and device.
    /// </summary>
    public static void LoadWeights(nn.Module module, string folder)
    {
        ArgumentNullException.ThrowIfNull(module);
        var path = WeightsPath(folder);
        var stored = SafeTensorsFile.Read(path);
        try
        {
            LoadStateDict(module, stored, path);
        }
        finally
        {
            foreach (var tensor in stored.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into <paramref name="module"/>'s state dict by key. The names and shapes must
    /// match exactly (drop or rename keys first, e.g. Hugging Face's tied <c>cls.predictions.decoder.*</c>); otherwise
    /// throws <see cref="StateDictMismatchException"/> naming <paramref name="source"/> and listing every difference.
    /// Values are cast to each target's dtype and device; nothing is copied when anything mismatches.
    /// </summary>
    public static void LoadStateDict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        RequireMatchingStateDict(module, tensors, source);
        using (no_grad())
        {
            foreach (var (name, target) in module.state_dict())
            {
                target.copy_(tensors[name]);
            }
        }
    }

    /// <summary>
    /// Throws <see cref="StateDictMismatchException"/> naming <paramref name="source"/> and listing every difference
    /// unless <paramref name="tensors"/> has exactly <paramref name="module"/>'s state-dict names and shapes.
    /// </summary>
    public static void RequireMatchingStateDict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        var targets = module.state_dict();
        var missing = targets.Keys.Where(name => !tensors.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        var unexpected = tensors.Keys.Where(name => !targets.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        var shapes = targets
            .Where(target => tensors.TryGetValue(target.Key, out var value) && !value.shape.SequenceEqual(target.Value.shape))
            .Select(target => $"{target.Key}: file [{string.Join(", ", tensors[target.Key].shape)}] vs model [{string.Join(", ", target.Value.shape)}]")
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
        {
            throw new StateDictMismatchException(source, missing, unexpected, shapes);
        }
    }

    /// <summary>
    /// Refuses a folder that holds another kind of model than the caller needs, before the state-dict comparison would
    /// list a hundred mismatched names: a fine-tuned classifier where a pre-trained model is expected is a common slip.
    /// </summary>
    /// <returns>The weights file's header, for the loader's own look at it.</returns>
    private static IReadOnlyList<SafeTensorInfo> RequireContents(string folder, SavedModelKind needed)
    {
        var header = SafeTensorsFile.ReadHeader(WeightsPath(folder));
        if (KindOfHeader(header) is not { } found)
        {
            throw new InvalidDataException(
                $"The model folder '{folder}' holds BERT weights under '{EncoderPrefix}' without a masked-LM or classifier head, so it is no saved model of this library; {Describe(needed)} is needed here.");
        }

        if (found != needed)
        {
            var remedy = (needed, found) switch
            {
                (SavedModelKind.SequenceClassifier, _) => "Fine-tune it first (tcd finetune, or mlContext.Tcd().TextClassifier / SentencePairClassifier).",
                // Usually a plain 'tcd import-hf' of a Hugging Face BertModel: the way on is a second import, not another folder.
                (SavedModelKind.MaskedLanguageModel, SavedModelKind.Encoder) =>
                    "To go on from an encoder, import its Hugging Face checkpoint again with 'tcd import-hf --encoder-only' (in code HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead), which gives it a new masked-LM head.",
                (SavedModelKind.MaskedLanguageModel, _) => "Pass the folder of a pre-trained model instead, e.g. the model/ folder of a pre-training run (such as the one a classifier was fine-tuned from).",
                _ => "Load it with the loader of its kind (LoadMaskedLm or LoadSequenceClassification); its Bert property is the encoder.",
            };
            throw new InvalidDataException($"The model folder '{folder}' holds {Describe(found)}, but {Describe(needed)} is needed here. {remedy}");
        }

        return header;
    }

    /// <summary>
    /// What the folder's weights hold, told by their head's tensor names: a classifier (<c>classifier.weight</c>), a
    /// masked LM (<c>cls.predictions.*</c>) or a bare encoder (no <c>bert.</c> prefix); null for prefixed encoder
    /// weights without either head, which no loader here reads.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder or its weights file does not exist.</exception>
    public static SavedModelKind? KindOf(string folder) => KindOfHeader(SafeTensorsFile.ReadHeader(WeightsPath(folder)));

    private static SavedModelKind? KindOfHeader(IEnumerable<SafeTensorInfo> header)
    {
        var names = header.Select(entry => entry.Name).ToList();
        return names.Contains(ClassifierWeightName) ? SavedModelKind.SequenceClassifier
            : names.Any(name => name.StartsWith(MaskedLmHeadPrefix, StringComparison.Ordinal)) ? SavedModelKind.MaskedLanguageModel
            : names.Any(name => name.StartsWith(EncoderPrefix, StringComparison.Ordinal)) ? null
            : SavedModelKind.Encoder;
    }

    private static string Describe(SavedModelKind kind) => kind switch
    {
        SavedModelKind.MaskedLanguageModel => "a pre-trained masked-language model",
        SavedModelKind.SequenceClassifier => "a fine-tuned sequence classifier",
        _ => "a bare BERT encoder (no task head)",
    };

    private static T LoadedOn<T>(T model, string folder, Device? device) where T : nn.Module
    {
        LoadWeights(model, folder);
        if (device is not null)
        {
            model.to(device);
        }

        return model;
    }

    private static string WeightsPath(string folder)
    {
        var path = Path.Combine(RequireFolder(folder), WeightsFileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model folder '{folder}' has no {WeightsFileName}; save the model with BertModelStore.Save.", path);
        }

        return path;
    }

    private static string RequireFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The model folder '{folder}' does not exist.");
        }

        // A run folder keeps its model one level down; say so rather than "no config.json".
        if (FindModelFolder(folder) is { } runModel && runModel != folder)
        {
            throw new FileNotFoundException(
                $"'{folder}' is a run folder, not a model folder: its model is in '{runModel}'; pass that folder.", Path.Combine(folder, ConfigFileName));
        }

        return folder;
    }
}
