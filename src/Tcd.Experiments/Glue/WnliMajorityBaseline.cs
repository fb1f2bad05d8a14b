using Tcd.Models.Data.Glue;

namespace Tcd.Experiments.Glue;

/// <summary>
/// WNLI's submission without fine-tuning: the majority class of its train set for every test row, as the BERT and TCD
/// papers submit it. WNLI's train and dev sets are adversarial (the same sentences with the other label), so fine-tuned
/// models score below this baseline.
/// </summary>
/// <param name="Label">The majority class as the files write it.</param>
/// <param name="LabelCount">Train rows of that class.</param>
/// <param name="TrainCount">Train rows read.</param>
/// <param name="TestIds">The test rows' <c>index</c> values, in order.</param>
internal sealed record WnliMajorityBaseline(string Label, int LabelCount, int TrainCount, IReadOnlyList<string> TestIds)
{
    /// <summary>The server's file name, <c>WNLI.tsv</c>.</summary>
    public static string FileName { get; } = GlueResultColumn.For(GlueTask.Wnli).Single().SubmissionFileName;

    /// <summary>
    /// Reads WNLI's train and test files under <paramref name="glueDirectory"/>; null, with a note through
    /// <paramref name="log"/>, when either is missing.
    /// </summary>
    /// <exception cref="InvalidDataException">A test row is malformed, or no train row could be read.</exception>
    public static WnliMajorityBaseline? Load(string glueDirectory, Action<string> log)
    {
        var task = GlueTask.Wnli;
        var reader = new GlueReader(glueDirectory, new GlueReaderOptions { OnMalformedRow = GlueMalformedRowHandling.Skip });
        if (new[] { "train", "test" }.Select(split => reader.GetPath(task, split)).FirstOrDefault(path => !File.Exists(path)) is { } missing)
        {
            log(GlueTaskData.MissingFileNote(task, glueDirectory, missing, FileName));
            return null;
        }

        var train = GlueTaskData.ReadSplit(reader, task, "train", log);
        if (train.Count == 0)
        {
            throw new InvalidDataException($"{task.Name} under '{glueDirectory}' has no readable training examples to take the majority class of; check the file.");
        }

        var label = GlueSubmission.MajorityClass(task, train);
        var ids = GlueTaskData.ReadSplit(reader, task, "test", log).Select(example => example.Id!).ToList();
        return new WnliMajorityBaseline(label, train.Count(example => task.LabelNames[example.Label!.Value] == label), train.Count, ids);
    }

    /// <summary>Writes <c>&lt;folder&gt;/WNLI.tsv</c> and returns its path.</summary>
    public string Write(string folder) => GlueSubmission.WritePredictions(folder, FileName, TestIds, Enumerable.Repeat(Label, TestIds.Count).ToList());

    /// <summary>Says what the file holds, so that nobody takes it for a fine-tuned model's predictions.</summary>
    public string Describe() =>
        $"{FileName} is the majority-class baseline, not a fine-tuned model: class {Label} ({LabelCount} of {TrainCount} WNLI train rows) " +
        $"for all {TestIds.Count} test rows, as the BERT paper submits it (name WNLI in {nameof(GlueSuiteOptions)}.{nameof(GlueSuiteOptions.Tasks)} to fine-tune on it instead).";
}
