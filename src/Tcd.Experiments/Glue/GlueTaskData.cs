using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>
/// One task's encoded examples: the (capped) training set, per result column its dev examples, and the unlabelled
/// inputs of each submission file a cell's model labels (the columns' test sets; MNLI's also GLUE's diagnostic set).
/// </summary>
internal sealed class GlueTaskData
{
    /// <summary>MNLI's split holding GLUE's diagnostic set (AX).</summary>
    private const string DiagnosticSplit = "diagnostic";

    private GlueTaskData(
        GlueTask task, IReadOnlyList<FineTuningExample> train, IReadOnlyList<ColumnData> columns, IReadOnlyList<SubmissionInputs> submissions, string fingerprint)
    {
        Task = task;
        Train = train;
        Columns = columns;
        Submissions = submissions;
        Fingerprint = fingerprint;
    }

    public GlueTask Task { get; }

    public IReadOnlyList<FineTuningExample> Train { get; }

    public IReadOnlyList<ColumnData> Columns { get; }

    /// <summary>The submission files a cell writes, for the unlabelled files that are there; empty without test predictions.</summary>
    public IReadOnlyList<SubmissionInputs> Submissions { get; }

    /// <summary>
    /// SHA-256 (hex) of the training and dev examples as read (texts and targets, after the caps): what a cell's
    /// training and scores depend on, so a cell stored from other GLUE files is noticed. Line endings, a byte-order
    /// mark or skipped malformed rows do not change it.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>
    /// Reads and encodes a task; malformed training and dev rows are skipped and reported through <paramref name="log"/>,
    /// as is an unlabelled file that is missing (its submission file is then not written).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// No training or dev example could be read, or (with <paramref name="withTest"/>) a test or diagnostic row is
    /// malformed: the GLUE server needs a prediction for every row.
    /// </exception>
    public static GlueTaskData Load(GlueTask task, GlueSuiteOptions options, BertTextEncoder encoder, int maxLength, bool withTest, Action<string> log)
    {
        var reader = new GlueReader(options.GlueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        List<GlueExample> Read(string split) => ReadSplit(reader, task, split, log);

        FineTuningExample Labelled(GlueExample example) =>
            new(encoder.Encode(example.Text, example.TextPair, maxLength), task.IsRegression ? example.Score!.Value : example.Label!.Value);

        var train = TrainingSample.Draw(Read("train"), options.MaxTrainExamples);

        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddToFingerprint(fingerprint, train);
        var submissions = new List<SubmissionInputs>();
        void AddSubmission(string split, string fileName)
        {
            var path = reader.GetPath(task, split);
            if (!File.Exists(path))
            {
                log(MissingFileNote(task, options.GlueDirectory, path, fileName));
                return;
            }

            var rows = Read(split);
            submissions.Add(new SubmissionInputs(
                fileName, split, rows.Select(example => example.Id!).ToList(), rows.Select(example => encoder.Encode(example.Text, example.TextPair, maxLength)).ToList()));
        }

        var columns = new List<ColumnData>();
        foreach (var column in GlueResultColumn.For(task))
        {
            var devRows = Read(column.DevSplit).Take(options.MaxEvaluationExamples ?? int.MaxValue).ToList();
            AddToFingerprint(fingerprint, devRows);
            columns.Add(new ColumnData(column, devRows.Select(Labelled).ToList()));
            if (withTest)
            {
                AddSubmission(column.TestSplit, column.SubmissionFileName);
            }
        }

        if (withTest && task == GlueTask.Mnli)
        {
            AddSubmission(DiagnosticSplit, GlueSubmission.DiagnosticFileName);
        }

        if (train.Count == 0 || columns.Any(column => column.Dev.Count == 0))
        {
            throw new InvalidDataException($"{task.Name} under '{options.GlueDirectory}' has no readable training or dev examples; check the files.");
        }

        return new GlueTaskData(task, train.Select(Labelled).ToList(), columns, submissions, Convert.ToHexStringLower(fingerprint.GetHashAndReset()));
    }

    /// <summary>
    /// Reads a split of a reader that skips malformed rows, noting them through <paramref name="log"/>; in an
    /// unlabelled split they stop the run instead.
    /// </summary>
    /// <exception cref="InvalidDataException">An unlabelled (test or diagnostic) row is malformed: the GLUE server needs a prediction for every row.</exception>
    public static List<GlueExample> ReadSplit(GlueReader reader, GlueTask task, string split, Action<string> log)
    {
        var report = new GlueReadReport();
        var rows = reader.Read(task, split, report).ToList();
        if (report.DescribeSkipped() is { } skipped)
        {
            if (!task.GetSplit(split).IsLabeled)
            {
                throw new InvalidDataException(
                    $"{skipped}. The GLUE server needs a prediction for every test row, so no submission file could be complete: " +
                    "repair those rows, or run without test predictions.");
            }

            log(skipped);
        }

        return rows;
    }

    /// <summary>The note for a file a submission file is made from that is missing, so the submission lacks that file.</summary>
    public static string MissingFileNote(GlueTask task, string glueDirectory, string path, string submissionFileName) =>
        $"{task.Name}: no {Path.GetRelativePath(glueDirectory, path)} under '{glueDirectory}', so no {submissionFileName} is written " +
        "(the GLUE server needs it for a complete submission).";

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

    /// <summary>One result column's dev examples.</summary>
    public sealed record ColumnData(GlueResultColumn Column, IReadOnlyList<FineTuningExample> Dev);

    /// <summary>An unlabelled split a cell's model labels for the GLUE server, and the file its predictions go to.</summary>
    /// <param name="FileName">The server's file name, e.g. <c>RTE.tsv</c>, <c>AX.tsv</c>.</param>
    /// <param name="Split">The task's split read, e.g. <c>test</c>, <c>test_matched</c>, <c>diagnostic</c>.</param>
    /// <param name="Ids">The rows' <c>index</c> values, in order.</param>
    /// <param name="Inputs">The encoded rows.</param>
    public sealed record SubmissionInputs(string FileName, string Split, IReadOnlyList<string> Ids, IReadOnlyList<EncodedText> Inputs);
}
