using Microsoft.ML;
using Microsoft.ML.Data;

namespace Tcd.Docs.Tests;

/// <summary>The README's "GLUE files" advice holds for the GLUE files in data/glue as ML.NET's <c>LoadFromTextFile</c> reads them.</summary>
public class GlueLoadingTests
{
    private static readonly string Glue = Path.Combine(RepositoryFiles.Root(), "data", "glue");

    [Fact]
    public void MRPC_loads_whole_without_quoting_and_loses_408_pairs_with_it()
    {
        var mlContext = new MLContext(seed: 1);

        var unquoted = BlankPairs(mlContext.Data.LoadFromTextFile<PairRow>(Path.Combine(Glue, "MRPC", "train.tsv"), hasHeader: true));
        var quoted = BlankPairs(mlContext.Data.LoadFromTextFile<PairRow>(Path.Combine(Glue, "MRPC", "train.tsv"), hasHeader: true, allowQuoting: true));

        unquoted.Should().Be((3_668, 0));
        quoted.Should().Be((3_668, 408));
    }

    [Fact]
    public void CoLA_without_header_reads_its_0_and_1_labels_as_Booleans()
    {
        var mlContext = new MLContext(seed: 1);

        var labels = mlContext.Data.LoadFromTextFile<ColaRow>(Path.Combine(Glue, "CoLA", "train.tsv")).GetColumn<bool>(nameof(ColaRow.Label)).ToList();

        labels.Should().HaveCount(200).And.Contain(true).And.Contain(false);
    }

    private static (int Rows, int Blank) BlankPairs(IDataView data)
    {
        var rows = data.Preview(maxRows: 10_000).RowView;
        var blank = rows.Count(row => row.Values.Any(column => column.Value is ReadOnlyMemory<char> text && text.Span.IsWhiteSpace()));
        return (rows.Length, blank);
    }

    private sealed class PairRow
    {
        [LoadColumn(0)]
        public bool Label { get; set; }

        [LoadColumn(3)]
        public string Sentence1 { get; set; } = string.Empty;

        [LoadColumn(4)]
        public string Sentence2 { get; set; } = string.Empty;
    }

    private sealed class ColaRow
    {
        [LoadColumn(1)]
        public bool Label { get; set; }

        [LoadColumn(3)]
        public string Text { get; set; } = string.Empty;
    }
}
