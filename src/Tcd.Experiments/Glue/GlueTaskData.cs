using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>One task's encoded examples: the (capped) training set and, per result column, dev examples and test inputs.</summary>
internal sealed class GlueTaskData
{
    private GlueTaskData(GlueTask task, IReadOnlyList<FineTuningExample> train, IReadOnlyList<ColumnData> columns)
    {
        Task = task;
        Train = train;
        Columns = columns;
    }

    public GlueTask Task { get; }

    public IReadOnlyList<FineTuningExample> Train { get; }

    public IReadOnlyList<ColumnData> Columns { get; }

    /// <summary>Reads and encodes a task; malformed rows are skipped and reported through <paramref name="log"/>.</summary>
    public static GlueTaskData Load(GlueTask task, GlueSuiteOptions options, BertTextEncoder encoder, int maxLength, bool withTest, Action<string> log)
    {
        var reader = new GlueReader(options.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        List<GlueExample> Read(string split)
        {
            var report = new GlueReadReport();
            var rows = reader.Read(task, split, report).ToList();
            if (report.DescribeSkipped() is { } skipped)
            {
                log(skipped);
            }

            return rows;
        }

        FineTuningExample Labelled(GlueExample example) =>
            new(encoder.Encode(example.Text, example.TextPair, maxLength), task.IsRegression ? example.Score!.Value : example.Label!.Value);

        var train = Read("train");
        if (options.MaxTrainExamples is { } cap && train.Count > cap)
        {
            // A fixed random sample rather than the first rows: some GLUE files are ordered by source or label.
            var shuffled = train.ToArray();
            new Random(0).Shuffle(shuffled);
            train = shuffled.Take(cap).ToList();
        }

        var columns = new List<ColumnData>();
        foreach (var column in GlueResultColumn.For(task))
        {
            var dev = Read(column.DevSplit).Take(options.MaxEvaluationExamples ?? int.MaxValue).Select(Labelled).ToList();
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

        return new GlueTaskData(task, train.Select(Labelled).ToList(), columns);
    }

    /// <summary>One result column's dev examples and test inputs.</summary>
    public sealed record ColumnData(
        GlueResultColumn Column, IReadOnlyList<FineTuningExample> Dev, IReadOnlyList<string> TestIds, IReadOnlyList<EncodedText> TestInputs, bool HasTest);
}
