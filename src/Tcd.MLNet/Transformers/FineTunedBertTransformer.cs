using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.Models.Data;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using static TorchSharp.torch;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// A fine-tuned BERT / MoE-BERT classifier or regressor. Its output columns are ML.NET's standard ones (see
/// <see cref="BertPredictionKind"/>), so <c>mlContext.BinaryClassification.Evaluate</c>,
/// <c>MulticlassClassification.Evaluate</c>, <c>Regression.Evaluate</c>, <c>MapKeyToValue</c> on
/// <c>PredictedLabel</c> and <c>PredictionEngine</c> work on it.
/// </summary>
public sealed class FineTunedBertTransformer : BertTransformer
{
    /// <summary>Name of the score column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>Name of the probability column (binary classification).</summary>
    public const string ProbabilityColumnName = "Probability";

    /// <summary>Name of the predicted label column (classification).</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private readonly OutputColumn[] columns;

    internal FineTunedBertTransformer(
        BertForSequenceClassification model,
        BertTextEncoder encoder,
        BertPredictionKind kind,
        string textColumnName,
        string? pairColumnName,
        string labelColumnName,
        DataViewSchema.Annotations? labelAnnotations,
        int maxSequenceLength,
        int batchSize)
        : base(model, model.Config, encoder, textColumnName, pairColumnName, maxSequenceLength, batchSize)
    {
        Model = model;
        model.eval();
        Kind = kind;
        LabelColumnName = labelColumnName;
        LabelAnnotations = labelAnnotations;
        var expected = kind == BertPredictionKind.Regression ? 1 : kind == BertPredictionKind.BinaryClassification ? 2 : model.NumLabels;
        if (model.NumLabels != expected || (kind == BertPredictionKind.MulticlassClassification && expected < 2))
        {
            throw new ArgumentException($"A {kind} model needs {expected} outputs, but the network has {model.NumLabels}.", nameof(model));
        }

        columns = CreateColumns(kind, model.NumLabels, labelAnnotations);
    }

    /// <summary>The fine-tuned network.</summary>
    public BertForSequenceClassification Model { get; }

    /// <summary>Binary, multiclass or regression.</summary>
    public BertPredictionKind Kind { get; }

    /// <summary>Number of classes (1 for regression).</summary>
    public int ClassCount => Model.NumLabels;

    /// <summary>The label column the model was trained on (informative: the label is not read by <see cref="BertTransformer.Transform"/>).</summary>
    public string LabelColumnName { get; }

    /// <summary>How fine-tuning ended (epoch losses and validation scores); null when the model was loaded from a file.</summary>
    public FineTuningResult? FineTuningResult { get; internal init; }

    /// <summary>The annotations of the training label column (its key values) that <c>PredictedLabel</c> carries.</summary>
    internal DataViewSchema.Annotations? LabelAnnotations { get; }

    internal override IReadOnlyList<OutputColumn> OutputColumns => columns;

    private protected override nn.Module Network => Model;

    private protected override Tensor Forward(BertBatch batch) =>
        Model.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None).Logits;

    /// <summary>
    /// The columns a model of <paramref name="kind"/> with <paramref name="classCount"/> outputs adds, annotated as
    /// ML.NET's trainers annotate theirs (multiclass scores named after the label's key values).
    /// </summary>
    internal static OutputColumn[] CreateColumns(BertPredictionKind kind, int classCount, DataViewSchema.Annotations? labelAnnotations) => kind switch
    {
        BertPredictionKind.BinaryClassification =>
        [
            OutputColumn.Scalar(ScoreColumnName, NumberDataViewType.Single, Margin, PredictionAnnotations.Scores(kind, "Score").ToAnnotations()),
            OutputColumn.Scalar(ProbabilityColumnName, NumberDataViewType.Single, logits => 1f / (1f + MathF.Exp(-Margin(logits))), PredictionAnnotations.Probability()),
            OutputColumn.Scalar(PredictedLabelColumnName, BooleanDataViewType.Instance, logits => Margin(logits) > 0, PredictionAnnotations.Scores(kind, "PredictedLabel").ToAnnotations()),
        ],
        BertPredictionKind.MulticlassClassification =>
        [
            OutputColumn.Vector(ScoreColumnName, classCount, SequenceClassifierPredictor.Probabilities, PredictionAnnotations.MulticlassScores(classCount, labelAnnotations)),
            OutputColumn.Scalar(PredictedLabelColumnName, new KeyDataViewType(typeof(uint), classCount), logits => (uint)GlueMetrics.PredictedClass(logits) + 1, PredictedKey(labelAnnotations)),
        ],
        _ => [OutputColumn.Scalar(ScoreColumnName, NumberDataViewType.Single, logits => logits[0], PredictionAnnotations.Scores(kind, "Score").ToAnnotations())],
    };

    private static DataViewSchema.Annotations PredictedKey(DataViewSchema.Annotations? labelAnnotations)
    {
        var builder = PredictionAnnotations.Scores(BertPredictionKind.MulticlassClassification, "PredictedLabel");
        if (labelAnnotations is not null)
        {
            builder.Add(labelAnnotations, name => name == PredictionAnnotations.KeyValuesKind);
        }

        return builder.ToAnnotations();
    }

    private static float Margin(float[] logits) => logits[1] - logits[0];
}
