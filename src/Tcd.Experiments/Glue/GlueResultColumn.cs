using Tcd.Models.Data.Glue;

namespace Tcd.Experiments.Glue;

/// <summary>
/// One result column of a GLUE table and the files behind it: the task's column (e.g. <c>"RTE"</c>), or MNLI's
/// two columns <c>"MNLI-m"</c> (dev_matched / test_matched) and <c>"MNLI-mm"</c> (dev_mismatched / test_mismatched).
/// </summary>
/// <param name="Column">Column name in tables, and the GLUE server's submission file name without <c>.tsv</c>.</param>
/// <param name="DevSplit">The labelled split the column is scored on.</param>
/// <param name="TestSplit">The unlabelled split whose predictions are submitted.</param>
public sealed record GlueResultColumn(string Column, string DevSplit, string TestSplit)
{
    /// <summary>The submission file name the GLUE server expects, e.g. <c>SST-2.tsv</c>, <c>MNLI-mm.tsv</c>.</summary>
    public string SubmissionFileName => Column + ".tsv";

    /// <summary>The result columns of <paramref name="task"/>, in table order.</summary>
    public static IReadOnlyList<GlueResultColumn> For(GlueTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.EvaluationSplits.Select(split => new GlueResultColumn(ColumnName(task, split), split, TestSplitOf(split))).ToList();
    }

    private static string ColumnName(GlueTask task, string devSplit) => devSplit switch
    {
        "dev" => task.Name,
        "dev_matched" => task.Name + "-m",
        "dev_mismatched" => task.Name + "-mm",
        _ => $"{task.Name}-{devSplit}",
    };

    // dev → test, dev_matched → test_matched, as download_glue_data.py names them.
    private static string TestSplitOf(string devSplit) => "test" + devSplit["dev".Length..];
}
