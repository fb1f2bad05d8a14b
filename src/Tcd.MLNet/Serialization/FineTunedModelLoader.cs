using Microsoft.ML;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;

namespace Tcd.MLNet.Serialization;

/// <summary>Wraps a fine-tuned classifier saved as a folder (<c>tcd finetune</c>, <c>BertModelStore</c>, Hugging Face) as an ML.NET transformer.</summary>
internal static class FineTunedModelLoader
{
    public static FineTunedBertTransformer Load(
        MLContext mlContext, string folder, string textColumnName, string? pairColumnName, IReadOnlyList<string>? classNames, int? maxSequenceLength)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        if (File.Exists(folder))
        {
            throw new InvalidDataException(
                $"'{folder}' is a file, not a model folder; a model saved with mlContext.Tcd().SaveModel loads with mlContext.Tcd().LoadModel(path, out var inputSchema).");
        }

        // A run folder (tcd finetune --out) stands for the classifier in its model/ folder, as it does for tcd.
        folder = BertModelStore.FindModelFolder(folder) ?? folder;
        var model = HuggingFaceCheckpoint.IsCheckpointFolder(folder) ? HuggingFaceCheckpoint.LoadSequenceClassification(folder) : BertModelStore.LoadSequenceClassification(folder);
        return LoadedNetwork.Wrap(model, () =>
        {
            if (classNames is not null && classNames.Count != model.NumLabels)
            {
                throw new ArgumentException(
                    $"{classNames.Count} class names were given, but the classifier in '{folder}' has {model.NumLabels} output(s).", nameof(classNames));
            }

            var kind = model.NumLabels switch
            {
                1 => BertPredictionKind.Regression,
                2 => BertPredictionKind.BinaryClassification,
                _ => BertPredictionKind.MulticlassClassification,
            };
            var labelAnnotations = kind == BertPredictionKind.MulticlassClassification && classNames is not null ? PredictionAnnotations.KeyValues(classNames) : null;
            var length = maxSequenceLength ?? Math.Min(128, model.Config.MaxPositions);
            model.Config.RequireSequenceFits(length, nameof(maxSequenceLength), "classifier");
            return new FineTunedBertTransformer(
                model, BertTextEncoder.ForModelFolder(folder), kind, textColumnName, pairColumnName, "Label", labelAnnotations, length, batchSize: 32)
            {
                HostEnvironment = mlContext,
            };
        });
    }
}
