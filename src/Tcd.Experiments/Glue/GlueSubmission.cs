using System.Globalization;
using System.Text;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>
/// Writes test-set predictions in the format the GLUE server accepts: one <c>&lt;Column&gt;.tsv</c> per result
/// column, and <c>AX.tsv</c> for the diagnostic set, with the header <c>index\tprediction</c>; class names for RTE,
/// QNLI, MNLI and AX (<c>entailment</c>, ...), 0/1 for CoLA, SST-2, MRPC, QQP and WNLI, and a score clipped to [0, 5]
/// for STS-B.
/// </summary>
public static class GlueSubmission
{
    /// <summary>The GLUE server's file for the diagnostic set, which an MNLI classifier labels.</summary>
    public const string DiagnosticFileName = "AX.tsv";

    /// <summary>Writes a model's predictions to <c>&lt;folder&gt;/&lt;fileName&gt;</c> atomically and returns its path.</summary>
    /// <param name="folder">Output folder (created if missing).</param>
    /// <param name="task">The task, which decides how outputs become predictions.</param>
    /// <param name="fileName">The server's file name, e.g. <see cref="GlueResultColumn.SubmissionFileName"/> or <see cref="DiagnosticFileName"/>.</param>
    /// <param name="ids">The test rows' <c>index</c> values, in order.</param>
    /// <param name="outputs">One row of model outputs per test row: class logits, or the single regression output.</param>
    /// <exception cref="ArgumentException">Ids and outputs differ in count, or an output row has the wrong width.</exception>
    public static string Write(string folder, GlueTask task, string fileName, IReadOnlyList<string> ids, IReadOnlyList<float[]> outputs)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(outputs);
        return WritePredictions(folder, fileName, ids, outputs.Select(output => Prediction(task, output)).ToList());
    }

    /// <summary>
    /// Writes <c>&lt;folder&gt;/&lt;fileName&gt;</c> atomically, a row per test id with its prediction as the server reads
    /// it (see <see cref="Prediction"/>), and returns its path.
    /// </summary>
    /// <exception cref="ArgumentException">Ids and predictions differ in count.</exception>
    public static string WritePredictions(string folder, string fileName, IReadOnlyList<string> ids, IReadOnlyList<string> predictions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(predictions);
        if (ids.Count != predictions.Count)
        {
            throw new ArgumentException($"{ids.Count} test ids but {predictions.Count} predictions for {fileName}; pass one prediction per test row.", nameof(predictions));
        }

        var text = new StringBuilder("index\tprediction\n");
        for (var i = 0; i < ids.Count; i++)
        {
            text.Append(ids[i]).Append('\t').Append(predictions[i]).Append('\n');
        }

        var path = Path.Combine(folder, fileName);
        CheckpointStore.ReplaceAtomically(path, text.ToString());
        return path;
    }

    /// <summary>
    /// The label name of the most frequent class among <paramref name="labelled"/> examples (on a tie, the first in
    /// <see cref="GlueTask.LabelNames"/>): the baseline the BERT paper submits for WNLI.
    /// </summary>
    /// <exception cref="ArgumentException">The task is a regression, or no example carries a label.</exception>
    public static string MajorityClass(GlueTask task, IEnumerable<GlueExample> labelled)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(labelled);
        if (task.IsRegression)
        {
            throw new ArgumentException($"{task.Name} is a regression; it has no majority class.", nameof(task));
        }

        var counts = new int[task.LabelNames.Count];
        foreach (var example in labelled)
        {
            if (example.Label is { } label)
            {
                counts[label]++;
            }
        }

        if (counts.Sum() == 0)
        {
            throw new ArgumentException($"No labelled {task.Name} example to take a majority class from.", nameof(labelled));
        }

        return task.LabelNames[Array.IndexOf(counts, counts.Max())];
    }

    /// <summary>The prediction string of one output row: the class name of the arg-max, or the clipped score (<see cref="GlueMetrics.PredictedScore"/>).</summary>
    public static string Prediction(GlueTask task, float[] output)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(output);
        if (output.Length != task.OutputCount)
        {
            throw new ArgumentException($"{task.Name} needs {task.OutputCount} outputs per row but a row has {output.Length}.", nameof(output));
        }

        return task.IsRegression
            ? GlueMetrics.PredictedScore(output).ToString("0.###", CultureInfo.InvariantCulture)
            : task.LabelNames[GlueMetrics.PredictedClass(output)];
    }
}
