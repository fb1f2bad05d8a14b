using Microsoft.ML;
using Microsoft.ML.Runtime;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;

namespace Tcd.MLNet.Serialization;

/// <summary>Loads a pre-trained model from any of the three places one is saved: a Tcd model file, a <see cref="BertModelStore"/> folder or a Hugging Face folder.</summary>
internal static class PretrainedModelLoader
{

    public static PretrainedBertTransformer Load(MLContext mlContext, string path, string textColumnName, string outputColumnName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return LoadFromModelFile(mlContext, path, textColumnName, outputColumnName);
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"'{path}' is neither a model file (mlContext.Tcd().SaveModel) nor a model folder (BertModelStore.Save or a Hugging Face checkpoint); check the path.", path);
        }

        // A run folder (tcd pretrain --out) stands for the model in its model/ folder, as it does for tcd.
        var folder = BertModelStore.FindModelFolder(path) ?? path;
        var model = HuggingFaceCheckpoint.IsCheckpointFolder(folder) ? LoadHuggingFace(mlContext, folder) : BertModelStore.LoadMaskedLm(folder);
        return LoadedNetwork.Wrap(model, () =>
            new PretrainedBertTransformer(model, BertTextEncoder.ForModelFolder(folder), textColumnName, outputColumnName, maxSequenceLength: Math.Min(128, model.Config.MaxPositions))
                { HostEnvironment = mlContext });
    }

    /// <summary>
    /// The one pre-trained network of a file of <c>SaveModel</c>, read with the settings of the first pre-trained part
    /// that runs it; the file's other networks (a classifier of the chain, for instance) and disposable ML.NET
    /// transformers are freed. A file with no pre-trained network, or several, is refused, and all it loaded is freed.
    /// </summary>
    private static PretrainedBertTransformer LoadFromModelFile(MLContext mlContext, string path, string textColumnName, string outputColumnName)
    {
        var loaded = TransformerChains.Flatten(TcdModelFile.Load(mlContext, path, out _)).ToList();
        try
        {
            var pretrained = loaded.OfType<PretrainedBertTransformer>().ToList();
            if (pretrained.Count == 0)
            {
                throw new InvalidDataException($"'{path}' holds no pre-trained Tcd model (a PretrainedBertTransformer); a fine-tuned model cannot be fine-tuned again or used as a featurizer here.");
            }

            var networks = pretrained.Select(part => part.Gate).Distinct().Count();
            if (networks > 1)
            {
                throw new InvalidDataException(
                    $"'{path}' holds {networks} pre-trained networks, and LoadPretrained cannot tell which one is meant. Load the file with " +
                    "mlContext.Tcd().LoadModel(path, out var inputSchema) and take the PretrainedBertTransformer you need from the chain.");
            }

            var saved = pretrained[0];
            var transformer = new PretrainedBertTransformer(saved.Model, saved.Encoder, textColumnName, outputColumnName, saved.Pooling, saved.MaxSequenceLength, saved.BatchSize)
                { HostEnvironment = mlContext };
            TransformerChains.Release(loaded.Where(other => other is not PretrainedBertTransformer));
            return transformer;
        }
        catch
        {
            TransformerChains.Release(loaded);
            throw;
        }
    }

    /// <summary>
    /// A Hugging Face checkpoint as a masked LM: its own head when it has one, else its encoder under a new head, as
    /// transformers' <c>BertForMaskedLM.from_pretrained</c> does, with a warning. Sentence encoders (<c>BertModel</c>)
    /// and other task models are thus featurized and fine-tuned, which use the encoder alone.
    /// </summary>
    private static BertForMaskedLm LoadHuggingFace(MLContext mlContext, string folder)
    {
        var imported = HuggingFaceCheckpoint.LoadAsMaskedLm(folder);
        if (!imported.HasNewMaskedLmHead)
        {
            return (BertForMaskedLm)imported.Model;
        }

        using var channel = ((IHostEnvironment)mlContext).Register("Tcd.LoadPretrained").Start("LoadPretrained");
        channel.Warning(MessageSensitivity.None,
            $"'{folder}' holds a {imported.ArchitectureName} checkpoint without a masked-LM head, so its encoder is loaded under a new one " +
            $"(seed {HuggingFaceCheckpoint.DefaultHeadSeed}), as transformers' BertForMaskedLM.from_pretrained does. Features and fine-tuning use the encoder alone; " +
            "masked-LM outputs mean nothing until the model is pre-trained further. To predict with a classifier checkpoint's own head, use LoadClassifier.");
        return (BertForMaskedLm)imported.Model;
    }
}
