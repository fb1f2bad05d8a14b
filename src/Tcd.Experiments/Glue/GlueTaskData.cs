using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>One task's encoded examples: the (capped) training set and, per result column, dev examples and test inputs.</summary>
internal sealed class GlueTaskData
{
    private GlueTaskData(GlueTask task, IReadOnlyList<FineTuningExample> train, IReadOnlyList<ColumnData> columns, string fingerprint)
    {
        Task = task;
        Train = train;
        Columns = columns;
        Fingerprint = fingerprint;
    }

    public GlueTask Task { get; }

    public IReadOnlyList<FineTuningExample> Train { get; }

    public IReadOnlyList<ColumnData> Columns { get; }

    /// <summary>
    /// SHA-256 (hex) of the training and dev examples as read (texts and targets, after the caps): what a cell's
    /// training and scores depend on, so a cell stored from other GLUE files is noticed. Line endings, a byte-order
    /// mark or skipped malformed rows do not change it.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Reads and encodes a task; malformed training and dev rows are skipped and reported through <paramref name="log"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No training or dev example could be read, or (with <paramref name="withTest"/>) a test row is malformed: the GLUE
    /// server needs a prediction for every test row.
    /// </exception>
    public static GlueTaskData Load(GlueTask task, GlueSuiteOptions options, BertTextEncoder encoder, int maxLength, bool withTest, Action<string> log)
    {
        var reader = new GlueReader(options.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        List<GlueExample> Read(string split)
        {
            var report = new GlueReadReport();
            var rows = reader.Read(task, split, report).ToList();
            if (report.DescribeSkipped() is { } skipped)
            {
                if (split.StartsWith("test", StringComparison.Ordinal))
                {
                    throw new InvalidDataException(
                        $"{skipped}. The GLUE server needs a prediction for every test row, so no submission file could be complete: " +
                        "repair those rows, or run without test predictions.");
                }

                log(skipped);
            }

            return rows;
        }

        FineTuningExample Labelled(GlueExample example) =>
            new(encoder.Encode(example.Text, example.TextPair, maxLength), task.IsRegression ? example.Score!.Value : example.Label!.Value);

        var train = TrainingSample.Draw(Read("train"), options.MaxTrainExamples);

        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddToFingerprint(fingerprint, train);
        var columns = new List<ColumnData>();
        foreach (var column in GlueResultColumn.For(task))
        {
            var devRows = Read(column.DevSplit).Take(options.MaxEvaluationExamples ?? int.MaxValue).ToList();
            AddToFingerprint(fingerprint, devRows);
            var dev = devRows.Select(Labelled).ToList();
            var hasTest = withTest && File.Exists(reader.GetPath(task, column.TestSplit));
            if (withTest && !hasTest)
            {
                log($"{task.Name}: no {column.TestSplit}.tsv under '{options.GlueDirectory}', so no {column.SubmissionFileName} is written.");
            }

            var test = hasTest ? Read(column.TestSplit) : [];
            columns.Add(new ColumnData(
                column,
                dev,
                test.Select(example => example.Id!).ToList(),
                test.Select(example => encoder.Encode(example.Text, example.TextPair, maxLength)).ToList(),
                hasTest));
        }

        if (train.Count == 0 || columns.Any(column => column.Dev.Count == 0))
        {
            throw new InvalidDataException($"{task.Name} under '{options.GlueDirectory}' has no readable training or dev examples; check the files.");
        }

        return new GlueTaskData(task, train.Select(Labelled).ToList(), columns, Convert.ToHexStringLower(fingerprint.GetHashAndReset()));
    }

    private static void AddToFingerprint(IncrementalHash hash, IEnumerable<GlueExample> examples)
    {
        var text = new StringBuilder();
        foreach (var example in examples)
        {
            // Separators that cannot occur inside a field, so two different splits of the same characters hash differently.
            text.Append(example.Text).Append('\u001f').Append(example.TextPair).Append('\u001f')
                .Append(example.Label?.ToString(CultureInfo.InvariantCulture)).Append('\u001f')
                .Append(example.Score?.ToString("R", CultureInfo.InvariantCulture)).Append('\u001e');
        }

        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        // Marks the end of a split, so examples cannot move between splits unnoticed.
        hash.AppendData([0]);
    }

    /// <summary>One result column's dev examples and test inputs.</summary>
    public sealed record ColumnData(
        GlueResultColumn Column, IReadOnlyList<FineTuningExample> Dev, IReadOnlyList<string> TestIds, IReadOnlyList<EncodedText> TestInputs, bool HasTest);
}
