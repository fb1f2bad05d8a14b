using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// The annotations ML.NET's own trainers put on their prediction columns (their kind names are internal to ML.NET,
/// hence the literals): what kind of score a column holds, and for multiclass the class names of each score slot,
/// which evaluators print in the confusion table.
/// </summary>
internal static class PredictionAnnotations
{
    internal const string KeyValuesKind = "KeyValues";
    private const string ScoreColumnKindKind = "ScoreColumnKind";
    private const string ScoreValueKindKind = "ScoreValueKind";
    private const string SlotNamesKind = "SlotNames";
    private const string TrainingLabelValuesKind = "TrainingLabelValues";
    private const string IsNormalizedKind = "IsNormalized";

    /// <summary>The score kind ("BinaryClassification", ...) and value kind ("Score", "Probability", ...) of a column.</summary>
    public static DataViewSchema.Annotations.Builder Scores(BertPredictionKind kind, string valueKind)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        AddText(builder, ScoreColumnKindKind, kind switch
        {
            BertPredictionKind.BinaryClassification => "BinaryClassification",
            BertPredictionKind.MulticlassClassification => "MulticlassClassification",
            _ => "Regression",
        });
        AddText(builder, ScoreValueKindKind, valueKind);
        return builder;
    }

    /// <summary>Binary probability: also marks the values as normalised to [0, 1].</summary>
    public static DataViewSchema.Annotations Probability()
    {
        var builder = Scores(BertPredictionKind.BinaryClassification, "Probability");
        builder.Add(IsNormalizedKind, BooleanDataViewType.Instance, (ref bool value) => value = true);
        return builder.ToAnnotations();
    }

    /// <summary>Label annotations whose key values are <paramref name="classNames"/>, as <c>MapValueToKey</c> would have made them.</summary>
    public static DataViewSchema.Annotations KeyValues(IReadOnlyList<string> classNames)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(classNames.Count, classNames.Select(name => name.AsMemory()).ToArray());
        builder.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, classNames.Count), getter);
        return builder.ToAnnotations();
    }

    /// <summary>
    /// Multiclass scores: the label's key values, as text, name the score slots (<c>SlotNames</c>) and the classes
    /// (<c>TrainingLabelValues</c>). Without key values only the kinds are set.
    /// </summary>
    public static DataViewSchema.Annotations MulticlassScores(int classCount, DataViewSchema.Annotations? labelAnnotations)
    {
        var builder = Scores(BertPredictionKind.MulticlassClassification, "Score");
        if (ClassNames(labelAnnotations) is { Length: var count } names && count == classCount)
        {
            var type = new VectorDataViewType(TextDataViewType.Instance, classCount);
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(count, names.Select(name => name.AsMemory()).ToArray());
            builder.Add(SlotNamesKind, type, getter);
            builder.Add(TrainingLabelValuesKind, type, getter);
        }

        return builder.ToAnnotations();
    }

    /// <summary>The key values of a label column as text, or null when it has none.</summary>
    public static string[]? ClassNames(DataViewSchema.Annotations? labelAnnotations)
    {
        if (labelAnnotations?.Schema.GetColumnOrNull(KeyValuesKind) is not { Type: VectorDataViewType { ItemType: var itemType } })
        {
            return null;
        }

        var read = typeof(PredictionAnnotations).GetMethod(nameof(KeyValuesAsText), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType);
        return (string[])read.Invoke(null, [labelAnnotations])!;
    }

    private static string[] KeyValuesAsText<T>(DataViewSchema.Annotations annotations)
    {
        var values = default(VBuffer<T>);
        annotations.GetValue(KeyValuesKind, ref values);
        return values.DenseValues().Select(value => value?.ToString() ?? string.Empty).ToArray();
    }

    private static void AddText(DataViewSchema.Annotations.Builder builder, string kind, string text) =>
        builder.Add(kind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = text.AsMemory());
}
