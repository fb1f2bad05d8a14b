using System.Collections;
using System.Text.Json;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>
/// Imports Hugging Face BERT checkpoint folders: <c>config.json</c> plus <c>model.safetensors</c> or
/// <c>pytorch_model.bin</c> (a <c>torch.save</c> zip archive). Accepts the layouts of <c>BertModel</c>,
/// <c>BertForMaskedLM</c>, <c>BertForPreTraining</c> and <c>BertForSequenceClassification</c>, TensorFlow-converted
/// LayerNorm names (<c>gamma</c>/<c>beta</c>), tied decoder copies, and this library's MoE exports
/// (<see cref="HuggingFaceExporter"/>). Any missing, unknown or misshaped tensor is reported together in one
/// <see cref="StateDictMismatchException"/>; nothing is loaded partially.
/// </summary>
public static class HuggingFaceCheckpoint
{
    /// <summary>The <c>model_type</c> of Hugging Face BERT checkpoints.</summary>
    public const string BertModelType = "bert";

    /// <summary>
    /// The <c>model_type</c> of this library's Mixture-of-Experts exports; <c>transformers</c> does not know it, so it
    /// refuses such a folder instead of silently dropping the experts.
    /// </summary>
    public const string MoeModelType = "tcd-moe-bert";

    /// <summary>Prefix of the <c>architectures</c> names of MoE exports, e.g. <c>TcdMoeBertForMaskedLM</c>.</summary>
    public const string MoeArchitecturePrefix = "TcdMoe";

    /// <summary>Keys of a Hugging Face BERT <c>config.json</c> that a <c>BertModelStore</c> configuration never has.</summary>
    private static readonly string[] HuggingFaceOnlyKeys = ["architectures", "hidden_act"];

    /// <summary>Keys that every <c>BertModelStore</c> configuration has and a Hugging Face one never does.</summary>
    private static readonly string[] StoreOnlyKeys = ["expert_count", "adapter_size"];

    /// <summary>The configuration file of a checkpoint folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The seed of <see cref="LoadEncoderUnderNewMaskedLmHead"/>'s new head unless one is given.</summary>
    public const long DefaultHeadSeed = 42;

    /// <summary>The safetensors weights file of a checkpoint folder (preferred when both weight files exist).</summary>
    public const string SafeTensorsFileName = "model.safetensors";

    /// <summary>The PyTorch (<c>torch.save</c>) weights file of a checkpoint folder.</summary>
    public const string PyTorchFileName = "pytorch_model.bin";

    /// <summary>
    /// Loads the model the checkpoint holds, as named by <c>architectures</c> in <c>config.json</c> (or, without it,
    /// as inferred from the tensor names): <see cref="BertForMaskedLm"/>, <see cref="BertForSequenceClassification"/>
    /// or <see cref="BertModel"/>, on <paramref name="device"/> (default: CPU).
    /// </summary>
    /// <exception cref="InvalidDataException">The configuration is not a BERT one, or names a class that cannot be built.</exception>
    /// <exception cref="StateDictMismatchException">Tensors are missing, unknown or misshaped (all are listed).</exception>
    public static HuggingFaceImport Load(string folder, Device? device = null) => Import(folder, target: null, device);

    /// <summary>
    /// Loads the encoder of any BERT checkpoint, whatever its head (or none: <c>BertModel</c>,
    /// <c>BertForTokenClassification</c>, <c>BertForQuestionAnswering</c>, ...), as a <see cref="BertForMaskedLm"/> whose
    /// masked-LM head is new, as transformers' <c>BertForMaskedLM.from_pretrained</c> builds one for a checkpoint
    /// without it. Fine-tuning, feature extraction and further pre-training then take it like any pre-trained model;
    /// its masked-LM predictions mean nothing until it is pre-trained further. The head is drawn from
    /// <paramref name="seed"/> alone (torch's global generator is left as it was); its decoder is tied to the word
    /// embeddings. The checkpoint's heads and pooler are left out, each listed in <see cref="HuggingFaceImport.Notes"/>;
    /// <see cref="HuggingFaceImport.Architecture"/> is the class the checkpoint was saved from, or the nearest one for
    /// a class outside <see cref="HuggingFaceArchitecture"/>.
    /// </summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="seed">Seed of the new head's weights. Default 42.</param>
    /// <param name="device">Where to put the model. Default: the CPU.</param>
    /// <exception cref="InvalidDataException">The configuration is not a BERT one.</exception>
    /// <exception cref="StateDictMismatchException">Encoder tensors are missing, unknown or misshaped (all are listed).</exception>
    public static HuggingFaceImport LoadEncoderUnderNewMaskedLmHead(string folder, long seed = DefaultHeadSeed, Device? device = null) =>
        Import(folder, target: null, device, new NewMaskedLmHead(seed, OnlyWithoutOwn: false));

