using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;

namespace Tcd.MLNet.Estimators;

/// <summary>
/// Fine-tunes a <see cref="PretrainedBertTransformer"/> as a text or sentence-pair classifier or a regressor
/// (fully or with adapters). Create it with <c>mlContext.Tcd().TextClassifier</c>, <c>SentencePairClassifier</c>,
/// <c>Regressor</c> or <c>FineTune</c>.
/// </summary>
/// <remarks>
/// The label column decides the output: Boolean → binary classification (<c>Score</c>, <c>Probability</c>,
/// <c>PredictedLabel</c> bool), key → multiclass (<c>Score</c> vector of probabilities, <c>PredictedLabel</c> key
/// with the label's key values), Single with <see cref="BertTask.Regression"/> → regression (<c>Score</c>).
/// See <see cref="BertFineTuningOptions"/> for how bad rows are handled.
/// </remarks>
public sealed class BertFineTuningEstimator : IEstimator<FineTunedBertTransformer>
{
    private const string KeyValuesKind = "KeyValues";

    private readonly IHost host;
    private readonly PretrainedBertTransformer pretrained;
    private readonly BertFineTuningOptions options;

    internal BertFineTuningEstimator(IHostEnvironment environment, PretrainedBertTransformer pretrained, BertFineTuningOptions options)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TextColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.LabelColumnName);
        ArgumentNullException.ThrowIfNull(options.FineTuning);
        ArgumentNullException.ThrowIfNull(options.Training);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TransformBatchSize);
        Training = options.Training with
        {
            Mode = options.FineTuning.Mode,
            AdapterSize = options.FineTuning.Mode == FineTuningMode.Adapters ? options.FineTuning.AdapterSize : options.Training.AdapterSize,
        };
        Training.Validate();
        host = environment.Register("Tcd.FineTuning");
        this.pretrained = pretrained;
        this.options = options;
    }

    /// <summary>The fine-tuning run options, with the mode and adapter size of <see cref="BertFineTuningOptions.FineTuning"/>.</summary>
    public FineTuningOptions Training { get; }

    private int MaxSequenceLength => Math.Min(Training.MaxSequenceLength, pretrained.Config.MaxPositions);

    /// <summary>Fine-tunes a copy of the pre-trained model on <paramref name="input"/> (the pre-trained transformer is not changed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or mistyped; the message names it and the expected type.</exception>
    /// <exception cref="InvalidOperationException">No usable training row, or a key label outside its key range.</exception>
    public FineTunedBertTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (kind, classCount, annotations) = Inspect(input.Schema);
        if (options.ValidationData is not null)
        {
            var (validationKind, validationClasses, _) = Inspect(options.ValidationData.Schema);
            if (validationKind != kind || validationClasses != classCount)
            {
                throw new ArgumentException(
                    $"The validation data's label column '{options.LabelColumnName}' gives {validationKind} with {validationClasses} classes, but the training data gives {kind} with {classCount}; map both with the same MapValueToKey transformer.",
                    nameof(input));
            }
        }

        using var channel = host.Start("Fine-tuning");
        var train = ReadExamples(input, kind, classCount, "training", channel);
        var validation = options.ValidationData is null ? null : ReadExamples(options.ValidationData, kind, classCount, "validation", channel);
        channel.Info(MessageSensitivity.None, $"Fine-tuning ({Training.Mode}) a {kind} model on {train.Count} rows{(validation is null ? string.Empty : $", validating on {validation.Count}")}.");

        torch.manual_seed(Training.Seed);
        var model = BertForSequenceClassification.FromPretrained(pretrained.Model, kind == BertPredictionKind.Regression ? 1 : classCount);
        var tuner = new FineTuner(model, Training, pretrained.Encoder.SpecialTokenIds);
        var result = tuner.Train(
            train, validation, validation is null ? null : options.ValidationScore ?? Scorer(kind), new ChannelProgress<FineTuningProgress>(channel, options.Progress), options.CancellationToken);
        channel.Info(MessageSensitivity.None, result.BestScore is { } best
            ? FormattableString.Invariant($"Fine-tuning done: best epoch {result.BestEpoch}, validation {(options.ValidationScore is not null ? "score" : kind == BertPredictionKind.Regression ? "Pearson" : "accuracy")} {best:F4}.")
            : $"Fine-tuning done after epoch {result.BestEpoch}{(result.Cancelled ? " (cancelled)" : string.Empty)}.");
        return new FineTunedBertTransformer(
            model, pretrained.Encoder, kind, options.TextColumnName, options.PairColumnName, options.LabelColumnName, annotations, MaxSequenceLength, options.TransformBatchSize)
        {
            TrainingResult = result,
        };
    }

    /// <summary>The input shape plus <c>Score</c> (and <c>Probability</c>, <c>PredictedLabel</c> for classification).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or mistyped; the message names it and the expected type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.RequireText(inputSchema, options.TextColumnName, "text");
        if (options.PairColumnName is not null)
        {
            SchemaChecks.RequireText(inputSchema, options.PairColumnName, "second text of the pair");
        }

        var label = SchemaChecks.Require(inputSchema, options.LabelColumnName, "label", ExpectedLabel);
        var scalar = label.Kind == SchemaShape.Column.VectorKind.Scalar;
        var kind = options.Task == BertTask.Regression
            ? scalar && !label.IsKey && label.ItemType == NumberDataViewType.Single ? BertPredictionKind.Regression : (BertPredictionKind?)null
            : scalar && label.IsKey ? BertPredictionKind.MulticlassClassification
            : scalar && label.ItemType is BooleanDataViewType ? BertPredictionKind.BinaryClassification
            : null;
        if (kind is null)
        {
            throw SchemaChecks.Mistyped(options.LabelColumnName, "label", SchemaChecks.Describe(label), ExpectedLabel);
        }

        // A shape carries no key count or vector size, so the class count here is only a placeholder; PredictedLabel
        // keeps the label's key values so that MapKeyToValue can follow.
        var added = FineTunedBertTransformer.CreateColumns(kind.Value, 2, null)
            .Select(column => SchemaShapes.Of(column.Name, column.Type, column.Name == FineTunedBertTransformer.PredictedLabelColumnName && label.IsKey ? label.Annotations.Where(a => a.Name == KeyValuesKind) : []))
            .ToList();
        return SchemaShapes.Append(inputSchema, added);
    }

    private string ExpectedLabel => options.Task == BertTask.Regression
        ? "Single (float) for regression"
        : "Boolean (binary) or a key type (multiclass: use mlContext.Transforms.Conversion.MapValueToKey first)";

    private (BertPredictionKind Kind, int ClassCount, DataViewSchema.Annotations? Annotations) Inspect(DataViewSchema schema)
    {
        SchemaChecks.RequireText(schema, options.TextColumnName, "text");
        if (options.PairColumnName is not null)
        {
            SchemaChecks.RequireText(schema, options.PairColumnName, "second text of the pair");
        }

        var label = SchemaChecks.Require(schema, options.LabelColumnName, "label", ExpectedLabel);
        switch (options.Task, label.Type)
        {
            case (BertTask.Regression, NumberDataViewType number) when number == NumberDataViewType.Single:
                return (BertPredictionKind.Regression, 1, null);
            case (BertTask.Classification, BooleanDataViewType):
                return (BertPredictionKind.BinaryClassification, 2, null);
            case (BertTask.Classification, KeyDataViewType key) when key.RawType == typeof(uint) && key.Count is >= 2 and <= int.MaxValue:
                var annotations = new DataViewSchema.Annotations.Builder();
                annotations.Add(label.Annotations, name => name == KeyValuesKind);
                return (BertPredictionKind.MulticlassClassification, (int)key.Count, annotations.ToAnnotations());
            case (BertTask.Classification, KeyDataViewType key):
                throw SchemaChecks.Mistyped(options.LabelColumnName, "label", label.Type.ToString() ?? string.Empty, $"a UInt32 key type with at least 2 values (this key has {key.Count})");
            default:
                throw SchemaChecks.Mistyped(options.LabelColumnName, "label", label.Type.ToString() ?? string.Empty, ExpectedLabel);
        }
    }

    private List<FineTuningExample> ReadExamples(IDataView data, BertPredictionKind kind, int classCount, string role, IChannel channel)
    {
        var schema = data.Schema;
        var columns = new List<DataViewSchema.Column> { schema[options.TextColumnName], schema[options.LabelColumnName] };
        if (options.PairColumnName is not null)
        {
            columns.Add(schema[options.PairColumnName]);
        }

        using var cursor = data.GetRowCursor(columns);
        var texts = new TextRowReader(cursor, options.TextColumnName, options.PairColumnName);
        var readLabel = LabelReader(cursor, kind, classCount);
        var examples = new List<FineTuningExample>();
        long skipped = 0;
        while (cursor.MoveNext())
        {
            var row = texts.Read();
            var target = readLabel();
            if (string.IsNullOrWhiteSpace(row.Text) || (options.PairColumnName is not null && string.IsNullOrWhiteSpace(row.Pair)) || target is null)
            {
                skipped++;
                continue;
            }

            examples.Add(new FineTuningExample(pretrained.Encoder.Encode(row.Text, row.Pair, MaxSequenceLength), target.Value));
        }

        if (skipped > 0)
        {
            channel.Warning(MessageSensitivity.None, $"Skipped {skipped} {role} rows with blank text or a missing label (columns '{options.TextColumnName}'{(options.PairColumnName is null ? string.Empty : $", '{options.PairColumnName}'")}, '{options.LabelColumnName}').");
        }

        if (examples.Count == 0)
        {
            throw new InvalidOperationException($"The {role} data has no usable row: every row has blank text or a missing label ({skipped} skipped).");
        }

        return examples;
    }

    /// <summary>Reads the label of the current row as a training target: a class index, a score, or null for a missing label.</summary>
    private Func<float?> LabelReader(DataViewRowCursor cursor, BertPredictionKind kind, int classCount)
    {
        var column = cursor.Schema[options.LabelColumnName];
        switch (kind)
        {
            case BertPredictionKind.BinaryClassification:
                var flag = cursor.GetGetter<bool>(column);
                return () =>
                {
                    var value = false;
                    flag(ref value);
                    return value ? 1 : 0;
                };
            case BertPredictionKind.MulticlassClassification:
                var key = cursor.GetGetter<uint>(column);
                return () =>
                {
                    uint value = 0;
                    key(ref value);
                    return value == 0 ? null
                        : value <= classCount ? value - 1
                        : throw new InvalidOperationException($"Row {cursor.Position} has label key {value} in column '{options.LabelColumnName}', outside its key range 1..{classCount}.");
                };
            default:
                var score = cursor.GetGetter<float>(column);
                return () =>
                {
                    var value = 0f;
                    score(ref value);
                    return float.IsFinite(value) ? value : null;
                };
        }
    }

    private static Func<float[][], IReadOnlyList<float>, double> Scorer(BertPredictionKind kind) => kind == BertPredictionKind.Regression
        ? (outputs, targets) => GlueMetrics.PearsonCorrelation(outputs.Select(row => row[0]).ToArray(), targets.ToArray())
        : (outputs, targets) => GlueMetrics.Accuracy(outputs.Select(row => Array.IndexOf(row, row.Max())).ToArray(), targets.Select(target => (int)target).ToArray());
}
