using System.Globalization;
using System.Text;
using Microsoft.ML.Data;

namespace Tcd.FineTuneGlue;

/// <summary>
/// A confusion table that names the classes on both axes. ML.NET's <see cref="ConfusionMatrix.GetFormattedConfusionTable"/>
/// heads its multiclass columns with key indices (<c>0 | 1</c>) while its rows read <c>0. entailment</c>, which leaves
/// the reader to match the two.
/// </summary>
internal static class ConfusionTable
{
    /// <summary>Formats <paramref name="matrix"/>: a row per true class, a column per predicted class, recall per row and precision per column.</summary>
    /// <param name="matrix">ML.NET's confusion matrix; class k is key k + 1.</param>
    /// <param name="classNames">The name of each class, in key order.</param>
    public static string Format(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        const string Corner = "TRUTH \\ PREDICTED";
        const string PrecisionRow = "Precision";
        var rowHeadWidth = classNames.Append(Corner).Append(PrecisionRow).Max(name => name.Length);
        var widths = classNames.Select(name => Math.Max(name.Length, 6)).ToArray();
        var table = new StringBuilder();

        void Row(string head, IEnumerable<string> cells, string? last) =>
            table.Append(head.PadRight(rowHeadWidth)).Append(" | ")
                .AppendJoin(" | ", cells.Select((cell, k) => cell.PadLeft(widths[k])))
                .AppendLine(last is null ? string.Empty : " | " + last);

        Row(Corner, classNames, "Recall");
        for (var truth = 0; truth < classNames.Count; truth++)
        {
            Row(classNames[truth], matrix.Counts[truth].Select(count => count.ToString("0", CultureInfo.InvariantCulture)), Fraction(matrix.PerClassRecall[truth]));
        }

        Row(PrecisionRow, matrix.PerClassPrecision.Select(Fraction), last: null);
        return table.ToString();
    }

    private static string Fraction(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