    /// <summary>
    /// Loads any BERT checkpoint as a <see cref="BertForMaskedLm"/>, as transformers' <c>BertForMaskedLM.from_pretrained</c>
    /// does: with the checkpoint's own masked-LM head when its weights hold one (as <see cref="LoadMaskedLm"/>), else its
    /// encoder under a new head drawn from <paramref name="seed"/> (as <see cref="LoadEncoderUnderNewMaskedLmHead"/>);
    /// <see cref="HuggingFaceImport.HasNewMaskedLmHead"/> says which. The weights file is read once, where calling
    /// <see cref="HasMaskedLmHead"/> first reads a <c>pytorch_model.bin</c> whole only for its tensor names.
    /// </summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="seed">Seed of a new head's weights. Default 42.</param>
    /// <param name="device">Where to put the model. Default: the CPU.</param>
    /// <exception cref="InvalidDataException">The configuration is not a BERT one.</exception>
    /// <exception cref="StateDictMismatchException">Tensors are missing, unknown or misshaped (all are listed).</exception>
    public static HuggingFaceImport LoadAsMaskedLm(string folder, long seed = DefaultHeadSeed, Device? device = null) =>
        Import(folder, HuggingFaceArchitecture.BertForMaskedLM, device, new NewMaskedLmHead(seed, OnlyWithoutOwn: true));

    /// <summary>
    /// True when the checkpoint's weights hold a masked-LM head (<c>cls.predictions.*</c>), as those of
    /// <c>BertForMaskedLM</c> and <c>BertForPreTraining</c> do; <see cref="LoadMaskedLm"/> needs one, and
    /// <see cref="LoadEncoderUnderNewMaskedLmHead"/> serves the others. A <c>model.safetensors</c> answers from its
    /// header, a <c>pytorch_model.bin</c> only once read whole: to load the model either way, call
    /// <see cref="LoadAsMaskedLm"/>, which reads it once.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no weights file.</exception>
    public static bool HasMaskedLmHead(string folder)
    {
        var safeTensors = Path.Combine(RequireFolder(folder), SafeTensorsFileName);
        if (File.Exists(safeTensors))
        {
            return HuggingFaceStateDict.HasMaskedLmHead(SafeTensorsFile.ReadHeader(safeTensors).Select(entry => entry.Name));
        }

        var tensors = ReadWeights(folder, out _);
        try
        {
            return HuggingFaceStateDict.HasMaskedLmHead(tensors.Keys);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Loads a <see cref="BertForMaskedLm"/> from a <c>BertForMaskedLM</c> or <c>BertForPreTraining</c> checkpoint
    /// (the pooler and next-sentence head are ignored).
    /// </summary>
    public static BertForMaskedLm LoadMaskedLm(string folder, Device? device = null) =>
        (BertForMaskedLm)Import(folder, HuggingFaceArchitecture.BertForMaskedLM, device).Model;

    /// <summary>
    /// Loads a <see cref="BertForSequenceClassification"/> from a <c>BertForSequenceClassification</c> checkpoint; the
    /// number of labels is the row count of <c>classifier.weight</c>.
    /// </summary>
    public static BertForSequenceClassification LoadSequenceClassification(string folder, Device? device = null) =>
        (BertForSequenceClassification)Import(folder, HuggingFaceArchitecture.BertForSequenceClassification, device).Model;

    /// <summary>
    /// Loads the encoder of any BERT checkpoint as a <see cref="BertModel"/> (with a pooler when the file has one);
    /// task heads are ignored.
    /// </summary>
    public static BertModel LoadBertModel(string folder, Device? device = null) =>
        (BertModel)Import(folder, HuggingFaceArchitecture.BertModel, device).Model;

    /// <summary>
    /// True when the folder's <c>config.json</c> is a Hugging Face one (see <see cref="IsCheckpointConfig"/>). False also
    /// when there is no configuration, or it is not a JSON object, so that the loader of <c>BertModelStore</c>'s layout
    /// names what is wrong.
    /// </summary>
    public static bool IsCheckpointFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var config = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(config))
        {
            return false;
        }

        return IsCheckpointConfig(File.ReadAllText(config));
    }

    /// <summary>
    /// True when the text of a <c>config.json</c> is a JSON object in Hugging Face's format: it names a <c>model_type</c>,
    /// or (older configurations, e.g. those converted from Google's TensorFlow checkpoints, lack one) it has one of the
    /// keys only Hugging Face writes (<c>architectures</c>, <c>hidden_act</c>) and none of those that
    /// <c>BertModelStore</c> always writes and Hugging Face never does (<c>expert_count</c>, <c>adapter_size</c>).
    /// </summary>
    internal static bool IsCheckpointConfig(string configJson)
    {
        try
        {
            using var document = JsonDocument.Parse(configJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            bool Has(string key) => root.TryGetProperty(key, out _);
            return Has("model_type") || (HuggingFaceOnlyKeys.Any(Has) && !StoreOnlyKeys.Any(Has));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads and checks the checkpoint's <c>config.json</c>.</summary>
    /// <exception cref="InvalidDataException">Not a BERT configuration (e.g. <c>model_type: roberta</c>), or invalid.</exception>
    public static BertConfig ReadConfig(string folder) => HuggingFaceConfigJson.Read(Path.Combine(RequireFolder(folder), ConfigFileName)).Config;

    /// <summary>
    /// What the checkpoint holds, from its <c>config.json</c> and the header of its <c>model.safetensors</c> alone: no
    /// weight is read and no native library is needed, so it answers at once for a checkpoint of any size.
    /// </summary>
    /// <exception cref="InvalidDataException">The configuration is not a BERT one (e.g. <c>model_type: gpt2</c>), or invalid.</exception>
    public static HuggingFaceCheckpointContents Describe(string folder)
    {
        var configFile = HuggingFaceConfigJson.Read(Path.Combine(RequireFolder(folder), ConfigFileName));
        var safeTensors = Path.Combine(folder, SafeTensorsFileName);
        var pyTorch = Path.Combine(folder, PyTorchFileName);
        var tensors = File.Exists(safeTensors) ? SafeTensorsFile.ReadHeader(safeTensors) : null;
        var weightsPath = tensors is not null ? safeTensors : File.Exists(pyTorch) ? pyTorch : null;
        var architecture = configFile.ArchitectureName is { } name
            ? HuggingFaceConfigJson.ParseArchitecture(name)
            : tensors is not null ? HuggingFaceStateDict.Infer(tensors.Select(tensor => tensor.Name).ToList()) : null;
        return new HuggingFaceCheckpointContents(
            configFile.Config, configFile.ArchitectureName, architecture, configFile.LabelNames, configFile.ProblemType, weightsPath, tensors);
    }

    /// <summary>
    /// Like <see cref="Describe"/>, and for a <c>pytorch_model.bin</c>, whose tensors only reading the whole file lists,
    /// reads it to give its <see cref="HuggingFaceCheckpointContents.Tensors"/> (and the class its tensor names tell when
    /// <c>config.json</c> names none) as the import takes them: legacy names made current, saved index buffers and the
    /// masked-LM decoder's tied copies left out, so that each stored weight counts once. Their entries have no byte
    /// offsets (<see cref="SafeTensorInfo.Begin"/> and <see cref="SafeTensorInfo.End"/> are 0). Needs the native library
    /// for a <c>pytorch_model.bin</c> only.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The configuration is not a BERT one, or the <c>pytorch_model.bin</c> is not a <c>torch.save</c> state dict.
    /// </exception>
    public static HuggingFaceCheckpointContents DescribeReadingWeights(string folder)
    {
        var contents = Describe(folder);
        if (contents.Tensors is not null || contents.WeightsPath is null)
        {
            return contents;
        }

        var file = ReadPyTorch(contents.WeightsPath);
        try
        {
            var tensors = HuggingFaceStateDict.Canonical(file, notes: []);
            var names = tensors.Keys.ToList();
            var stored = tensors.Where(pair => !HuggingFaceStateDict.IsTiedCopy(pair.Key, names))
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => new SafeTensorInfo(pair.Key, SafeTensorsFile.DTypeCode(pair.Value.dtype, pair.Key), pair.Value.shape, Begin: 0, End: 0))
                .ToList();
            return contents with
            {
                Architecture = contents.ArchitectureName is null ? HuggingFaceStateDict.Infer(names) : contents.Architecture,
                Tensors = stored,
            };
        }
        finally
        {
            foreach (var tensor in file.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Reads every tensor of the folder's weights file onto the CPU under the file's own names and dtypes
    /// (<c>model.safetensors</c> if present, else <c>pytorch_model.bin</c>). The caller disposes the tensors.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string folder) => ReadWeights(folder, out _);

    /// <summary>A new masked-LM head over the checkpoint's encoder, drawn from <paramref name="Seed"/>.</summary>
    /// <param name="Seed">Seed of the head's weights.</param>
    /// <param name="OnlyWithoutOwn">New only when the checkpoint has no masked-LM head of its own; false: always new.</param>
    private sealed record NewMaskedLmHead(long Seed, bool OnlyWithoutOwn);

    private static HuggingFaceImport Import(string folder, HuggingFaceArchitecture? target, Device? device, NewMaskedLmHead? newHead = null)
    {
        var configPath = Path.Combine(RequireFolder(folder), ConfigFileName);
        var configFile = HuggingFaceConfigJson.Read(configPath);
        var file = ReadWeights(folder, out var weightsPath);
        try
        {
            var notes = new List<string>();
            var tensors = HuggingFaceStateDict.Canonical(file, notes);
            var architecture = SourceArchitecture(configFile, tensors.Keys, configPath, required: target is null && newHead is null);
            var underNewHead = newHead is not null && !(newHead.OnlyWithoutOwn && HuggingFaceStateDict.HasMaskedLmHead(tensors.Keys));
            var (model, labels) = underNewHead
                ? (EncoderUnderNewMaskedLmHead(configFile.Config, newHead!.Seed, tensors, weightsPath, notes), null)
                : Build(target ?? architecture, configFile, tensors, weightsPath, notes);
            if (device is not null)
            {
                model.to(device);
            }

            return new HuggingFaceImport(configFile.Config, architecture, model, labels, notes) { HasNewMaskedLmHead = underNewHead };
        }
        finally
        {
            foreach (var tensor in file.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static (nn.Module Model, IReadOnlyList<string>? Labels) Build(
        HuggingFaceArchitecture kind, HuggingFaceConfigFile configFile, Dictionary<string, Tensor> tensors, string weightsPath, List<string> notes)
    {
        var config = configFile.Config;
        switch (kind)
        {
            case HuggingFaceArchitecture.BertForMaskedLM or HuggingFaceArchitecture.BertForPreTraining:
                HuggingFaceStateDict.FitMaskedLm(tensors, weightsPath, notes);
                return (Loaded(new BertForMaskedLm(config), tensors, weightsPath), null);
            case HuggingFaceArchitecture.BertForSequenceClassification:
                if (configFile.ProblemType == HuggingFaceConfigJson.MultiLabelProblemType)
                {
                    throw new InvalidDataException(
                        $"The config.json next to '{weightsPath}' sets \"problem_type\": \"{HuggingFaceConfigJson.MultiLabelProblemType}\": transformers scores each label " +
                        "on its own with a sigmoid, while this library's classifiers choose one label with a softmax (or regress one value), so its predictions " +
                        "would differ. " + HuggingFaceStateDict.EncoderOnlyAdvice);
                }

                HuggingFaceStateDict.RequireClassifier(tensors, weightsPath);
                var numLabels = (int)tensors[HuggingFaceStateDict.ClassifierWeight].shape[0];
                if (configFile.LabelNames is { } names && names.Count != numLabels)
                {
                    throw new InvalidDataException(
                        $"The config.json next to '{weightsPath}' names {names.Count} labels in id2label but {HuggingFaceStateDict.ClassifierWeight} has {numLabels} rows; " +
                        "make id2label list one name per classifier output.");
                }

                var labels = configFile.LabelNames ?? Enumerable.Range(0, numLabels).Select(id => $"LABEL_{id}").ToList();
                return (Loaded(new BertForSequenceClassification(config, numLabels), tensors, weightsPath), labels);
            default:
                var encoder = HuggingFaceStateDict.ForBertModel(tensors, notes);
                var hasPooler = encoder.ContainsKey("pooler.dense.weight");
                return (Loaded(new BertModel(config, hasPooler), encoder, weightsPath), null);
        }
    }

    private static BertForMaskedLm EncoderUnderNewMaskedLmHead(BertConfig config, long seed, Dictionary<string, Tensor> tensors, string weightsPath, List<string> notes)
    {
        var encoder = HuggingFaceStateDict.ForMaskedLmEncoder(tensors, notes);
        var model = Seeds.WithTorchSeed(seed, () => new BertForMaskedLm(config));
        try
        {
            BertModelStore.LoadStateDict(model.Bert, encoder, weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }

        notes.Add("The masked-LM head (cls.predictions.*) is new: its predictions mean nothing until the model is pre-trained further; fine-tuning replaces it anyway.");
        return model;
    }

    private static T Loaded<T>(T model, IReadOnlyDictionary<string, Tensor> tensors, string source) where T : nn.Module
    {
        try
        {
            BertModelStore.LoadStateDict(model, tensors, source);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static HuggingFaceArchitecture SourceArchitecture(HuggingFaceConfigFile configFile, IReadOnlyCollection<string> names, string configPath, bool required)
    {
        if (configFile.ArchitectureName is { } name)
        {
            if (HuggingFaceConfigJson.ParseArchitecture(name) is { } parsed)
            {
                return parsed;
            }

            if (required)
            {
                throw new InvalidDataException(
                    $"'{configPath}' names the architecture \"{name}\", which cannot be imported as a whole; supported: " +
                    string.Join(", ", Enum.GetValues<HuggingFaceArchitecture>()) +
                    " (and their TcdMoe* exports). " + HuggingFaceStateDict.EncoderOnlyAdvice);
            }
        }

        return HuggingFaceStateDict.Infer(names);
    }

    private static Dictionary<string, Tensor> ReadWeights(string folder, out string path)
    {
        var safeTensors = Path.Combine(RequireFolder(folder), SafeTensorsFileName);
        var pyTorch = Path.Combine(folder, PyTorchFileName);
        if (File.Exists(safeTensors))
        {
            path = safeTensors;
            return SafeTensorsFile.Read(safeTensors);
        }

        if (File.Exists(pyTorch))
        {
            path = pyTorch;
            return ReadPyTorch(pyTorch);
        }

        var sharded = File.Exists(safeTensors + ".index.json") || File.Exists(pyTorch + ".index.json");
        throw new FileNotFoundException(
            sharded
                ? $"The checkpoint folder '{folder}' holds a sharded checkpoint (*.index.json), which is not supported; " +
                  "re-save it in one file with save_pretrained(folder, max_shard_size=\"100GB\")."
                : $"The checkpoint folder '{folder}' has neither {SafeTensorsFileName} nor {PyTorchFileName}.",
            safeTensors);
    }

    private static Dictionary<string, Tensor> ReadPyTorch(string path)
    {
        // The first native call of an import from pytorch_model.bin (see SafeTensorsFile.Read).
        TorchRuntime.EnsureAvailable();
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception ex) when (ex is NotImplementedException or NotSupportedException or InvalidCastException or InvalidDataException
                                       or InvalidOperationException or EndOfStreamException or Razorvine.Pickle.PickleException)
        {
            throw new InvalidDataException(
                $"'{path}' could not be read as a PyTorch state dict ({ex.Message}). Only the zip format of torch.save (PyTorch 1.6 and later) " +
                $"holding a state dict is supported; in Python, re-save the model with save_pretrained(folder) to get {SafeTensorsFileName}.", ex);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                result[name] = tensor;
            }
        }

        return result;
    }

    private static string RequireFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The checkpoint folder '{folder}' does not exist.");
        }

        return folder;
    }
}
